"""The weekly digest: new activities and volunteer opportunities that suit a
registered resident, ranked by the matching engine with its reasons.

Only residents who ticked it (ResidentProfile.receives_digest), consented
and confirmed their address get it. "New" is what was first published since
their last digest, and never more than a week back: anything older was in an
earlier week's look already, and either went out then or matched nothing.
When nothing new suits a resident, no e-mail goes and digest_sent_at keeps
its meaning, the time of the last digest actually sent (the resident sees it
in their data).

The weekly task queues one task per resident (ids only, through
cms.infrastructure.queue), so a mail server that is down keeps each
resident's digest in PendingTask instead of losing the week. Every digest
carries a one-click unsubscribe link (RFC 8058) signed over the profile's
public id: no address and no row id in the URL.
"""

import datetime
import uuid
from urllib.parse import urlsplit

from celery import shared_task

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from cms.infrastructure import queue
from cms.infrastructure.tasks import MAIL_TASK

from . import services, sources
from .engine.records import Opportunity, Place
from .engine.slots import DAYS
from .models import ResidentProfile

# How far back "new" reaches, the first time and after a quiet week.
WINDOW = datetime.timedelta(days=7)
# The most items of each kind in one digest.
ITEMS_PER_KIND = 5
# The least score an item needs besides suiting the resident (see suits()):
# an activity asks no skills, so anyone starts at about 0.23 for it, and a
# time that fits adds 0.2.
MIN_SCORE = 0.35
# The most new pages of each kind one digest weighs (the latest first).
MAX_CANDIDATES = 200
UNSUBSCRIBE_SALT = "matching.digest.unsubscribe"
# When a period of the day starts (hour): morning, afternoon, evening.
PERIOD_STARTS = ((17, "eve"), (12, "pm"), (0, "am"))


def recipients():
    """The residents the digest is for: opted in, consenting, address confirmed."""
    return ResidentProfile.objects.filter(
        receives_digest=True, consent=True, email_confirmed_at__isnull=False
    ).exclude(email="")


# -- the unsubscribe link --------------------------------------------------------


def unsubscribe_token(profile):
    """The token of the profile's unsubscribe link; it does not expire."""
    return signing.dumps(profile.public_id.hex, salt=UNSUBSCRIBE_SALT)


def profile_of_token(token):
    """(True, the profile or None if it is gone) for a genuine token; (False, None) else."""
    try:
        public_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return False, None
    try:
        public_id = uuid.UUID(public_id)
    except (TypeError, ValueError, AttributeError):  # signed by us, yet no UUID
        return False, None
    return True, ResidentProfile.objects.filter(public_id=public_id).first()


def unsubscribe(profile):
    """Stop the digest for this profile. True when it was still on."""
    return bool(
        ResidentProfile.objects.filter(pk=profile.pk, receives_digest=True).update(
            receives_digest=False, updated_at=timezone.now()
        )
    )


# -- what is new ------------------------------------------------------------------


def new_opportunities(since, until):
    """Open, live opportunities first published in [since, until), latest first."""
    from cms.opportunities.models import OpportunityPage

    today = timezone.localdate(until)
    return (
        OpportunityPage.objects.live()
        .public()
        .filter(is_open=True, first_published_at__gte=since, first_published_at__lt=until)
        .filter(Q(ends__isnull=True) | Q(ends__gte=today))
        .select_related("area", "facility__area")
        .order_by("-first_published_at", "-pk")[:MAX_CANDIDATES]
    )


def new_activities(since, until):
    """Upcoming live activities first published in [since, until), latest first."""
    from cms.activities.models import ActivityPage

    pages = (
        ActivityPage.objects.live()
        .public()
        .upcoming(until)
        .filter(first_published_at__gte=since, first_published_at__lt=until)
        .select_related("venue__area")
        .prefetch_related("fields")
    )
    return pages.order_by("-first_published_at", "-pk")[:MAX_CANDIDATES]


def period_of(time):
    """The slot period ("am", "pm", "eve") a start time falls in."""
    return next(period for hour, period in PERIOD_STARTS if time.hour >= hour)


def activity_slots(page):
    """The weekly slots an activity takes: its days at its start time's period
    (every period of those days when no time is given)."""
    periods = [period_of(page.start_time)] if page.start_time else ["am", "pm", "eve"]
    days, day = set(), page.start_date
    while day <= page.last_day and len(days) < len(DAYS):
        days.add(DAYS[day.weekday()])
        day += datetime.timedelta(days=1)
    return frozenset(f"{d}-{p}" for d in days for p in periods)


