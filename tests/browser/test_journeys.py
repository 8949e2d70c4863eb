"""The three journeys of issue 5, as people take them, in Chromium.

1. A resident fills in 「あなたに合う活動を探す」, reads why each opportunity
   is suggested, and says 「参加してみたい」 (and gets a confirmation e-mail).
2. An editor creates and publishes an event in the Wagtail admin; it appears
   on the calendar, in the iCalendar feed and in search.
3. A coordinator opens the resident's suggestion and accepts it; the e-mail
   to the resident goes out (through the real Celery worker in the services run).
"""

import datetime
import re
import time
import urllib.request
import uuid

from tests.browser.conftest import login, screenshot

RESIDENT_SKILL = "読み聞かせ"


def _find_for_me(page, site):
    """The resident's part up to the ranked results: keyboard for the grid."""
    page.goto(site("/"))
    page.get_by_role("link", name="あなたに合う活動を探す").first.click()
    page.get_by_label(RESIDENT_SKILL).check()
    page.get_by_label("関心のあること").fill("子育て")
    # The availability grid is plain checkboxes: Tab to one, Space ticks it.
    page.get_by_label("火曜午前").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # 水曜午前: the grid goes along the row
    page.keyboard.press("Tab")  # 木曜午前
    page.keyboard.press("Space")
    page.get_by_label("お住まいの地域").select_option(label="吉祥寺本町")
    page.get_by_role("button", name="この条件で探す").click()
    page.wait_for_selector(".match-result")


def _take_part(page, site, name, email):
    first = page.locator(".match-result").first
    title = first.locator("h3").inner_text()
    first.get_by_role("link", name="参加してみたい").click()
    page.get_by_label("お名前").fill(name)
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("団体へのメッセージ", exact=False).fill("土曜日も参加できます。")
    page.get_by_label("同意します", exact=False).check()
    page.get_by_role("button", name="送信").click()
    page.wait_for_selector("text=ありがとうございます")
    return title


def _path_of_link(mail, path):
    """The link in `mail` to `path`, on the served site (the e-mail's host is
    the configured site's)."""
    return re.search(rf"https?://[^/\s]+({path}\S+/)", mail["body"]).group(1)


def _confirm_request(page, site, email):
    """The request takes effect once the address's owner confirms it from the e-mail."""
    mail = site.wait_for_mail(lambda m: email in m["to"])
    assert mail is not None, "the resident gets a confirmation e-mail"
    page.goto(site(_path_of_link(mail, "/matching/interest/confirm/")))
    page.get_by_role("button", name="確認する").click()
    page.wait_for_selector("main [role=status]")
    return mail


def test_resident_finds_opportunities_and_asks_to_take_part(site, page, axe_check):
    _find_for_me(page, site)
    results = page.locator(".match-result")
    assert results.count() >= 3
    # The reasons say why, in the resident's terms.
    assert f"スキル「{RESIDENT_SKILL}」が一致" in page.locator("main").inner_text()
    reasons = " ".join(page.locator(".match-result .reasons").all_inner_texts())
    assert "午前に参加できます" in reasons, "availability is one of the reasons given"
    ticked = [box.get_attribute("value") for box in page.locator("input[name=slots]:checked").all()]
    assert ticked == ["tue-am", "thu-am"], "the keyboard ticked those two, and the form keeps them"
    assert not axe_check(page, "matching results (journey)")
    screenshot(page, "matching-results")

    email = f"resident-{uuid.uuid4().hex[:8]}@example.jp"
    title = _take_part(page, site, "武蔵野 花子", email)
    assert title in page.locator("main").inner_text()
    assert email not in page.content(), "contact details are never shown on the site"
    screenshot(page, "interest-sent")

    mail = _confirm_request(page, site, email)
    assert title in mail["subject"]


def test_resident_sees_downloads_and_deletes_their_data(site, page, axe_check):
    """個人情報: the link by e-mail shows everything held; the resident deletes it."""
    email = f"my-data-{uuid.uuid4().hex[:8]}@example.jp"
    _find_for_me(page, site)
    title = _take_part(page, site, "井の頭 三郎", email)
    _confirm_request(page, site, email)
    page.goto(site("/"))
    page.get_by_role("link", name="登録内容の確認・削除").click()
    assert not axe_check(page, "my-data request form")
    page.get_by_label("登録したメールアドレス").fill(email)
    page.get_by_role("button", name="リンクを送る").click()
    assert "メールをご確認ください" in page.locator("h1").inner_text()

    mail = site.wait_for_mail(lambda m: email in m["to"] and "ご登録内容" in m["subject"])
    assert mail is not None, "the resident gets the link by e-mail"
    link = site(_path_of_link(mail, "/matching/my-data/"))
    page.goto(link)
    page.locator("main form button[type=submit]").click()  # a button: mail scanners open links
    page.wait_for_url("**/matching/my-data/yours/")  # the link is exchanged for a session
    main = page.locator("main").inner_text()
    assert "井の頭 三郎" in main and email in main and title in main
    assert not axe_check(page, "my-data page")
    screenshot(page, "my-data")
    with page.expect_download() as download:
        page.get_by_role("link", name="ファイル(JSON形式)でダウンロードする").click()
    assert email in download.value.path().read_text(encoding="utf-8")

    page.get_by_role("link", name="登録を削除する").click()
    assert not axe_check(page, "my-data delete confirmation")
    page.get_by_role("button", name="すべて削除する").click()
    assert "削除しました" in page.locator("main").inner_text()
    page.goto(link)  # used up: it offers a new one
    assert page.get_by_role("link", name="リンクをもう一度申し込む").count() == 1


