"""evaluate_matching: ranking quality on a coordinator's labelled cases."""

from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from . import services, sources
from .engine.evaluation import mean, ndcg_at_k, precision_at_k
from .engine.ranking import MatchingEngine
from .engine.records import Group, Opportunity, Place, Profile, Skill
from .importer import ImportError_, load_file
from .sources import ProfileError

CUTOFF = 10


def baseline_weights(weights):
    """The simple baselines the README compares against, on the same data."""
    zero = dict(text=0.0, skills=0.0, availability=0.0, distance=0.0, crowding=0.0)
    return {
        "skills only": replace(weights, **{**zero, "skills": 1.0}),
        "text only": replace(weights, **{**zero, "text": 1.0}),
    }


def evaluate(profiles_data, judgments, *, baselines=False):
    if not isinstance(profiles_data, list):
        raise ProfileError("the profiles file must hold a JSON list of profiles")
    if not isinstance(judgments, dict):
        raise ImportError_(
            'the judgments file must hold {"profile id": {"opportunity slug": grade}}'
        )
    # Every profile's errors at once, each with its number in the file.
    ranked_as = sources.profiles_from_data(profiles_data)
    profiles = {str(item.get("id")): r for item, r in zip(profiles_data, ranked_as, strict=True)}
    for profile_id, grades in judgments.items():
        if profile_id not in profiles:
            raise ImportError_(f'judgments: profile "{profile_id}" is not in the profiles file')
        if not isinstance(grades, dict) or not all(
            isinstance(g, int) and 0 <= g <= 3 for g in grades.values()
        ):
            raise ImportError_(
                f'judgments: profile "{profile_id}": grades must be whole numbers 0-3'
            )

    weights = services.current_weights()
    rankings = {"engine": weights}
    if baselines:
        rankings.update(baseline_weights(weights))
    records = (sources.opportunity_records(), sources.group_records(), sources.skill_records())
    judgments = graded_by_key(judgments, records[0], records[1])
    report = {"profiles": len(judgments), "rankings": {}}
    for name, ranking_weights in rankings.items():
        engine = MatchingEngine.build(
            records[0], groups=records[1], skills=records[2], weights=ranking_weights
        )
        ndcg, precision = [], []
        for profile_id, grades in judgments.items():
            ranked = [r.key for r in engine.rank(profiles[profile_id], limit=CUTOFF)]
            ndcg.append(ndcg_at_k(ranked, grades, k=CUTOFF))
            precision.append(precision_at_k(ranked, grades, k=5))
        report["rankings"][name] = {"ndcg@10": mean(ndcg), "precision@5": mean(precision)}
    return report


def graded_by_key(judgments, opportunities, groups):
    """{profile id: {opportunity key: grade}} from judgments that name
    opportunities by slug (see _graded_keys), for these records."""
    keys = _keys_by_label(opportunities, groups)
    return {pid: _graded_keys(pid, grades, keys) for pid, grades in judgments.items()}


def _keys_by_label(opportunities, groups):
    """{label: [opportunity keys]}: a slug, and "group-slug/slug" for each opportunity."""
    group_slugs = {group.key: group.slug for group in groups}
    keys = defaultdict(list)
    for item in opportunities:
        keys[item.slug].append(item.key)
        if item.group_key in group_slugs:
            keys[f"{group_slugs[item.group_key]}/{item.slug}"].append(item.key)
    return keys


def _graded_keys(profile_id, grades, keys):
    """The grades by opportunity key. Judgments name opportunities as people
    do, by slug; a slug two groups use must say whose ("group-slug/slug").
    A label no open opportunity has stays as it is: it is never ranked, so
    it counts as missed."""
    graded = {}
    for label, grade in grades.items():
        found = keys.get(label, [])
        if len(found) > 1:
            raise ImportError_(
                f'judgments: profile "{profile_id}": "{label}" names {len(found)} '
                f'opportunities; write it as "group-slug/{label}"'
            )
        graded[found[0] if found else label] = grade
    return graded


def evaluate_files(profiles_path, judgments_path, *, baselines=False):
    return evaluate(load_file(profiles_path), load_file(judgments_path), baselines=baselines)


# -- the residents' own words: a set of plain records, two fixed halves ---------

SPLITS = ("tuning", "held-out")


@dataclass(frozen=True)
class EvaluationSet:
    """Records and grades read from a directory like matching/samples/evaluation/.

    Nothing comes from the database: the set carries its own skills, areas,
    groups and opportunities (keyed by slug), so a measurement on it does not
    depend on what the site holds.
    """

    skills: tuple
    groups: tuple
    opportunities: tuple
    profiles: dict  # {resident id: Profile}
    splits: dict  # {resident id: "tuning" | "held-out"}
    judgments: dict  # {resident id: {opportunity key: grade}}

    def half(self, split):
        """The resident ids of one half, in file order."""
        return [pid for pid, name in self.splits.items() if name == split]


def load_evaluation_set(directory):
    """The EvaluationSet in `directory` (civic_data.json, profiles.json, judgments.json)."""
    directory = Path(directory)
    data = load_file(directory / "civic_data.json")
    places = {area["slug"]: Place(area["lat"], area["lon"]) for area in data["areas"]}
    skills = tuple(
        Skill(item["slug"], item["name"], tuple(item.get("aliases", ()))) for item in data["skills"]
    )
    groups = tuple(
        Group(
            key=item["slug"],
            slug=item["slug"],
            title=item["name"],
            description=item.get("description", ""),
            fields=tuple(item.get("fields", ())),
            place=places.get(item.get("area")),
        )
        for item in data["groups"]
    )
    opportunities = tuple(
        Opportunity(
            key=item["slug"],
            slug=item["slug"],
            title=item["title"],
            description=item.get("description", ""),
            skills=tuple(item.get("skills", ())),
            slots=frozenset(item.get("slots", ())),
            place=places.get(item.get("area")),
            capacity=item.get("capacity"),
            group_key=item.get("group"),
        )
        for item in data["opportunities"]
    )
    profiles, splits = {}, {}
    for item in load_file(directory / "profiles.json"):
        if item.get("split") not in SPLITS:
            raise ImportError_(f'profile "{item.get("id")}": split must be one of {SPLITS}')
        profiles[item["id"]] = Profile(
            key=item["id"],
            skills=tuple(item.get("skills", ())),
            interests=item.get("interests", ""),
            slots=frozenset(item.get("slots", ())),
            place=places.get(item.get("area")),
            max_km=float(item.get("max_km", 3)),
        )
        splits[item["id"]] = item["split"]
    judgments = load_file(directory / "judgments.json")
    unknown = sorted(set(judgments) - set(profiles))
    if unknown:
        raise ImportError_(f'judgments: profile "{unknown[0]}" is not in the profiles file')
    keys = {item.key for item in opportunities}
    for pid, grades in judgments.items():
        missing = sorted(set(grades) - keys)
        if missing:
            raise ImportError_(f'judgments: profile "{pid}": no opportunity "{missing[0]}"')
    return EvaluationSet(skills, groups, opportunities, profiles, splits, judgments)


def ndcg_by_half(evaluation_set, engine):
    """{split: mean NDCG@10} of an engine built on the set's records."""
    report = {}
    for split in SPLITS:
        scores = []
        for pid in evaluation_set.half(split):
            ranked = [r.key for r in engine.rank(evaluation_set.profiles[pid], limit=CUTOFF)]
            scores.append(ndcg_at_k(ranked, evaluation_set.judgments[pid], k=CUTOFF))
        report[split] = mean(scores)
    return report
