"""Coordinators' workflow: suggestions, status changes with an audit trail, e-mails, admin."""

import csv
import io
import re

import pytest

from django.contrib.auth.models import Group
from django.core import mail

from cms.core.models import Area
from cms.opportunities.models import OpportunityPage
from matching import services
from matching.models import ResidentProfile, Suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggestion(resident):
    (created,) = services.refresh_suggestions(resident)[:1]
    return created


def test_refresh_makes_suggestions_once(resident):
    first = services.refresh_suggestions(resident)
    assert first and first[0].opportunity.slug == "sample-hiroba-yomikikase"
    assert first[0].reasons
    assert services.refresh_suggestions(resident) == []


def test_no_suggestions_without_consent(resident):
    resident.consent = False
    resident.save()
    assert services.refresh_suggestions(resident) == []


def test_accepting_records_who_and_emails_resident(
    suggestion, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(suggestion, "contacted", user=admin_user, note="電話しました")
        services.change_status(suggestion, "accepted", user=admin_user)
    events = list(suggestion.events.values_list("from_status", "to_status", "user__username"))
    assert events == [("new", "contacted", "admin"), ("contacted", "accepted", "admin")]
    assert "電話しました" in Suggestion.objects.get(pk=suggestion.pk).notes
    assert [message.to for message in mail.outbox] == [["hanako@example.jp"]]
    assert "ひろばでの絵本の読み聞かせ" in mail.outbox[0].subject


def test_full_opportunities_sink(resident):
    page = OpportunityPage.objects.get(slug="sample-hiroba-yomikikase")
    page.capacity = 1
    page.save_revision().publish()
    other = ResidentProfile.objects.create(name="他の人", consent=True)
    Suggestion.objects.create(profile=other, opportunity=page, status="accepted")
    from matching import sources

    sources.invalidate_engine()
    results = services.rank(sources.profile_record(resident), limit=5)
    assert results[0].slug != "sample-hiroba-yomikikase"


def coordinator(django_user_model, *, in_group):
    user = django_user_model.objects.create_user("coord" if in_group else "editor", password="x")
    group = Group.objects.get(name="Coordinators")
    if in_group:
        user.groups.add(group)
    else:
        # Same permissions as a coordinator, but not in the group.
        editors = Group.objects.create(name="Suggestion viewers")
        editors.permissions.set(group.permissions.all())
        user.groups.add(editors)
    return user


def test_only_coordinators_see_contact_details(suggestion, client, django_user_model):
    client.force_login(coordinator(django_user_model, in_group=True))
    html = client.get("/admin/snippets/matching/residentprofile/").content.decode()
    assert "hanako@example.jp" in html
    client.force_login(coordinator(django_user_model, in_group=False))
    html = client.get("/admin/snippets/matching/residentprofile/").content.decode()
    assert "武蔵野 花子" in html and "hanako@example.jp" not in html


def listed(client, url, **params):
    """Text of the listing's table cells (the filter form lists every opportunity too)."""
    html = client.get(url, params).content.decode()
    return " | ".join(re.findall(r"<td[^>]*>\s*([^<]*?)\s*</td>", html))


def test_suggestion_listing_filters_and_export(suggestion, client, django_user_model):
    client.force_login(coordinator(django_user_model, in_group=True))
    url = "/admin/snippets/matching/suggestion/"
    title = "ひろばでの絵本の読み聞かせ"
    assert title in listed(client, url, status="new")
    assert title not in listed(client, url, status="accepted")
    assert title not in listed(client, url, min_score="99")
    assert title in listed(client, url, area=Area.objects.get(slug="kichijoji-kitamachi").pk)
    assert title not in listed(client, url, area=Area.objects.get(slug="sakurazutsumi").pk)
    export = client.get(url, {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert any(title in row for row in rows)


def test_coordinator_changes_status_in_the_edit_form(suggestion, client, django_user_model):
    user = coordinator(django_user_model, in_group=True)
    client.force_login(user)
    response = client.post(
        f"/admin/snippets/matching/suggestion/edit/{suggestion.pk}/",
        {"status": "declined", "note": "日程が合わない"},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == "declined"
    event = suggestion.events.get()
    assert (event.from_status, event.to_status, event.user, event.note) == (
        "new",
        "declined",
        user,
        "日程が合わない",
    )


def test_bulk_action_moves_many_suggestions(resident, client, django_user_model):
    created = services.refresh_suggestions(resident)
    client.force_login(coordinator(django_user_model, in_group=True))
    ids = "&".join(f"id={s.pk}" for s in created)
    url = f"/admin/bulk/matching/suggestion/suggestion-contacted/?next=/admin/&{ids}"
    response = client.post(url)
    assert response.status_code == 302
    assert set(Suggestion.objects.values_list("status", flat=True)) == {"contacted"}
    assert all(s.events.count() == 1 for s in Suggestion.objects.all())


def test_suggestions_cannot_be_made_from_an_empty_form(admin_client_ja):
    response = admin_client_ja.get("/admin/snippets/matching/suggestion/add/")
    assert response.status_code in (302, 403)


def test_periodic_task_tops_up_suggestions_for_registered_residents(resident):
    from matching.tasks import refresh_all_suggestions

    ResidentProfile.objects.create(name="同意なし", consent=False)
    created = refresh_all_suggestions.delay().get()
    assert created == 5
    assert set(Suggestion.objects.values_list("profile__name", flat=True)) == {"武蔵野 花子"}


def test_inspect_view_explains_and_shows_the_history(
    suggestion, client, django_user_model, admin_user
):
    services.change_status(suggestion, "contacted", user=admin_user, note="電話済み")
    client.force_login(coordinator(django_user_model, in_group=True))
    html = client.get(
        f"/admin/snippets/matching/suggestion/inspect/{suggestion.pk}/"
    ).content.decode()
    assert "スキル「読み聞かせ」が一致" in html
    assert "新規 → 連絡済み" in html and "電話済み" in html
