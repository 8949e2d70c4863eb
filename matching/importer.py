"""`import_civic_data`: areas, skills, groups and opportunities from one JSON file.

Everything is validated before anything is written, and the writes happen in
one transaction: a bad file changes nothing, and the error names the record
and the field. Records are matched by slug, so importing the same file again
updates rather than duplicates.
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from cms.core.jsonfile import read_json
from cms.infrastructure.task_backend import each_task_once

from .engine.slots import validate_slots

SECTIONS = ("areas", "skills", "groups", "opportunities")
REQUIRED = {
    "areas": ("slug", "name", "lat", "lon"),
    "skills": ("slug", "name"),
    "groups": ("slug", "name", "description", "fields", "area"),
    "opportunities": ("slug", "group", "title", "description", "skills", "slots", "area"),
}

# The largest value every database stores in the page's PositiveIntegerField.
MAX_CAPACITY = 2_147_483_647


class ImportError_(ValueError):  # noqa: N801 - not the builtin ImportError
    """A problem in the file; the message names the record and the field."""


@dataclass
class ImportReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    def count(self, kind, created):
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1

    def summary(self):
        parts = [f"{kind}: {n} created" for kind, n in self.created.items()]
        parts += [f"{kind}: {n} updated" for kind, n in self.updated.items()]
        return ", ".join(parts) or "nothing to import"


def _where(section, index, record):
    slug = record.get("slug") if isinstance(record, dict) else None
    return f"{section}[{index}]" + (f' (slug "{slug}")' if slug else "")


def _fail(section, index, record, name, problem):
    raise ImportError_(f'{_where(section, index, record)}: field "{name}": {problem}')


def _is_storable(text):
    """No NUL (PostgreSQL refuses it) and no lone surrogate: JSON can escape
    half of a UTF-16 pair ("\\ud800"), which is no character and cannot be saved."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _text(section, index, record, name, max_length):
    value = record.get(name)
    if not isinstance(value, str) or not value.strip():
        _fail(section, index, record, name, "must be non-empty text")
    if len(value) > max_length:
        _fail(section, index, record, name, f"is longer than {max_length} characters")
    if not _is_storable(value):
        _fail(section, index, record, name, "holds a NUL or an invalid \\u escape")
    return value.strip()


def _slug(section, index, record, name="slug"):
    value = _text(section, index, record, name, 50)
    if slugify(value) != value:
        _fail(section, index, record, name, f"'{value}' is not a slug (a-z, 0-9, -)")
    return value


def _number(section, index, record, name, low, high):
    value = record.get(name)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        _fail(section, index, record, name, f"{value!r} is not a number")
    if not number.is_finite():  # NaN cannot even be compared with the limits
        _fail(section, index, record, name, f"{value!r} is not a number")
    if isinstance(value, bool) or not low <= number <= high:
        _fail(section, index, record, name, f"{value!r} is not between {low} and {high}")
    return number.quantize(Decimal("0.000001"))


def _list(section, index, record, name):
    value = record.get(name)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        _fail(section, index, record, name, "must be a list of text")
    return value


