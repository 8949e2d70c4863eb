"""Taking part (issue 14), as residents and the office do it, in Chromium.

A resident applies for the last seat and confirms by e-mail; a second one
joins the waiting list. The reminder comes; the first says 参加できなくなりました,
which frees the seat, and the second is given it and told by e-mail. On the
day, the office marks attendance, and the plan page counts the attendee.
In the services run the e-mails go through the real Celery worker.
"""

import re
import textwrap
import uuid

from tests.browser.conftest import login, screenshot

TITLE = f"申込の流れを確かめる講座 {uuid.uuid4().hex[:6]}"
MEASURE = "2-4"


def _link(mail, path):
    return re.search(rf"https?://[^/\s]+({path}[^\s]+)", mail["body"]).group(1)


def _create_activity(site):
    """One seat, starting tomorrow (inside the reminder window), for measure 2-4."""
    code = textwrap.dedent(
        f"""
        import datetime
        from django.utils import timezone
        from cms.activities.models import ActivityIndexPage, ActivityPage
        from cms.plan.models import Measure
        index = ActivityIndexPage.objects.get(slug="activities")
        start = timezone.localtime() + datetime.timedelta(days=1)
        page = ActivityPage(
            title={TITLE!r}, slug="journey-{uuid.uuid4().hex[:8]}", kind="lecture",
            start_date=start.date(), start_time=datetime.time(start.hour, 0),
            capacity=1, application_mode="online", keeps_waitlist=True,
        )
        index.add_child(instance=page)
        policy, number = {MEASURE!r}.split("-")
        page.plan_measures.set([Measure.objects.get(policy__number=policy, number=number)])
        page.save_revision().publish()
        print(page.url)
        """
    )
    return site.manage("shell", "-c", code).strip().splitlines()[-1]


def _move_to_an_hour_ago(site):
    """The day of the activity: it started an hour ago."""
    code = textwrap.dedent(
        f"""
        import datetime
        from django.utils import timezone
        from cms.activities.models import ActivityPage
        page = ActivityPage.objects.get(title={TITLE!r})
        start = timezone.localtime() - datetime.timedelta(hours=1)
        page.start_date, page.start_time = start.date(), start.time().replace(microsecond=0)
        page.save_revision().publish()
        """
    )
    site.manage("shell", "-c", code)


def _apply(page, site, path, name, email, button):
    page.goto(site(path))
    page.get_by_role("link", name=button, exact=True).click()
    page.get_by_label("氏名").fill(name)
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("同意します", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    assert page.url.endswith("/sent/"), page.locator("main").inner_text()
    mail = site.wait_for_mail(lambda m: email in m["to"] and "お申し込みの確認" in m["subject"])
    assert mail is not None, f"{name} gets the confirmation e-mail"
    assert name not in mail["body"], "nothing the sender typed goes into the unverified mail"
    page.goto(site(_link(mail, "/applications/confirm/")))
    page.get_by_role("button", name="申込を完了する").click()
    return page.locator("main [role=status]").inner_text()


def _year_row(page, site, plan_path):
    page.goto(site(plan_path))
    row = page.locator("#year-caption").locator("xpath=..").locator("tbody tr", has_text=MEASURE)
    return [cell.inner_text().split("\n")[0] for cell in row.first.locator("td").all()]


def test_apply_wait_remind_cancel_promote_and_count_attendance(site, page, axe_check):
    path = _create_activity(site)
    first = f"first-{uuid.uuid4().hex[:8]}@example.jp"
    second = f"second-{uuid.uuid4().hex[:8]}@example.jp"

    page.goto(site(path))
    assert "残り1席" in page.locator("main").inner_text()
    page.get_by_role("link", name="申し込む", exact=True).click()
    assert not axe_check(page, "application form")
    page.get_by_role("button", name="申し込む", exact=True).click()  # nothing filled in
    assert page.locator(".error-summary").is_visible()
    assert not axe_check(page, "application form with errors")
    screenshot(page, "application-form-errors")

    status = _apply(page, site, path, "武蔵野 一花", first, "申し込む")
    assert "お申し込みが完了しました" in status
    assert not axe_check(page, "application confirmed")
    booked = site.wait_for_mail(lambda m: first in m["to"] and "受け付けました" in m["subject"])
    assert booked is not None and "text/calendar" in booked["attachments"], "with the .ics"

    page.goto(site(path))
    assert "キャンセル待ち受付中" in page.locator("main").inner_text()
    status = _apply(page, site, path, "吉祥寺 二郎", second, "キャンセル待ちに申し込む")
    assert "キャンセル待ちで受け付けました" in status
    screenshot(page, "application-waitlisted")

    assert "reminders queued: 1" in site.manage("send_application_reminders")
    reminder = site.wait_for_mail(lambda m: first in m["to"] and "開催のご案内" in m["subject"])
    assert reminder is not None, "the applicant holding the seat is reminded"
    assert (
        site.wait_for_mail(lambda m: second in m["to"] and "開催のご案内" in m["subject"], 2)
        is None
    )
    page.goto(site(_link(reminder, "/applications/manage/").split("?")[0] + "?answer=not-coming"))
    assert not axe_check(page, "applicant's page")
    page.get_by_role("button", name="参加できなくなりました（取り消す）").click()
    assert "取り消しました" in page.locator("main [role=status]").inner_text()
    screenshot(page, "application-cancelled")

    promoted = site.wait_for_mail(lambda m: second in m["to"] and "ご用意しました" in m["subject"])
    assert promoted is not None, "the first on the waiting list is given the seat and told"
    page.goto(site(path))
    assert "キャンセル待ち受付中" in page.locator("main").inner_text()  # full again

    _move_to_an_hour_ago(site)
    page.context.clear_cookies()
    login(page, site)
    page.goto(site("/admin/applications/"))
    page.get_by_role("link", name=TITLE).first.click()
    row = page.locator("tr", has_text="吉祥寺 二郎")
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="出席にする").click()
    assert "出席" in page.locator("tr", has_text="吉祥寺 二郎").inner_text()
    screenshot(page, "applicants-attendance")

    page.context.clear_cookies()
    page.goto(site("/"))
    page.get_by_role("link", name="第二期武蔵野市市民活動促進基本計画").first.click()
    plan_path = page.url.removeprefix(site.url)
    held, scheduled, applicants, attendees = _year_row(page, site, plan_path)
    assert int(held) >= 1 and int(attendees) >= 1 and int(applicants) >= int(attendees)
    assert TITLE in page.locator("main").inner_text(), "the year's activities list it"
    screenshot(page, "plan-progress")
