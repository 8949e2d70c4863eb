"""evaluate_matching: ranking quality on a coordinator's labelled cases."""

from dataclasses import replace

from . import services, sources
from .engine.evaluation import mean, ndcg_at_k, precision_at_k
from .engine.ranking import MatchingEngine
from .importer import ImportError_, load_file
from .sources import ProfileError, profile_from_data

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
        raise ImportError_('the judgments file must hold {"profile id": {"slug": grade}}')
    profiles = {}
    for index, item in enumerate(profiles_data):
        profile = profile_from_data(item, key=str(index))
        profiles[str(item.get("id"))] = profile
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


def evaluate_files(profiles_path, judgments_path, *, baselines=False):
    return evaluate(load_file(profiles_path), load_file(judgments_path), baselines=baselines)
