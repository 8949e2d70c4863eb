"""Records for the engine, read from the site's data.

This is the one place that knows both sides: it reads pages and snippets and
hands the engine plain records (matching.engine.records), so the engine stays
free of the page tree.
"""

from django.core.cache import cache
from django.db.models import Count, Q

from .engine.records import Group, Opportunity, Place, Profile, Skill
from .models import Skill as SkillModel
from .models import Suggestion
from .validation import ProfileError as ProfileError  # raised by profile_from_data
from .validation import Vocabulary, available_slots, clean_profile, clean_profiles

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
    """A stored ResidentProfile as an engine record (no slots stored: any time)."""
    return Profile(
        key=str(profile.public_id),
        skills=tuple(profile.skills.values_list("slug", flat=True)),
        interests=profile.interests,
        slots=frozenset(available_slots(profile.slots.values_list("code", flat=True))),
        place=_place(profile.home_area),
        max_km=float(profile.max_km),
    )


def vocabulary():
    """The skills and areas that exist, as the profile validator checks names."""
    from cms.core.models import Area

    return Vocabulary(
        skills=frozenset(SkillModel.objects.values_list("slug", flat=True)),
        areas={area.slug: _place(area) for area in Area.objects.all()},
    )


def profile_from_data(data, *, key=None):
    """A profile record from submitted data (a profile file's item or the
    API's body), validated; ProfileError says what is wrong."""
    return clean_profile(data, vocabulary(), key=key or "").record()


def profiles_from_data(items):
    """The records of a file's profiles; ProfileError lists every error of
    every profile, each with its number in the file."""
    return [answers.record() for answers in clean_profiles(items, vocabulary())]


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