def test_resident_registers_for_suggestions_with_javascript_off(site, no_js_page):
    """On a phone without JavaScript: find, register, confirm from the e-mail."""
    page = no_js_page
    page.goto(site("/matching/"))
    page.get_by_label("保育").check()
    cell = page.get_by_label("土曜午前").get_attribute("id")
    page.locator(f"label[for={cell}]").tap()  # the whole grid cell is the target
    assert page.get_by_label("土曜午前").is_checked()
    page.get_by_role("button", name="この条件で探す").click()
    assert page.locator(".match-result").count() >= 1
    screenshot(page, "matching-results-no-js")

    email = f"register-{uuid.uuid4().hex[:8]}@example.jp"
    form = page.locator("#register form")
    form.get_by_label("お名前").fill("三鷹 次郎")
    form.get_by_label("メールアドレス").fill(email)
    form.get_by_label("同意します", exact=False).check()
    form.get_by_role("button", name="登録する").click()
    assert "メールをご確認ください" in page.locator("h1").inner_text()

    mail = site.wait_for_mail(lambda m: email in m["to"])
    assert mail is not None and "登録の確認" in mail["subject"]
    page.goto(site(_path_of_link(mail, "/matching/confirm/")))
    page.get_by_role("button", name="確認する").click()
    assert "登録が完了しました" in page.locator("main").inner_text()


def test_editor_publishes_an_event_that_reaches_calendar_feed_and_search(site, page):
    day = datetime.date.today() + datetime.timedelta(days=20)
    title = f"ブラウザ試験の防災ワークショップ {uuid.uuid4().hex[:6]}"
    login(page, site)
    page.goto(site("/admin/pages/"))
    page.get_by_role("link", name="武蔵野市 市民活動ポータルの子ページを閲覧").click()
    page.get_by_role("link", name="講座・イベントの子ページを閲覧").click()
    page.get_by_role("link", name="子ページを追加").first.click()
    page.get_by_role("link", name="講座・イベント", exact=True).first.click()
    page.fill("#id_title", title)
    page.select_option("#id_kind", "workshop")
    page.fill("#id_start_date", day.isoformat())
    page.fill("#id_start_time", "13:30")
    page.fill("#id_end_time", "15:00")
    page.fill("#id_summary", "家庭でできる備えを体験しながら学びます。")
    page.keyboard.press("Escape")  # close the time picker
    page.click("#id_title")
    page.get_by_role("button", name="他のアクション").click()
    page.get_by_role("button", name="公開", exact=True).click()
    success = page.locator(".messages")
    success.wait_for()
    assert "公開されました" in success.inner_text()
    screenshot(page, "admin-published")

    # The calendar of that month lists it under its day.
    page.goto(site(f"/activities/calendar/{day.year}/{day.month}/"))
    assert title in page.locator("main").inner_text()
    screenshot(page, "calendar")

    # The listing's iCalendar feed carries it, linking back to its page.
    with urllib.request.urlopen(site("/activities/calendar.ics")) as response:
        ical = response.read().decode("utf-8")
    assert title.replace(" ", "") in ical.replace("\r\n ", "").replace(" ", "")
    assert f"DTSTART;TZID=Asia/Tokyo:{day:%Y%m%d}T133000" in ical

    # And search finds it: the index is updated on publish, by the worker in
    # the services run, so a resident may have to search again a moment later.
    deadline = time.monotonic() + 30
    page.goto(site("/search/?query=防災ワークショップ"))
    while not page.locator(".search-results").count() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    assert title in page.locator(".search-results").inner_text()


def test_coordinator_accepts_a_suggestion_and_the_resident_is_told(site, page):
    email = f"accept-{uuid.uuid4().hex[:8]}@example.jp"
    _find_for_me(page, site)
    title = _take_part(page, site, "吉祥寺 太郎", email)
    _confirm_request(page, site, email)

    page.context.clear_cookies()
    login(page, site)
    page.goto(site("/admin/"))
    page.get_by_role("button", name="マッチング").click()
    page.get_by_role("link", name="マッチング候補").click()
    page.get_by_role("link", name="吉祥寺 太郎").first.click()
    assert title in page.locator("main").inner_text() or title in page.title()
    page.select_option("#id_status", "accepted")
    page.fill("#id_note", "団体代表に電話で紹介済み")
    page.get_by_role("button", name="保存").first.click()
    page.wait_for_url(lambda url: "/edit/" not in url)
    screenshot(page, "coordinator-accepted")

    mail = site.wait_for_mail(lambda m: email in m["to"] and "ご参加について" in m["subject"])
    assert mail is not None, "the resident is told that the match was accepted"