def parse(data):
    """Validate the whole file; return clean records per section, or raise ImportError_."""
    from cms.core.models import Area, FieldOfActivity

    from .models import Skill

    if not isinstance(data, dict):
        raise ImportError_(
            "the file must hold a JSON object with areas, skills, groups, opportunities"
        )
    clean = {}
    for section in SECTIONS:
        records = data.get(section, [])
        if not isinstance(records, list):
            raise ImportError_(f'"{section}" must be a list')
        clean[section] = []
        seen = set()
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                raise ImportError_(f"{section}[{index}]: must be an object")
            for name in REQUIRED[section]:
                if name not in record:
                    _fail(section, index, record, name, "is required")
            slug = _slug(section, index, record)
            if slug in seen:
                _fail(section, index, record, "slug", f"'{slug}' appears twice in {section}")
            seen.add(slug)
            clean[section].append((index, record, slug))

    area_slugs = {slug for _i, _r, slug in clean["areas"]} | set(
        Area.objects.values_list("slug", flat=True)
    )
    skill_slugs = {slug for _i, _r, slug in clean["skills"]} | set(
        Skill.objects.values_list("slug", flat=True)
    )
    file_groups = {slug for _i, _r, slug in clean["groups"]}
    group_slugs = file_groups | set(_existing_group_slugs())
    group_index = _group_index()
    field_slugs = set(FieldOfActivity.objects.values_list("slug", flat=True))

    result = {section: [] for section in SECTIONS}
    for index, record, slug in clean["areas"]:
        result["areas"].append(
            {
                "slug": slug,
                "name": _text("areas", index, record, "name", 50),
                "lat": _number("areas", index, record, "lat", -90, 90),
                "lon": _number("areas", index, record, "lon", -180, 180),
            }
        )
    for index, record, slug in clean["skills"]:
        aliases = record.get("aliases", [])
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list) or not all(
            isinstance(a, str) and _is_storable(a) for a in aliases
        ):
            _fail("skills", index, record, "aliases", "must be a list of text")
        result["skills"].append(
            {"slug": slug, "name": _text("skills", index, record, "name", 50), "aliases": aliases}
        )
    _check_unique_names("areas", clean["areas"], result["areas"], Area)
    _check_unique_names("skills", clean["skills"], result["skills"], Skill)
    for index, record, slug in clean["groups"]:
        fields = _list("groups", index, record, "fields")
        for value in fields:
            if value not in field_slugs:
                _fail("groups", index, record, "fields", f"unknown field of activity '{value}'")
        area = _text("groups", index, record, "area", 50)
        if area not in area_slugs:
            _fail("groups", index, record, "area", f"unknown area '{area}'")
        result["groups"].append(
            {
                "where": _where("groups", index, record),
                "slug": slug,
                "name": _text("groups", index, record, "name", 255),
                "description": _text("groups", index, record, "description", 10_000),
                "fields": fields,
                "area": area,
                "sample": bool(record.get("sample")),
            }
        )
    for index, record, slug in clean["opportunities"]:
        group = _text("opportunities", index, record, "group", 50)
        if group not in group_slugs:
            _fail("opportunities", index, record, "group", f"unknown group '{group}'")
        if group not in file_groups and _existing_group(group, group_index) is None:
            _fail(
                "opportunities",
                index,
                record,
                "group",
                f"'{group}' names several groups on the site; import the group too",
            )
        skills = _list("opportunities", index, record, "skills")
        for value in skills:
            if value not in skill_slugs:
                _fail("opportunities", index, record, "skills", f"unknown skill '{value}'")
        try:
            slots = validate_slots(_list("opportunities", index, record, "slots"))
        except ValueError as error:
            _fail("opportunities", index, record, "slots", str(error))
        area = _text("opportunities", index, record, "area", 50)
        if area not in area_slugs:
            _fail("opportunities", index, record, "area", f"unknown area '{area}'")
        starts = record.get("starts")
        if starts is not None:
            try:
                starts = datetime.date.fromisoformat(str(starts)[:10])
            except ValueError:
                _fail(
                    "opportunities",
                    index,
                    record,
                    "starts",
                    f"{starts!r} is not a date (YYYY-MM-DD)",
                )
        capacity = record.get("capacity")
        if capacity is not None and (
            isinstance(capacity, bool)
            or not isinstance(capacity, int)
            or not 1 <= capacity <= MAX_CAPACITY
        ):
            _fail(
                "opportunities",
                index,
                record,
                "capacity",
                f"{capacity!r} is not a whole number between 1 and {MAX_CAPACITY}",
            )
        result["opportunities"].append(
            {
                "where": _where("opportunities", index, record),
                "slug": slug,
                "group": group,
                "title": _text("opportunities", index, record, "title", 255),
                "description": _text("opportunities", index, record, "description", 10_000),
                "skills": skills,
                "slots": list(slots),
                "area": area,
                "starts": starts,
                "capacity": capacity,
                "sample": bool(record.get("sample")),
            }
        )
    return result


def _check_unique_names(section, records, items, model):
    """Area and skill names are unique on the site: a second record with the
    same name, or an existing one under another slug, would fail when saved."""
    owners = dict(model.objects.values_list("name", "slug"))
    seen = {}
    for (index, record, _slug), item in zip(records, items, strict=True):
        name = item["name"]
        if name in seen:
            _fail(section, index, record, "name", f"'{name}' is also the name of {seen[name]}")
        seen[name] = _where(section, index, record)
        owner = owners.get(name)
        if owner is not None and owner != item["slug"]:
            _fail(section, index, record, "name", f"'{name}' is already the name of '{owner}'")


def _group_index():
    """Where imported groups go: the site's first group index page."""
    from cms.groups.models import GroupIndexPage

    return GroupIndexPage.objects.first()


def _existing_group_slugs():
    from cms.groups.models import GroupPage

    return GroupPage.objects.values_list("slug", flat=True)


def _existing_group(slug, group_index):
    """The group a file's slug names: the one under the group index the import
    writes to, else the only one on the site with that slug (None if none).

    Slugs are unique only among siblings, so a group index elsewhere may
    hold a group of the same slug; parse() refuses a slug that is ambiguous.
    """
    from cms.groups.models import GroupPage

    pages = GroupPage.objects.filter(slug=slug)
    if group_index is not None:
        under_index = pages.child_of(group_index).first()
        if under_index is not None:
            return under_index
    found = list(pages[:2])
    return found[0] if len(found) == 1 else None