def activity_record(page):
    """An activity as the engine's plain record (the engine knows no pages):
    its texts and fields, its day and time as slots, its venue's area."""
    area = page.venue.area if page.venue_id and page.venue else None
    return Opportunity(
        key=page.pk,
        slug=page.slug,
        title=page.title,
        description=" ".join(filter(None, [page.summary, strip_tags(page.content or "")])),
        fields=tuple(field.name for field in page.fields.all()),
        slots=activity_slots(page),
        place=Place(float(area.latitude), float(area.longitude)) if area else None,
        capacity=None,
    )


_activity_engine = [None, None]  # [(records, skills, weights), the engine built over them]


def rank_activities(record, pages):
    """[(page, Result)] of the activities for a profile record, best first.

    The engine ranks them as it ranks opportunities, over records of just
    these activities (they ask for no skills, so skills weigh alike for all).
    """
    from .engine.ranking import MatchingEngine

    pages = {page.pk: page for page in pages}
    if not pages:
        return []
    records = tuple(activity_record(page) for page in pages.values())
    skills = tuple(sources.skill_records())
    weights = services.current_weights()
    # Residents of one week mostly weigh the same activities: their engine
    # (and its Japanese analysis) is built once per worker, not per resident.
    key = (records, skills, weights)
    if _activity_engine[0] != key:
        _activity_engine[:] = [key, MatchingEngine.build(records, skills=skills, weights=weights)]
    results = _activity_engine[1].rank(record, limit=len(pages))
    return [(pages[result.key], result) for result in results]


def rank_opportunities(record, pages):
    """[(page, Result)] of these opportunities for a profile record, best first,
    scored by the site's ranking (services: the search engine or in-process)."""
    ranked = []
    for page in pages:
        result = services.score_of(record, page.pk)
        if result is not None:
            ranked.append((page, result))
    ranked.sort(key=lambda pair: (-pair[1].score, pair[1].key))
    return ranked


def suits(result, asked_skills, own_skills):
    """The engine found the resident's own words in the item, or a skill of
    theirs it asks for, and scored it MIN_SCORE or more. A time or a place
    that fits only orders the items: it makes no lecture interesting."""
    found = result.components.get("text", 0) > 0 or bool(set(asked_skills) & set(own_skills))
    return found and result.score >= MIN_SCORE


def _best(ranked, own_skills):
    chosen = [
        (page, result)
        for page, result in ranked
        if suits(result, getattr(page, "asked_skills", ()), own_skills)
    ]
    return chosen[:ITEMS_PER_KIND]


def window_start(profile, until):
    """Where "new" starts for this profile: its last digest, at most a week back."""
    start = until - WINDOW
    if profile.digest_sent_at and profile.digest_sent_at > start:
        return profile.digest_sent_at
    return start


def digest_items(profile, until):
    """(activities, opportunities) new for the profile, each [(page, Result)]."""
    since = window_start(profile, until)
    record = sources.profile_record(profile)
    activities = _best(rank_activities(record, new_activities(since, until)), record.skills)
    opportunities = list(new_opportunities(since, until).prefetch_related("skills"))
    for page in opportunities:
        page.asked_skills = [skill.slug for skill in page.skills.all()]
    opportunities = _best(rank_opportunities(record, opportunities), record.skills)
    return activities, opportunities


# -- the e-mail -------------------------------------------------------------------


def _site_root():
    """The public site's root URL (as matching.tokens.public_url has it)."""
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    root = site.root_url if site else ""
    if not root or urlsplit(root).hostname == "localhost":
        root = settings.WAGTAILADMIN_BASE_URL
    return root.rstrip("/")


def _page_url(root, page):
    url = page.get_url() or ""
    return url if url.startswith(("http://", "https://")) else root + url


def _reasons_lines(result):
    if not result.reasons:
        return []
    return ["   " + _("Why we suggest it: %(reasons)s") % {"reasons": " / ".join(result.reasons)}]


def _activity_lines(root, page, result):
    from cms.applications.booking import availability

    lines = [f"■ {page.title}", "   " + _("Date: %(when)s") % {"when": page.when}]
    if page.venue_label:
        lines.append("   " + _("Place: %(place)s") % {"place": page.venue_label})
    if page.takes_applications:
        lines.append("   " + _("Applications: %(state)s") % {"state": availability(page).label})
    lines.append("   " + _page_url(root, page))
    return lines + _reasons_lines(result)


