"""Batches of background work: each distinct task once, at the end of the block."""

import logging

import pytest
from django_tasks import task

from wagtail.models import Page

from cms.infrastructure.task_backend import each_task_once
from tests.factories import StandardPageFactory

pytestmark = pytest.mark.django_db

RUNS = []


@task()
def remember(value):
    RUNS.append(value)


@pytest.fixture(autouse=True)
def forget():
    RUNS.clear()


def test_a_task_asked_for_again_in_the_block_runs_once_at_its_end():
    with each_task_once():
        remember.enqueue("page 1")
        remember.enqueue("page 1")
        remember.enqueue("page 2")
        assert RUNS == []
    assert RUNS == ["page 1", "page 2"]


def test_nothing_runs_when_the_block_fails():
    with pytest.raises(RuntimeError), each_task_once():
        remember.enqueue("page 1")
        raise RuntimeError("the import was refused")
    assert RUNS == []


def test_a_page_saved_and_published_in_a_block_is_found(home):
    with each_task_once():
        page = StandardPageFactory(parent=home, title="ボッチャ体験会のお知らせ", slug="boccia")
        page.save_revision().publish()
    assert [p.slug for p in Page.objects.live().search("ボッチャ")] == ["boccia"]


def test_an_update_for_a_page_deleted_in_the_block_is_dropped_quietly(home, caplog):
    with caplog.at_level(logging.ERROR), each_task_once():
        page = StandardPageFactory(parent=home, title="消えるページ", slug="gone")
        page.delete()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
