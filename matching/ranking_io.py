"""Ranking for profiles given as data (the rank_matches command, the JSON API)."""

from . import services
from .sources import ProfileError, profile_from_data


def result_json(result):
    """A result as JSON: the page id identifies it, the slug is for people."""
    return {
        "kind": result.kind,
        "id": result.key,
        "slug": result.slug,
        "title": result.title,
        "score": round(float(result.score), 4),
        "reasons": list(result.reasons),
    }


def rank_profiles_data(data, *, limit=10, kind="opportunities"):
    """[{"id", "results": [...]}] in input order, for a list of profile objects."""
    if not isinstance(data, list):
        raise ProfileError("the profiles file must hold a JSON list of profiles")
    profiles = [profile_from_data(item, key=str(index)) for index, item in enumerate(data)]
    ranked = services.rank_many(profiles, limit=limit, kind=kind)
    return [
        {"id": item.get("id"), "results": [result_json(r) for r in results]}
        for item, results in zip(data, ranked, strict=True)
    ]
