"""Ranking for profiles given as data: the rank_matches command; the JSON API's results."""

from . import services
from .sources import profiles_from_data


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
    """[{"id", "results": [...]}] in input order, for a list of profile objects.

    Raises ProfileError with every error of every profile: nothing is ranked
    until the whole file is right.
    """
    profiles = profiles_from_data(data)
    ranked = services.rank_many(profiles, limit=limit, kind=kind)
    return [
        {"id": item.get("id"), "results": [result_json(r) for r in results]}
        for item, results in zip(data, ranked, strict=True)
    ]
