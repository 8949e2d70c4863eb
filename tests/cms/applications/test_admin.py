"""The office's side of applications in the Wagtail admin (参加申込):
applicants, attendance, the sheet, exports, phone applications, cancelling
and e-mails to every applicant; only for those allowed, and on the record."""

import csv
import datetime
import io

import openpyxl
import pytest

from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.activities.models import ActivityPage, ApplicationMode, ApplicationQuestion
from cms.applications import broadcast
from cms.applications.models import ApplicantMessage, Application
from cms.core.models import ContactPoint
from matching.models import PersonalDataAccess
from tests.factories import ActivityIndexPageFactory, ActivityPageFactory

Status = Application.Status
Action = PersonalDataAccess.Action
pytestmark = pytest.mark.django_db

HANAKO = {"name": "武蔵野 花子", "name_kana": "むさしの はなこ", "phone": "0422-11-2222"}
PERSONAL = ("武蔵野", "花子", "むさしの", "0422-11-2222", "hanako@example.com")


@pytest.fixture
def activity(home):
    index = ActivityIndexPageFactory(parent=home, slug="office-activities")
    page = ActivityPageFactory(
        parent=index,
        title="スマホ講座",
        start_date=timezone.localdate() + datetime.timedelta(days=10),
        start_time=datetime.time(14, 0),
        capacity=3,
        application_mode=ApplicationMode.ONLINE,
        max_party_size=2,
        venue_text="市民会館 第1会議室",
    )
    page.save_revision().publish()
    ApplicationQuestion.objects.create(page=page, label="託児を希望しますか", required=True)
    return ActivityPage.objects.get(pk=page.pk)


def applicant(activity, status=Status.BOOKED, **details):
    fields = {"name": "吉祥寺 太郎", "phone": "0422-00-0000", **details}
    return Application.objects.create(activity=activity, status=status, **fields)


def _user(django_user_model, username, *groups):
    user = django_user_model.objects.create_user(username, f"{username}@example.invalid")
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def office(client, django_user_model):
    """An editor of the office: the permission comes through the Editors group
    (migration 0002), not given by hand."""
    client.force_login(_user(django_user_model, "office-editor", "Editors"))
    return client


