"""Residents' personal data in the admin: only for those allowed, and on the record.

Each role crawls every admin page it can reach (links from /admin/ on, plus
the pages no menu links to: choosers, bulk actions, history, usage, exports)
and the test looks for one resident's name, e-mail, phone and message in
what comes back.
"""

import io
import re
import zipfile
from urllib.parse import urljoin, urlsplit

import pytest

from django.contrib.auth.models import Group, Permission

from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from cms.core.models import Area
from cms.groups.models import GroupPage
from matching.models import PersonalDataAccess, Suggestion
from tests.matching.factories import ResidentProfileFactory, SuggestionFactory

pytestmark = pytest.mark.django_db

NAME = "監査 Qzresident"
EMAIL = "qzmail-7351@example.jp"
PHONE = "0422-99-7351"
MESSAGE = "Qzmessage 読み聞かせに参加したいです"
SECRETS = (NAME, "Qzresident", EMAIL, PHONE, "Qzmessage")

MAX_URLS_PER_ROLE = 250
JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
LINK = re.compile(r'(?:href|data-url|hx-get|data-[a-z-]*-url|data-[a-z-]*-url-value)="([^"]+)"')
# GET-only, and nothing that ends the session or writes on GET. The page
# tree, images and documents hold no residents' data: their listings are
# crawled, not every page's editor, preview or usage.
SKIP = re.compile(
    r"/logout/|/static/|/media/|/editing-sessions/|/unlock/|/lock/|/set_position/|"
    r"/pages/(?:\d+/(?:edit|revisions|history|usage|workflow|copy|move|delete|unpublish)|"
    r"add/|create/|usage/)|/preview/|"
    r"/(?:images|documents)/\d+/"
)
# Of the same page with other ordering or pagination, one is enough.
SHAPE_PARAMETERS = ("q", "export", "id")


@pytest.fixture
def resident():
    profile = ResidentProfileFactory(
        name=NAME, email=EMAIL, phone=PHONE, home_area=Area.objects.first()
    )
    suggestion = SuggestionFactory(
        profile=profile,
        group=GroupPage.objects.first(),  # from the demo content
        message=MESSAGE,
        source=Suggestion.Source.RESIDENT,
    )
    # What the admin writes when a coordinator changes a record.
    log(profile, "wagtail.edit")
    log(suggestion, "wagtail.edit")
    return profile, suggestion


