"""The civic-data importer with broken files: a clear error, and nothing half-written."""

import copy
import datetime
import json
import re

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from django.core.management import CommandError, call_command

from wagtail.models import Page, Revision

from cms.core.models import Area, FieldOfActivity
from cms.groups.models import GroupPage
from cms.opportunities.models import OpportunityPage
from matching.importer import SECTIONS, ImportError_, import_civic_data, load_file
from matching.models import Skill
from tests.conftest import SAMPLES

from .strategies import any_string, fuzz_settings, json_values, raw_bytes_like_json

pytestmark = pytest.mark.django_db

# The error names the record and its field ('groups[2] (slug "…"): field "area": …'),
# or the section, or says the file as a whole is not civic data.
NAMES_WHERE = re.compile(
    r'^(areas|skills|groups|opportunities)\[\d+\].*: (field "\w+": |must be an object$)'
    r'|^"(areas|skills|groups|opportunities)" must be a list$'
    r"|^the file must hold a JSON object",
    re.DOTALL,
)


def small_sample():
    """The sample file cut to two groups and four opportunities: a successful
    import stays cheap, and every kind of record and field is still there."""
    data = json.loads((SAMPLES / "civic_data.json").read_text(encoding="utf-8"))
    groups = data["groups"][:2]
    slugs = {group["slug"] for group in groups}
    opportunities = [item for item in data["opportunities"] if item["group"] in slugs]
    opportunities = opportunities[:2] + opportunities[3:5]
    opportunities[0]["starts"] = "2026-04-01"
    return {**data, "groups": groups, "opportunities": opportunities}


SMALL_SAMPLE = small_sample()


def snapshot():
    """What an import may change: counts, and the values of existing records."""
    return {
        "counts": [
            model.objects.count()
            for model in (Skill, OpportunityPage, GroupPage, Area, Revision, Page)
        ],
        "areas": list(
            Area.objects.order_by("pk").values_list("slug", "name", "latitude", "longitude")
        ),
        "skills": list(Skill.objects.order_by("pk").values_list("slug", "name", "aliases")),
        "pages": list(
            Page.objects.order_by("pk").values_list(
                "pk", "path", "slug", "title", "live", "latest_revision_id"
            )
        ),
    }


@pytest.fixture
def existing(db):
    """The small sample imported once (files are mostly imported again, to
    update), and the slugs and names on the site, for mutations to use."""
    import_civic_data(SMALL_SAMPLE)
    slugs = {
        "areas": list(Area.objects.values_list("slug", flat=True)),
        "skills": list(Skill.objects.values_list("slug", flat=True)),
        "groups": list(GroupPage.objects.values_list("slug", flat=True)),
        "fields": list(FieldOfActivity.objects.values_list("slug", flat=True)),
    }
    return {
        **slugs,
        "slugs": sorted({slug for values in slugs.values() for slug in values}),
        "names": sorted(
            set(Area.objects.values_list("name", flat=True))
            | set(Skill.objects.values_list("name", flat=True))
        ),
    }


# Fields that name other records, and where their valid values come from.
REFERENCES = {
    "groups": {"area": "areas", "fields": "fields"},
    "opportunities": {"group": "groups", "area": "areas", "skills": "skills"},
}


def other_valid_reference(existing, section):
    """A field that names another record, set to another record that exists
    (an opportunity moved to another group, say)."""
    name = st.sampled_from(sorted(REFERENCES[section]))
    return name.flatmap(
        lambda name: st.tuples(
            st.just(name),
            st.lists(st.sampled_from(existing[REFERENCES[section][name]]), min_size=1, max_size=3)
            if name in ("fields", "skills")
            else st.sampled_from(existing[REFERENCES[section][name]]),
        )
    )


# Each section's fields, with the optional ones the sample leaves out.
FIELDS = {
    section: sorted({name for record in SMALL_SAMPLE[section] for name in record} | optional)
    for section, optional in {
        "areas": set(),
        "skills": {"aliases"},
        "groups": {"sample"},
        "opportunities": {"starts", "capacity", "sample"},
    }.items()
}


def records_of(document):
    if not isinstance(document, dict):
        return []
    return [
        record
        for section in SECTIONS
        if isinstance(document.get(section), list)
        for record in document[section]
        if isinstance(record, dict)
    ]