@pytest.fixture
def outsider(client, django_user_model):
    """In the admin, without applications.manage_applications."""
    group = Group.objects.create(name="Admin only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(_user(django_user_model, "outsider", "Admin only"))
    return client


def urls(activity, application):
    pk = activity.pk
    return [
        reverse("applications_index"),
        reverse("applications_applicants", args=[pk]),
        reverse("applications_sheet", args=[pk]),
        reverse("applications_export", args=[pk, "csv"]),
        reverse("applications_export", args=[pk, "xlsx"]),
        reverse("applications_add", args=[pk]),
        reverse("applications_cancel", args=[pk, application.pk]),
        reverse("applications_message", args=[pk]),
    ]


def text(response):
    return response.content.decode()


def log_lines():
    return PersonalDataAccess.objects.filter(record_type="application").order_by("pk")


def test_the_office_roles_hold_the_permission_and_others_do_not(django_user_model):
    for group in ("Editors", "Moderators", "Coordinators"):
        user = _user(django_user_model, f"user-{group}", group)
        assert user.has_perm("applications.manage_applications"), group
    plain = django_user_model.objects.create_user("nobody")
    assert not plain.has_perm("applications.manage_applications")


def test_without_the_permission_every_view_sends_the_user_away(outsider, activity):
    application = applicant(activity, **HANAKO)
    admin_home = reverse("wagtailadmin_home")

    for url in urls(activity, application):
        response = outsider.get(url)
        assert (response.status_code, response.url) == (302, admin_home), url
        assert "武蔵野" not in text(response)
    posts = [
        (reverse("applications_attendance", args=[activity.pk]), {"status": "attended"}),
        (reverse("applications_cancel", args=[activity.pk, application.pk]), {}),
        (reverse("applications_add", args=[activity.pk]), {"name": "x", "phone": "1"}),
        (reverse("applications_message", args=[activity.pk]), {"send": "1"}),
    ]
    for url, data in posts:
        data = {"application": [application.pk], **data}
        response = outsider.post(url, data)
        assert (response.status_code, response.url) == (302, admin_home), url
    application.refresh_from_db()
    assert application.status == Status.BOOKED
    assert activity.applications.count() == 1
    assert not ApplicantMessage.objects.exists()
    assert not log_lines().exists()
    assert reverse("applications_index") not in text(outsider.get(admin_home))


def test_the_menu_leads_to_the_activities_with_their_counts(office, activity):
    applicant(activity, party_size=2)
    applicant(activity, status=Status.WAITLISTED)
    applicant(activity, status=Status.CANCELLED)

    home = text(office.get(reverse("wagtailadmin_home")))
    assert reverse("applications_index") in home
    page = text(office.get(reverse("applications_index")))

    row = page[page.index(f'data-activity="{activity.pk}"') :].split("</tr>")[0]
    cells = [cell.split("</td>")[0].strip() for cell in row.split("<td>")[1:]]
    # 開催日時, 受付状況, 定員, 申込人数, キャンセル待ち, 出席
    assert cells[2:6] == ["3", "2", "1", "0"]
    assert "スマホ講座" in row


def test_applicants_are_listed_filtered_by_status_and_logged_by_id(office, activity):
    booked = applicant(activity, **HANAKO, party_size=2)
    waiting = applicant(activity, status=Status.WAITLISTED, name="三鷹 次郎")

    page = text(office.get(reverse("applications_applicants", args=[activity.pk])))
    assert "武蔵野 花子" in page and "三鷹 次郎" in page
    filtered = office.get(
        reverse("applications_applicants", args=[activity.pk]), {"status": "waitlisted"}
    )
    assert "三鷹 次郎" in text(filtered)
    assert "武蔵野 花子" not in text(filtered)

    first, second = log_lines()
    assert (first.action, first.record_ids) == (Action.LISTED, f"{booked.pk},{waiting.pk}")
    assert (second.action, second.record_ids) == (Action.LISTED, str(waiting.pk))
    assert second.username == "office-editor"
    assert "status=waitlisted" in second.detail


def started(activity):
    """The day of the activity: it began an hour ago."""
    start = timezone.localtime() - datetime.timedelta(hours=1)
    activity.start_date, activity.start_time = start.date(), start.time()
    activity.end_date = activity.end_time = None  # whatever the clock says now
    activity.save()
    return activity


def test_attendance_is_recorded_only_once_the_activity_has_started(office, activity):
    came = applicant(activity)
    url = reverse("applications_attendance", args=[activity.pk])

    response = office.post(url, {"application": [came.pk], "status": "attended"}, follow=True)

    came.refresh_from_db()
    assert came.status == Status.BOOKED
    assert [str(m).strip() for m in response.context["messages"]] == [
        _("Attendance can be recorded once the activity has started.")
    ]


def test_attendance_is_marked_in_bulk_on_seat_holders_only(office, activity):
    started(activity)
    came = applicant(activity)
    stayed_home = applicant(activity)
    waiting = applicant(activity, status=Status.WAITLISTED)
    url = reverse("applications_attendance", args=[activity.pk])

    response = office.post(
        url, {"application": [came.pk, waiting.pk], "status": "attended"}, follow=True
    )
    office.post(url, {"application": [stayed_home.pk], "status": "absent"})

    statuses = dict(activity.applications.values_list("pk", "status"))
    assert statuses == {
        came.pk: Status.ATTENDED,
        stayed_home.pk: Status.ABSENT,
        waiting.pk: Status.WAITLISTED,
    }
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 2  # one changed, one left as it was
    assert all("1" in message for message in shown)
    edited = log_lines().filter(action=Action.EDITED)
    assert [line.record_ids for line in edited] == [str(came.pk), str(stayed_home.pk)]


def test_attendance_needs_a_post(office, activity):
    came = applicant(activity)
    url = reverse("applications_attendance", args=[activity.pk])

    assert office.get(url, {"application": came.pk, "status": "attended"}).status_code == 405
    came.refresh_from_db()
    assert came.status == Status.BOOKED


def test_the_attendance_sheet_is_a_page_of_its_own_for_a4(office, activity):
    applicant(activity, **HANAKO)
    applicant(activity, status=Status.CANCELLED, name="取消 さん")
    applicant(activity, status=Status.WAITLISTED, name="待機 さん")

    response = office.get(reverse("applications_sheet", args=[activity.pk]))
    page = text(response)
    assert page.index("武蔵野 花子") < page.index('class="waiting"') < page.index("待機 さん")

    assert '<html lang="ja">' in page
    assert "size: A4" in page and "@media print" in page
    assert "武蔵野 花子" in page and "0422-11-2222" in page
    assert "取消 さん" not in page
    assert "スマホ講座" in page and "市民会館 第1会議室" in page
    assert 'class="box"' in page
    # No admin menu or scripts on it.
    assert "wagtail" not in page.lower()
    assert log_lines().get().action == Action.VIEWED


def test_csv_export_opens_in_japanese_excel_and_runs_no_formula(office, activity):
    applicant(
        activity,
        **{**HANAKO, "name": "=cmd|' /C calc'!A0"},
        email="hanako@example.com",
        answers=[{"question": "託児を希望しますか", "answer": "+はい"}],
        created_at=timezone.make_aware(datetime.datetime(2026, 4, 1, 9, 30)),
    )

    response = office.get(reverse("applications_export", args=[activity.pk, "csv"]))

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[2:5] == ["氏名", "ふりがな", "人数"]
    assert header[-1] == "託児を希望しますか"
    assert row[2] == "'=cmd|' /C calc'!A0"
    assert row[-1] == "'+はい"
    assert "2026-04-01 09:30" in row  # Japan time, as entered
    line = log_lines().get()
    assert line.action == Action.EXPORTED
    assert not any(secret in line.detail for secret in PERSONAL)


def test_xlsx_export_opens_with_openpyxl(office, activity):
    applicant(activity, **HANAKO, party_size=2)

    response = office.get(reverse("applications_export", args=[activity.pk, "xlsx"]))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[2] == "氏名"
    assert (row[2], row[3], row[4]) == ("武蔵野 花子", "むさしの はなこ", 2)
    assert log_lines().get().action == Action.EXPORTED


def test_xlsx_export_shows_formula_like_text_as_written_and_runs_nothing(office, activity):
    applicant(activity, **{**HANAKO, "name": '=HYPERLINK("http://evil.example")'})

    response = office.get(reverse("applications_export", args=[activity.pk, "xlsx"]))

    cell = openpyxl.load_workbook(io.BytesIO(response.content)).active["C2"]
    assert cell.value == '=HYPERLINK("http://evil.example")', "no quote shown in the cell"
    assert cell.data_type == "s", "a string cell: Excel never evaluates it"


def _phone_application(office, activity, **extra):
    question = activity.application_questions.get()
    data = {
        **HANAKO,
        "party_size": "1",
        f"question_{question.pk}": "いいえ",
        "note": "",
        **extra,
    }
    return office.post(reverse("applications_add", args=[activity.pk]), data, follow=True)


def test_a_phone_application_takes_a_seat_then_the_waiting_list(office, activity):
    applicant(activity, party_size=2)

    _phone_application(office, activity)
    _phone_application(office, activity, name="三鷹 次郎")

    seat, waiting = activity.applications.filter(channel=Application.Channel.OFFICE)
    assert (seat.status, waiting.status) == (Status.BOOKED, Status.WAITLISTED)
    assert seat.answers == [{"question": "託児を希望しますか", "answer": "いいえ"}]
    assert seat.phone == "0422-11-2222"
    lines = log_lines().filter(action=Action.EDITED)
    assert [line.record_ids for line in lines] == [str(seat.pk), str(waiting.pk)]


def test_a_refused_phone_application_is_a_form_error(office, activity):
    question = activity.application_questions.get()
    missing = _phone_application(office, activity, **{f"question_{question.pk}": ""})
    assert missing.status_code == 200 and missing.context["form"].errors

    activity.start_date = timezone.localdate() - datetime.timedelta(days=1)
    activity.save_revision().publish()
    ended = _phone_application(office, activity)

    assert ended.context["form"].non_field_errors()
    assert 'role="alert"' in text(ended)
    assert not activity.applications.exists()


def test_cancelling_for_a_resident_asks_first_then_promotes_the_waiting_list(
    office, activity, django_capture_on_commit_callbacks
):
    booked = applicant(activity, party_size=3)
    first = applicant(activity, status=Status.WAITLISTED, name="一番目")
    first.waitlisted_at = timezone.now()
    first.save()
    url = reverse("applications_cancel", args=[activity.pk, booked.pk])

    confirm = office.get(url)
    booked.refresh_from_db()
    assert booked.status == Status.BOOKED
    assert 'method="post"' in text(confirm)

    with django_capture_on_commit_callbacks():
        office.post(url)

    booked.refresh_from_db()
    first.refresh_from_db()
    assert (booked.status, first.status) == (Status.CANCELLED, Status.BOOKED)
    edited = log_lines().filter(action=Action.EDITED).get()
    assert edited.record_ids == f"{booked.pk},{first.pk}"


def test_a_message_reaches_each_applicant_alone(
    office, activity, django_capture_on_commit_callbacks
):
    activity.contact_point = ContactPoint.objects.create(
        section="市民活動推進課", email="katsudou@city.musashino.example"
    )
    activity.save()
    applicant(activity, email="one@example.com", name="一")
    applicant(activity, status=Status.WAITLISTED, email="two@example.com", name="二")
    applicant(activity, status=Status.CANCELLED, email="gone@example.com", name="取消")
    applicant(activity, name="電話のみ")  # no address: the office calls them
    url = reverse("applications_message", args=[activity.pk])
    data = {
        "subject": "会場変更のお知らせ",
        "body": "会場が変わりました。",
        "statuses": ["booked", "waitlisted"],
    }

    preview = office.post(url, data)
    assert preview.context["recipient_count"] == 2
    assert not ApplicantMessage.objects.exists() and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        office.post(url, {**data, "send": "1"})

    message = ApplicantMessage.objects.get()
    assert (message.recipients, message.statuses) == (2, ["booked", "waitlisted"])
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.com", "two@example.com"]
    for sent in mail.outbox:
        assert len(sent.recipients()) == 1
        assert sent.reply_to == ["katsudou@city.musashino.example"]
        others = {"one@example.com", "two@example.com", "gone@example.com"} - set(sent.to)
        assert not any(address in str(sent.message()) for address in others)
        assert sent.body.startswith("会場が変わりました。")
        assert "スマホ講座" in sent.body and "市民会館 第1会議室" in sent.body
    assert "会場変更のお知らせ" in text(office.get(url))  # listed as sent earlier


def test_send_message_sends_once_per_address_and_counts(activity):
    applicant(activity, email="same@example.com")
    applicant(activity, email="Same@example.com", name="同じ人")
    message = ApplicantMessage.objects.create(
        activity=activity, subject="お知らせ", body="本文", statuses=["booked"], recipients=2
    )

    assert broadcast.send_message(message.pk) == 1
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.recipients == 1
    assert broadcast.send_message(message.pk + 1000) == 0


def test_the_access_log_holds_ids_and_no_personal_data(office, activity):
    application = applicant(activity, **HANAKO, email="hanako@example.com")
    for url in urls(activity, application)[1:]:
        office.get(url, {"status": "booked"})

    lines = list(log_lines())
    assert {line.action for line in lines} == {Action.LISTED, Action.VIEWED, Action.EXPORTED}
    for line in lines:
        assert line.record_ids == str(application.pk)
        written = f"{line.record_ids} {line.detail} {line.username}"
        assert not any(secret in written for secret in PERSONAL), written


def test_applicants_stay_reachable_after_applications_are_switched_off(office, activity):
    application = applicant(activity, **HANAKO)
    activity.application_mode = ApplicationMode.NONE
    activity.save()

    assert f'data-activity="{activity.pk}"' in text(office.get(reverse("applications_index")))
    page = office.get(reverse("applications_applicants", args=[activity.pk]))
    assert f'data-application="{application.pk}"' in text(page)


def test_the_activity_page_links_to_its_applicants_in_the_explorer_and_editor(office, activity):
    applicants_url = reverse("applications_applicants", args=[activity.pk])

    editor = office.get(reverse("wagtailadmin_pages:edit", args=[activity.pk]))
    explorer = office.get(reverse("wagtailadmin_explore", args=[activity.get_parent().pk]))

    assert applicants_url in text(editor)
    assert applicants_url in text(explorer)


def test_exports_are_csv_or_xlsx_only(office, activity):
    response = office.get(reverse("applications_export", args=[activity.pk, "pdf"]))

    assert response.status_code == 404
    assert not log_lines().exists()