def _opportunity_lines(root, page, result):
    from cms.core import wareki

    lines = [f"■ {page.title}", "   " + _("Group: %(group)s") % {"group": page.group_title()}]
    when = page.slot_labels()
    if page.starts or page.ends:
        period = "〜".join(
            wareki.format_date(day, weekday=False) if day else ""
            for day in (page.starts, page.ends)
        )
        when = f"{period} {when}".strip()
    if when:
        lines.append("   " + _("When: %(when)s") % {"when": when})
    place = page.facility.title if page.facility_id and page.facility else ""
    if page.place_area and page.place_area.name not in place:
        place = f"{place} ({page.place_area.name})" if place else page.place_area.name
    if place:
        lines.append("   " + _("Place: %(place)s") % {"place": place})
    lines.append("   " + _page_url(root, page))
    return lines + _reasons_lines(result)


def digest_message(profile, activities, opportunities):
    """The digest as an EmailMessage (plain text) with the one-click unsubscribe headers."""
    root = _site_root()
    unsubscribe_url = root + reverse(
        "matching_digest_unsubscribe", args=[unsubscribe_token(profile)]
    )
    parts = [
        _("Dear %(name)s,") % {"name": profile.name},
        _(
            "These are the activities and volunteer opportunities published on the "
            "Musashino City civic-activity portal this week that suit the conditions "
            "you registered, with the reasons we suggest them."
        ),
    ]
    if activities:
        section = [_("[New activities]")]
        for page, result in activities:
            section += _activity_lines(root, page, result)
        parts.append("\n".join(section))
    if opportunities:
        section = [_("[New volunteer opportunities]")]
        for page, result in opportunities:
            section += _opportunity_lines(root, page, result)
        parts.append("\n".join(section))
    parts += [
        _("To change what you registered, please register again on this page:")
        + "\n"
        + root
        + reverse("matching_find"),
        _("To stop this weekly e-mail, open this link and press the button:")
        + "\n"
        + unsubscribe_url,
        _("Musashino City, Civic Activity Promotion Section"),
    ]
    return EmailMessage(
        subject=_("New activities and volunteer opportunities for you"),
        body="\n\n".join(parts) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[profile.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


# -- the tasks --------------------------------------------------------------------


def send_digest(profile, until):
    """Send one resident their digest for the week ending `until`. Returns 1
    when an e-mail went, 0 when nothing was new or it was sent already.

    The week is claimed before sending (digest_sent_at = until), so a retry,
    a kept task sent again or a second run sends it once; a failed send
    gives the claim back and raises, for the retry.
    """
    activities, opportunities = digest_items(profile, until)
    if not activities and not opportunities:
        return 0
    previous = profile.digest_sent_at
    not_sent_yet = Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lt=until)
    claimed = (
        ResidentProfile.objects.filter(not_sent_yet, pk=profile.pk)
        .filter(receives_digest=True)
        .update(digest_sent_at=until)
    )
    if not claimed:
        return 0
    try:
        return digest_message(profile, activities, opportunities).send()
    except Exception:
        ResidentProfile.objects.filter(pk=profile.pk, digest_sent_at=until).update(
            digest_sent_at=previous
        )
        raise


@shared_task(name="matching.tasks.send_resident_digest", **MAIL_TASK)
def send_resident_digest(profile_id, until):
    """One resident's digest for the week ending `until` (ISO time)."""
    until = datetime.datetime.fromisoformat(until)
    profile = recipients().filter(pk=profile_id).first()
    if profile is None or (profile.digest_sent_at and profile.digest_sent_at >= until):
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        return send_digest(profile, until)


def _anything_new(until):
    from cms.activities.models import ActivityPage
    from cms.opportunities.models import OpportunityPage

    since = until - WINDOW
    published = {"first_published_at__gte": since, "first_published_at__lt": until}
    return (
        OpportunityPage.objects.live().filter(**published).exists()
        or ActivityPage.objects.live().filter(**published).exists()
    )


@shared_task(name="matching.tasks.send_weekly_digests")
def send_weekly_digests(until=None):
    """Weekly (celery beat): queue the digest of every resident who asked for it.

    Returns how many residents' digests were queued (none in a week when
    nothing at all was published).
    """
    until = datetime.datetime.fromisoformat(until) if until else timezone.now()
    if not _anything_new(until):
        return 0
    queued = 0
    for profile_id in recipients().order_by("pk").values_list("pk", flat=True).iterator():
        queue.send(send_resident_digest, (profile_id, until.isoformat()))
        queued += 1
    return queued
