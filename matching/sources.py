"""Records for the engine, read from the site's data.

This is the one place that knows both sides: it reads pages and snippets and
hands the engine plain records (matching.engine.records), so the engine stays
free of the page tree.
"""

from django.core.cache import cache
from django.db.models import Count, Q

from .engine.records import Group, Opportunity, Place, Profile, Skill
from .engine.slots import validate_slots
from .models import Skill as SkillModel
from .models import Suggestion

ENGINE_CACHE_KEY = "matching:engine-version"


def _place(area):
    if area is None:
        return None
    return Place(float(area.latitude), float(area.longitude))


def skill_records():
    return [
        Skill(slug=s.slug, name=s.name, aliases=tuple(s.alias_list))
        for s in SkillModel.objects.all()
    ]


def opportunity_records(ids=None):
    """Open, live opportunities with their load: accepted and pending suggestions.

    Keyed by page id, their group by its page id: slugs repeat across groups.
    With `ids`, only those of these pages that are open and live.
    """
    from cms.opportunities.models import OpportunityPage

    pages = OpportunityPage.objects.live().public().filter(is_open=True)
    if ids is not None:
        pages = pages.filter(pk__in=list(ids))
    pages = (
        pages.select_related("area", "facility__area")
        .prefetch_related("skills", "slots")
        .annotate(
            accepted=Count("suggestions", filter=Q(suggestions__status=Suggestion.Status.ACCEPTED)),
            pending=Count(
                "suggestions", filter=Q(suggestions__status__in=Suggestion.OPEN_STATUSES)
            ),
        )
    )
    from cms.groups.models import GroupPage

    # An opportunity's group is its parent page: found by tree path, in one query.
    records = [(page, page.path[: -OpportunityPage.steplen]) for page in pages]
    parent_paths = {path for _page, path in records}
    groups_by_path = dict(GroupPage.objects.filter(path__in=parent_paths).values_list("path", "pk"))
    return [
        Opportunity(
            key=page.pk,
            slug=page.slug,
            title=page.title,
            description=" ".join(filter(None, [page.summary, _plain(page.description)])),
            skills=tuple(skill.slug for skill in page.skills.all()),
            slots=frozenset(slot.code for slot in page.slots.all()),
            place=_place(page.place_area),
            capacity=page.capacity,
            accepted=page.accepted,
            pending=page.pending,
            is_open=not page.has_ended,
            group_key=groups_by_path.get(parent_path),
        )
        for page, parent_path in records
    ]


def group_records(ids=None):
    """Live groups, keyed by page id; with `ids`, only those of these pages."""
    from cms.groups.models import GroupPage

    groups = GroupPage.objects.live().public()
    if ids is not None:
        groups = groups.filter(pk__in=list(ids))
    return [
        Group(
            key=group.pk,
            slug=group.slug,
            title=group.title,
            description=" ".join(filter(None, [group.summary, _plain(group.description)])),
            fields=tuple(field.name for field in group.fields.all()),
            place=_place(group.area),
        )
        for group in groups.select_related("area").prefetch_related("fields")
    ]


def _plain(html):
    from django.utils.html import strip_tags

    return strip_tags(html or "")


def profile_record(profile):
    """A stored ResidentProfile as an engine record."""
    return Profile(
        key=str(profile.public_id),
        skills=tuple(profile.skills.values_list("slug", flat=True)),
        interests=profile.interests,
        slots=frozenset(profile.slots.values_list("code", flat=True)),
        place=_place(profile.home_area),
        max_km=float(profile.max_km),
    )


class ProfileError(ValueError):
    """A submitted profile names a skill, slot or area that does not exist."""


def _is_utf8(value):
    """False for a str holding half of a UTF-16 pair: JSON can escape one
    ("\\ud800") and Python reads it, but it is no character, and the
    database, the analyser and the JSON response all fail on it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_text(value):
    """A str the database can be asked about (PostgreSQL refuses NUL, too)."""
    return isinstance(value, str) and "\x00" not in value and _is_utf8(value)


def profile_from_data(data, *, key=None):
    """A profile record from submitted data (JSON file or API), validated."""
    from cms.core.models import Area

    if not isinstance(data, dict):
        raise ProfileError("a profile must be an object")
    key = str(data.get("id", key or ""))
    if not _is_text(key):
        raise ProfileError('profile: field "id": must be text or a number')
    where = f'profile "{key}"' if key else "profile"
    skills = data.get("skills", [])
    slots = data.get("slots", [])
    interests = data.get("interests", "")
    if not isinstance(skills, list) or not all(_is_text(s) for s in skills):
        raise ProfileError(f'{where}: field "skills": must be a list of skill slugs')
    if not isinstance(slots, list) or not all(isinstance(s, str) for s in slots):
        raise ProfileError(f'{where}: field "slots": must be a list of time-slot codes')
    if not isinstance(interests, str) or len(interests) > 2000:
        raise ProfileError(f'{where}: field "interests": must be text of at most 2000 characters')
    if not _is_utf8(interests):
        raise ProfileError(f'{where}: field "interests": holds an invalid \\u escape')
    known = set(SkillModel.objects.filter(slug__in=skills).values_list("slug", flat=True))
    unknown = [s for s in skills if s not in known]
    if unknown:
        raise ProfileError(f"{where}: field \"skills\": unknown skill '{unknown[0]}'")
    try:
        slots = validate_slots(slots)
    except ValueError as error:
        raise ProfileError(f'{where}: field "slots": {error}') from None
    area = None
    if data.get("area") not in (None, ""):
        if not _is_text(str(data["area"])):
            raise ProfileError(f'{where}: field "area": must be an area slug')
        area = Area.objects.filter(slug=str(data["area"])).first()
        if area is None:
            raise ProfileError(f"{where}: field \"area\": unknown area '{data['area']}'")
    try:
        max_km = float(data.get("max_km", 3))
    except (TypeError, ValueError):
        raise ProfileError(f'{where}: field "max_km": must be a number of kilometres') from None
    if not 0 <= max_km <= 50:
        raise ProfileError(f'{where}: field "max_km": must be between 0 and 50')
    return Profile(
        key=key,
        skills=tuple(skills),
        interests=interests,
        slots=frozenset(slots),
        place=_place(area),
        max_km=max_km,
    )


def build_engine(weights=None):
    """An engine over the current opportunities and groups."""
    from .engine.ranking import MatchingEngine
    from .engine.records import Weights

    return MatchingEngine.build(
        opportunity_records(),
        groups=group_records(),
        skills=skill_records(),
        weights=weights or Weights(),
    )


def engine_version():
    return cache.get(ENGINE_CACHE_KEY, 0)


def invalidate_engine():
    """Mark the engine stale; processes rebuild it on their next ranking."""
    try:
        cache.incr(ENGINE_CACHE_KEY)
    except ValueError:
        cache.set(ENGINE_CACHE_KEY, 1, None)