def _user(django_user_model, username, group=None, **extra):
    user = django_user_model.objects.create_user(username, f"{username}@example.invalid", **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def users(django_user_model):
    return {
        "editor": _user(django_user_model, "crawl-editor", "Editors"),
        "moderator": _user(django_user_model, "crawl-moderator", "Moderators"),
        "coordinator": _user(django_user_model, "crawl-coordinator", "Coordinators"),
        "superuser": _user(django_user_model, "crawl-root", is_staff=True, is_superuser=True),
    }


def resident_data_urls(profile, suggestion):
    """Every page that shows the resident's data, linked from somewhere or not."""
    urls = ["/admin/bulk/matching/suggestion/suggestion-contacted/?id=all"]
    for model, pk in (("residentprofile", profile.pk), ("suggestion", suggestion.pk)):
        snippets = f"/admin/snippets/matching/{model}"
        chooser = f"/admin/snippets/choose/matching/{model}"
        urls += [
            f"{snippets}/",
            f"{snippets}/results/",
            f"{snippets}/?q=監査",
            f"{snippets}/?export=csv",
            f"{snippets}/?export=xlsx",
            f"{snippets}/inspect/{pk}/",
            f"{snippets}/edit/{pk}/",
            f"{snippets}/delete/{pk}/",
            f"{snippets}/history/{pk}/",
            f"{snippets}/usage/{pk}/",
            f"{chooser}/",
            f"{chooser}/results/",
            f"{chooser}/results/?q=監査",
            f"{chooser}/chosen/{pk}/",
            f"{chooser}/chosen-multiple/?id={pk}",
            f"/admin/bulk/matching/{model}/delete/?id=all",
            f"/admin/bulk/matching/{model}/delete/?id={pk}",
        ]
    return urls


def pointed_at_urls(profile, suggestion):
    """The usage views of what the records point at, which list what points at it."""
    return [
        f"/admin/pages/{suggestion.group_id}/usage/",
        f"/admin/snippets/core/area/usage/{profile.home_area_id}/",
    ]


# Open to every admin user; they must show no resident to those not allowed.
SHARED_URLS = [
    "/admin/reports/site-history/",
    "/admin/reports/site-history/results/",
    "/admin/reports/site-history/?export=csv",
    "/admin/reports/site-history/?export=xlsx",
    "/admin/pages/search/?q=監査",
    "/admin/snippets/",
]


def body_of(response):
    """The response as text; an XLSX export's sheets unzipped."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"".join(archive.read(name) for name in archive.namelist())
    text = content.decode("utf-8", errors="replace")
    # Choosers answer in JSON, where Japanese is \u-escaped.
    return JSON_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def links_in(url, text):
    for match in LINK.finditer(text):
        target = urljoin(url, match.group(1).replace("&amp;", "&"))
        parts = urlsplit(target)
        if parts.netloc not in ("", "testserver") or not parts.path.startswith("/admin/"):
            continue
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(target):
            yield target


def shape(url):
    """Pages alike but for ids and ordering count once: /admin/pages/12/ is /admin/pages/N/."""
    parts = urlsplit(url)
    keys = sorted(
        key.split("=")[0] for key in parts.query.split("&") if key.split("=")[0] in SHAPE_PARAMETERS
    )
    return re.sub(r"/\d+/", "/N/", parts.path), tuple(keys)


def crawl(client, known_urls):
    """GET every admin URL reachable from /admin/ and `known_urls`.

    Returns {url: (status, text, whether an access-log line was written)}."""
    seen, shapes, results = set(), set(), {}
    queue = [("/admin/", True), *((url, True) for url in known_urls)]
    while queue and len(results) < MAX_URLS_PER_ROLE:
        url, always = queue.pop(0)
        if url in seen or (not always and shape(url) in shapes):
            continue
        seen.add(url)
        shapes.add(shape(url))
        before = PersonalDataAccess.objects.count()
        response = client.get(url)
        text = body_of(response)
        logged = PersonalDataAccess.objects.count() > before
        results[url] = (response.status_code, text, logged)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            queue += [(link, False) for link in links_in(url, text)]
    return results


def revealing(results):
    """The URLs whose response showed the resident's data."""
    return {url for url, (_status, text, _logged) in results.items() if _reveals(text)}


def _reveals(text):
    return any(secret in text for secret in SECRETS)


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_editors_and_moderators_reach_no_residents_data(client, resident, users, role):
    profile, suggestion = resident
    client.force_login(users[role])
    resident_urls = resident_data_urls(profile, suggestion)

    results = crawl(client, resident_urls + pointed_at_urls(profile, suggestion) + SHARED_URLS)

    assert len(results) > 20  # the crawl went somewhere
    assert revealing(results) == set()
    for url in resident_urls:
        status = results[url][0]
        assert status == 403 or (status == 302), (url, status)
    dashboard = results["/admin/"][1]
    assert "/admin/snippets/matching/residentprofile/" not in dashboard
    assert "/admin/snippets/matching/suggestion/" not in dashboard
    assert not PersonalDataAccess.objects.filter(username=users[role].username).exists()


@pytest.mark.parametrize("role", ["coordinator", "superuser"])
def test_coordinators_see_residents_and_every_view_is_on_the_record(client, resident, users, role):
    profile, suggestion = resident
    client.force_login(users[role])

    known = resident_data_urls(profile, suggestion) + pointed_at_urls(profile, suggestion)
    results = crawl(client, known + SHARED_URLS)

    listing = results["/admin/snippets/matching/residentprofile/"]
    assert listing[0] == 200 and NAME in listing[1]
    assert results["/admin/snippets/matching/suggestion/"][0] == 200
    shown = revealing(results)
    assert f"/admin/snippets/choose/matching/residentprofile/chosen/{profile.pk}/" in shown
    assert f"/admin/bulk/matching/suggestion/delete/?id={suggestion.pk}" in shown
    unlogged = {url for url in shown if not results[url][2]}
    assert unlogged == set()
    lines = PersonalDataAccess.objects.filter(username=users[role].username)
    exports = [url for url in results if "export=" in url and "/matching/" in url]
    assert len(exports) >= 4 and all(results[url][2] for url in exports)
    for line in lines:
        assert not _reveals(line.detail)


def test_log_entries_name_residents_records_by_number_only(client, resident, users):
    profile, suggestion = resident
    labels = ModelLogEntry.objects.filter(object_id__in=[str(profile.pk), str(suggestion.pk)])
    assert labels.count() == 2
    for entry in labels:
        assert NAME not in entry.label and "#" in entry.label
    assert {entry.label.split(" #")[1] for entry in labels} == {str(profile.pk), str(suggestion.pk)}
    client.force_login(users["coordinator"])
    history = client.get("/admin/reports/site-history/").content.decode()
    assert all(entry.label in history for entry in labels)


def test_a_permission_on_suggestions_alone_opens_no_residents_data(client, resident, users):
    """Residents' data needs the permission on residents' profiles: an editor
    given suggestions by mistake still sees none of them."""
    _profile, suggestion = resident
    editor = users["editor"]
    editor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="matching",
            codename__in=["view_suggestion", "change_suggestion"],
        )
    )
    client.force_login(editor)
    for url in (
        "/admin/snippets/matching/suggestion/",
        f"/admin/snippets/matching/suggestion/edit/{suggestion.pk}/",
        "/admin/snippets/choose/matching/suggestion/results/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert not _reveals(body_of(response))


def test_wagtail_lists_only_those_allowed_as_users_of_residents_data(users):
    """Who Wagtail would notify or offer as able to act on suggestions."""
    from wagtail.permissions import policy_registry

    users["editor"].user_permissions.add(
        Permission.objects.get(content_type__app_label="matching", codename="view_suggestion")
    )
    policy = policy_registry.get_by_type(Suggestion)

    allowed = set(policy.users_with_any_permission(["view", "change"]))
    assert users["coordinator"] in allowed and users["superuser"] in allowed
    assert users["editor"] not in allowed and users["moderator"] not in allowed
    assert not policy.users_with_permission("add").exists()  # suggestions are never added by hand
