"""The weekly digest through a real Celery worker process, on PostgreSQL and
Redis, writing its e-mails to files (the worker's own mail backend).

Runs in `make test-services`; skipped with the reason otherwise.
"""

import datetime
import email
import email.policy
import time

import pytest

from django.utils import timezone

from wagtail.models import Page

from cms.groups.models import GroupPage
from matching import digest
from matching.models import ResidentProfile, TimeSlot
from tests.matching.factories import OpportunityPageFactory, SkillFactory
from tests.matching.test_digest import activity, published, reader
from tests.services.test_celery_worker import _worker

pytestmark = pytest.mark.services


@pytest.fixture
def worker(require_services, transactional_db, tmp_path):
    from cms.demo.loader import load_demo_content

    # transactional_db empties the tables: the page tree and slots anew.
    load_demo_content()
    TimeSlot.ensure_all()
    yield from _worker(tmp_path)


def _mails(directory):
    if not directory.exists():
        return []
    messages = []
    for path in sorted(directory.iterdir()):
        for raw in path.read_bytes().split(b"-" * 79):
            if raw.strip():
                messages.append(email.message_from_bytes(raw.strip(), policy=email.policy.default))
    return messages


def _wait_for_mails(directory, count, seconds=60):
    deadline = time.monotonic() + seconds
    while len(_mails(directory)) < count and time.monotonic() < deadline:
        time.sleep(0.3)
    return _mails(directory)


def run_on_the_worker():
    """send_weekly_digests as beat sends it (by name, to the broker), waited for:
    results are ignored site-wide, so this one asks for its own."""
    return digest.send_weekly_digests.apply_async(ignore_result=False).get(timeout=60)


def test_the_worker_sends_the_weekly_digest_once(worker):
    Page.objects.update(first_published_at=timezone.now() - datetime.timedelta(days=30))
    skill = SkillFactory(slug="digest-picture-books", name="絵本の読み聞かせ")
    profile = reader(skill, email="digest-worker@example.jp")
    reader(skill, email="not-opted-in@example.jp", receives_digest=False)
    activity(title="はじめての絵本読み聞かせ講座", summary="絵本の選び方と読み聞かせのこつ")
    published(
        OpportunityPageFactory(
            parent=GroupPage.objects.live().first(),
            title="おはなし会の読み手ボランティア",
            summary="児童館で絵本の読み聞かせ",
            skills=[skill],
            slots=["tue-am"],
        )
    )

    # The worker queues one task per resident, which the worker then runs.
    queued = run_on_the_worker()
    assert queued == 1, "only the resident who asked for it"

    (message,) = _wait_for_mails(worker.mail_dir, 1)
    assert message["To"] == "digest-worker@example.jp"
    # (A long header is folded on the wire: compare the unfolded value.)
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<http://testserver/matching/digest/unsubscribe/")
    assert str(message["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
    body = message.get_content()
    assert "はじめての絵本読み聞かせ講座" in body and "おはなし会の読み手ボランティア" in body
    assert "スキル「絵本の読み聞かせ」が一致" in body
    assert unsubscribe.strip("<>") in body

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        profile.refresh_from_db()
        if profile.digest_sent_at:
            break
        time.sleep(0.3)
    assert profile.digest_sent_at is not None
    assert not ResidentProfile.objects.get(email="not-opted-in@example.jp").digest_sent_at

    # A second run the same week: the worker finds nothing new and sends nothing.
    assert run_on_the_worker() == 1
    time.sleep(3)
    assert len(_mails(worker.mail_dir)) == 1