def nasty_values(existing, document):
    """Values a broken export or a hand-edited file could hold."""
    in_document = sorted(
        {
            record[name]
            for record in records_of(document)
            for name in ("slug", "name", "title")
            if isinstance(record.get(name), str)
        }
    )
    return st.one_of(
        json_values,
        any_string,
        st.sampled_from(existing["slugs"] + existing["names"] + in_document),
        st.integers(1, 200_000).map(lambda size: "長" * size),
        st.sampled_from(
            [
                -1,
                0,
                -90.000001,
                180.5,
                10**20,
                -(10**20),
                2**31,
                2**63,
                float("nan"),
                float("inf"),
                "nan",
                "NaN",
                "sNaN",
                "-Infinity",
                "1e999999",
                "",
                "   ",
                "\x00",
                "a\x00b",
                True,
                [],
                {},
            ]
        ),
        st.lists(st.one_of(st.sampled_from(existing["slugs"]), any_string), max_size=4),
    )


# Hypothesis favours the first choices of a list (and shrinks towards them).
SECTION_WEIGHTS = ["opportunities", "groups", "opportunities", "groups", "skills", "areas"]
# Mostly one field made wrong; now and then a whole section or file.
ACTIONS = ["set", "refer", "set", "drop", "refer", "set", "rename-copy", "duplicate"] * 3 + [
    "section",
    "document",
]


@st.composite
def broken_documents(draw, existing):
    """The small sample, edited as a newer export would be, with a few things
    done to it."""
    document = copy.deepcopy(SMALL_SAMPLE)
    edition = draw(st.integers(1, 99), label="edition")
    for group in document["groups"]:
        group["name"] += f" {edition}"
    for opportunity in document["opportunities"]:
        opportunity["title"] += f" {edition}"
        opportunity["capacity"] = edition
    for _ in range(draw(st.integers(1, 3), label="mutations")):
        # The pages carry the most fields and the costliest writes.
        section = draw(st.sampled_from(SECTION_WEIGHTS), label="section")
        records = document.get(section)
        action = draw(st.sampled_from(ACTIONS), label="action")
        if action == "document":
            return draw(json_values, label="document")
        if action == "section" or not isinstance(records, list) or not records:
            if draw(st.booleans()):
                document.pop(section, None)
            else:
                document[section] = draw(json_values, label=section)
            continue
        index = draw(st.integers(0, len(records) - 1), label="index")
        record = records[index]
        if not isinstance(record, dict):
            continue
        if action == "drop" and record:
            record.pop(draw(st.sampled_from(sorted(record)), label="dropped"))
        elif action == "set":
            name = draw(st.sampled_from(FIELDS[section]), label="field")
            record[name] = draw(nasty_values(existing, document), label="value")
        elif action == "refer" and section in REFERENCES:
            name, value = draw(other_valid_reference(existing, section), label="reference")
            record[name] = value
        elif action == "duplicate":
            records.append(copy.deepcopy(record))
        elif action == "rename-copy":
            # Another record under a new slug that keeps every other value (its name too).
            twin = copy.deepcopy(record)
            twin["slug"] = draw(
                st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True), label="slug"
            )
            records.append(twin)
    return document


@given(data=st.data())
@fuzz_settings(max_examples=70)
def test_a_broken_file_is_imported_whole_or_not_at_all(existing, data):
    """An office worker importing a hand-edited or truncated export either
    gets everything imported, or an error naming the record and the field
    to correct, and the site exactly as it was: never half an import."""
    document = data.draw(broken_documents(existing), label="document")
    before = snapshot()
    try:
        import_civic_data(document)
    except ImportError_ as error:
        event("refused", str(error).split(":")[0].split("[")[0])
        assert NAMES_WHERE.search(str(error)), str(error)
        assert snapshot() == before
    else:
        event("imported")
        assert_on_site(document)


def assert_on_site(document):
    """Everything an accepted file says is what the site now shows."""
    for item in document.get("areas", []):
        assert Area.objects.get(slug=item["slug"]).name == item["name"].strip()
    for item in document.get("skills", []):
        assert Skill.objects.get(slug=item["slug"]).name == item["name"].strip()
    for item in document.get("groups", []):
        page = GroupPage.objects.get(slug=item["slug"])
        assert page.live and page.title == item["name"].strip()
        assert page.area.slug == item["area"].strip()
    for item in document.get("opportunities", []):
        page = OpportunityPage.objects.get(slug=item["slug"])
        assert page.live and page.title == item["title"].strip()
        assert page.get_parent().slug == item["group"].strip()
        assert page.area.slug == item["area"].strip()
        assert page.capacity == item.get("capacity")
        assert sorted(page.skills.values_list("slug", flat=True)) == sorted(set(item["skills"]))