def _existing_opportunity(slug, group):
    """The opportunity a file's slug names: the group's own, else the only one
    on the site with that slug (it has moved to this group), else None.

    Another group may have an opportunity of the same slug (otetsudai, say):
    that one is never updated or moved by a record naming this group.
    """
    from cms.opportunities.models import OpportunityPage

    pages = OpportunityPage.objects.filter(slug=slug)
    own = pages.child_of(group).first()
    if own is not None:
        return own
    found = list(pages[:2])
    return found[0] if len(found) == 1 else None


def load_file(path):
    """The parsed JSON of `path`; ImportError_ if it cannot be read as JSON."""
    return read_json(path, ImportError_)


def import_civic_data(data):
    """Validate `data` (the parsed JSON) and upsert it in one transaction."""
    clean = parse(data)
    # Each page is saved, published and followed by related updates: index it once.
    with transaction.atomic(), each_task_once():
        return _write(clean)


@contextmanager
def _page_checks(item):
    """A page's own checks (clean()) can still refuse a record, e.g. a new start
    after the end date an editor set on the site: name the record and field."""
    try:
        yield
    except ValidationError as error:
        problems = "; ".join(
            f'field "{name}": {" ".join(messages)}'
            for name, messages in getattr(error, "message_dict", {"page": error.messages}).items()
        )
        raise ImportError_(
            f"{item['where']}: the page on the site refuses it: {problems}"
        ) from None


def _publish(page, report, kind, created):
    page.save_revision().publish()
    report.count(kind, created)


def _write(clean):
    from wagtail.models import Page

    from cms.core.models import Area, FieldOfActivity
    from cms.groups.models import GroupPage
    from cms.opportunities.models import OpportunityPage

    from .models import Skill, TimeSlot

    report = ImportReport()
    for item in clean["areas"]:
        _area, created = Area.objects.update_or_create(
            slug=item["slug"],
            defaults={"name": item["name"], "latitude": item["lat"], "longitude": item["lon"]},
        )
        report.count("areas", created)
    for item in clean["skills"]:
        _skill, created = Skill.objects.update_or_create(
            slug=item["slug"],
            defaults={"name": item["name"], "aliases": "\n".join(item["aliases"])},
        )
        report.count("skills", created)

    areas = {area.slug: area for area in Area.objects.all()}
    fields = {f.slug: f for f in FieldOfActivity.objects.all()}
    skills = {skill.slug: skill for skill in Skill.objects.all()}
    slots = TimeSlot.ensure_all()

    group_index = _group_index()
    if group_index is None and clean["groups"]:
        raise ImportError_("there is no group index page to put the groups under")
    groups = {}
    for item in clean["groups"]:
        page = _existing_group(item["slug"], group_index)
        created = page is None
        if created:
            page = GroupPage(slug=item["slug"], title=item["name"])
        page.title = item["name"]
        page.summary = _summary(item["description"])
        page.description = "".join(f"<p>{line}</p>" for line in _paragraphs(item["description"]))
        page.area = areas[item["area"]]
        page.sample_content = item["sample"]
        page.fields = [fields[slug] for slug in item["fields"]]
        with _page_checks(item):
            if created:
                group_index.add_child(instance=page)
            _publish(page, report, "groups", created)
        groups[item["slug"]] = page

    for item in clean["opportunities"]:
        group = groups.get(item["group"]) or _existing_group(item["group"], group_index)
        # The tree's bookkeeping from the database: an earlier move or add in this
        # import changed the group's numchild, and treebeard trusts the instance.
        group.refresh_from_db(fields=["path", "depth", "numchild"])
        page = _existing_opportunity(item["slug"], group)
        created = page is None
        if created:
            page = OpportunityPage(slug=item["slug"], title=item["title"])
        elif page.get_parent().pk != group.pk:
            # Moved first: moving reloads the page, which would undo the changes below.
            Page.objects.get(pk=page.pk).move(group, pos="last-child")
            page.refresh_from_db()
        page.title = item["title"]
        page.summary = _summary(item["description"])
        page.description = "".join(f"<p>{line}</p>" for line in _paragraphs(item["description"]))
        page.area = areas[item["area"]]
        page.starts = item["starts"]
        page.capacity = item["capacity"]
        page.sample_content = item["sample"]
        page.skills = [skills[slug] for slug in item["skills"]]
        page.slots = [slots[code] for code in item["slots"]]
        with _page_checks(item):
            if created:
                group.add_child(instance=page)
            _publish(page, report, "opportunities", created)
    return report


def _summary(text):
    """The first sentence as a summary, when there is more than one (else the page repeats it)."""
    sentences = [part for part in text.strip().split("。") if part.strip()]
    return (sentences[0].strip() + "。")[:300] if len(sentences) > 1 else ""


def _paragraphs(text):
    from django.utils.html import escape

    return [escape(line.strip()) for line in text.splitlines() if line.strip()]