@given(content=raw_bytes_like_json())
@fuzz_settings(max_examples=30)
def test_any_file_gives_the_command_a_clean_error(tmp_path, content):
    """`manage.py import_civic_data` on a file that is not civic data (a
    spreadsheet, a truncated download, another system's JSON) prints
    "Nothing was imported" with the reason, not a Python traceback, and
    changes nothing."""
    path = tmp_path / "civic_data.json"
    path.write_bytes(content)
    before = snapshot()
    try:
        call_command("import_civic_data", str(path))
    except CommandError as error:
        assert str(error).startswith("Nothing was imported: ")
        assert snapshot() == before


@given(content=raw_bytes_like_json())
@fuzz_settings(max_examples=30)
def test_load_file_reads_json_or_says_why_not(tmp_path, content):
    """Reading a file never fails with anything but the importer's own error."""
    path = tmp_path / "civic_data.json"
    path.write_bytes(content)
    try:
        load_file(path)
    except ImportError_ as error:
        assert str(path) in str(error)


# Found by the tests above; kept so that every run tries them.
def set_field(section, index, name, value):
    def change(document):
        document[section][index][name] = value

    return change


@pytest.mark.parametrize(
    "change, message",
    [
        (set_field("areas", 0, "lat", float("nan")), 'areas[0] (slug "midoricho"): field "lat"'),
        (set_field("areas", 0, "lon", "NaN"), 'field "lon"'),
        (set_field("skills", 1, "name", "保育"), 'skills[1] (slug "reading-aloud"): field "name"'),
        (set_field("opportunities", 0, "capacity", 2**63), 'field "capacity"'),
        (
            set_field("groups", 1, "name", "見守り\ud800"),
            'groups[1] (slug "sample-mimamori-net"): field "name"',
        ),
        (set_field("opportunities", 2, "title", "a\x00b"), 'field "title"'),
        (set_field("skills", 0, "aliases", ["\udc00"]), 'field "aliases"'),
    ],
)
def test_files_that_once_crashed_the_importer_get_its_error(existing, change, message):
    """These files used to stop the import with a database error or a Python
    traceback; now the office is told which record and field to correct."""
    document = copy.deepcopy(SMALL_SAMPLE)
    change(document)
    before = snapshot()
    with pytest.raises(ImportError_, match=re.escape(message)):
        import_civic_data(document)
    assert snapshot() == before


def test_an_area_named_like_another_is_refused(existing):
    """Two areas (or skills) cannot share a name; the second is named in the error."""
    document = copy.deepcopy(SMALL_SAMPLE)
    document["areas"].append({**document["areas"][0], "slug": "midoricho-2"})
    with pytest.raises(
        ImportError_, match=re.escape('areas[1] (slug "midoricho-2"): field "name"')
    ):
        import_civic_data(document)


def test_moving_an_opportunity_to_another_group_keeps_its_new_details(existing):
    """An opportunity that changed group in the export shows the export's
    title and capacity after the import, under its new group."""
    document = copy.deepcopy(SMALL_SAMPLE)
    item = document["opportunities"][0]
    item.update(group=document["groups"][1]["slug"], title="新しい題名", capacity=9)
    import_civic_data(document)
    assert_on_site(document)


def test_a_start_after_the_end_set_on_the_site_is_refused(existing):
    """An editor set an end date on the site; an export starting after it is
    refused with the record named, and nothing changes."""
    slug = SMALL_SAMPLE["opportunities"][0]["slug"]
    page = OpportunityPage.objects.get(slug=slug)
    page.ends = datetime.date(2026, 5, 1)
    page.save_revision().publish()
    document = copy.deepcopy(SMALL_SAMPLE)
    document["opportunities"][0]["starts"] = "2026-06-01"
    before = snapshot()
    with pytest.raises(
        ImportError_, match=re.escape(f'opportunities[0] (slug "{slug}"): the page')
    ):
        import_civic_data(document)
    assert snapshot() == before


@pytest.mark.parametrize(
    "content, message",
    [
        (b'{"areas": [{"lat": ' + b"1" * 5000 + b"}]}", "not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
    ],
)
def test_unreadable_json_gets_the_importers_error(tmp_path, content, message):
    """A file Python's JSON reader gives up on gets the importer's error too."""
    path = tmp_path / "civic_data.json"
    path.write_bytes(content)
    with pytest.raises(ImportError_, match=message):
        load_file(path)
