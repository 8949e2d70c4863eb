"""Build the demo site from the seed documents (transcribed in data/*.toml).

Idempotent: everything is looked up by its slug first and only created when
missing, so a second run changes nothing and never overwrites an editor's
changes. `python manage.py load_demo_content` calls `load_demo_content()`.
"""

import datetime
import logging
import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from wagtail.coreutils import get_supported_content_language_variant
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale, Page, Site

from cms.accessibility.importer import LATEST_RESULTS, import_results_file
from cms.accessibility.models import AccessibilityPolicyPage, AccessibilityReportPage
from cms.activities.models import (
    ActivityIndexPage,
    ActivityPage,
    ActivityParticipation,
    ActivitySeries,
    ActivitySpeaker,
    ApplicationMode,
    ApplicationQuestion,
)
from cms.applications.models import Application, email_digest
from cms.core.models import Area, ContactPoint, FieldOfActivity, SiteSettings, StandardPage
from cms.facilities.models import FacilityIndexPage, FacilityPage, FacilityRoom
from cms.groups.models import GroupIndexPage, GroupPage
from cms.infrastructure.task_backend import each_task_once
from cms.newsletters.models import NewsletterIndexPage, NewsletterIssuePage
from cms.plan.models import (
    Action,
    BasicPlan,
    BasicPolicy,
    Measure,
    ParticipationRecord,
    PlanPage,
)
from home.models import HomeFeaturedActivity, HomePage
from matching.permissions import COORDINATORS_GROUP

from .pdf import placeholder_pdf

SAMPLE_SURNAMES = [
    ("見本", "みほん"),
    ("武蔵", "むさし"),
    ("吉祥", "きちじょう"),
    ("境", "さかい"),
    ("緑", "みどり"),
    ("中町", "なかちょう"),
    ("桜堤", "さくらづつみ"),
    ("関前", "せきまえ"),
]
SAMPLE_GIVEN_NAMES = [("花子", "はなこ"), ("太郎", "たろう"), ("由美", "ゆみ"), ("健", "けん")]


def sample_applicants(page, status, people, first=0):
    """Sample applications of `status` holding `people` seats in all: parties
    of one or two, each clearly a sample."""
    applications, number = [], first
    # Applied over the days before the demo was loaded, in order.
    since = min(page.starts_at, timezone.now()) - datetime.timedelta(days=12)
    while people > 0:
        size = min(people, 2 if number % 3 == 2 and page.max_party_size >= 2 else 1)
        surname, surname_kana = SAMPLE_SURNAMES[number % len(SAMPLE_SURNAMES)]
        given, given_kana = SAMPLE_GIVEN_NAMES[number % len(SAMPLE_GIVEN_NAMES)]
        applied = since + datetime.timedelta(hours=number)
        email = f"sample{number + 1:02d}@example.com"
        applications.append(
            Application(
                activity=page,
                status=status,
                channel=Application.Channel.OFFICE if number % 4 == 3 else Application.Channel.WEB,
                name=f"(サンプル){surname} {given}",
                name_kana=f"{surname_kana} {given_kana}",
                email=email,
                # bulk_create() does not call save(), which keeps the digest.
                email_digest=email_digest(email),
                phone=f"0422-00-{number + 1:04d}",
                party_size=size,
                consented_at=applied,
                created_at=applied,
                confirmed_at=applied,
                waitlisted_at=applied if status == Application.Status.WAITLISTED else None,
            )
        )
        people -= size
        number += 1
    return applications


logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_USERNAME = "admin"
DEMO_PASSWORD_ENV = "DEMO_ADMIN_PASSWORD"
DEFAULT_DEMO_PASSWORD = "musashino-demo"


def read_data(name):
    with open(DATA_DIR / f"{name}.toml", "rb") as handle:
        return tomllib.load(handle)


@dataclass
class LoadReport:
    """What a run created; empty on a second run."""

    created: list = field(default_factory=list)

    def add(self, kind, label):
        self.created.append((kind, str(label)))

    def summary(self):
        counts = {}
        for kind, _label in self.created:
            counts[kind] = counts.get(kind, 0) + 1
        return counts


class DemoLoader:
    def __init__(self, today=None):
        self.report = LoadReport()
        self.today = today or timezone.localdate()

    # -- helpers -----------------------------------------------------------
    def get_or_create_child(self, parent, model, slug, **fields):
        """The live child `slug` of `parent`, created and published if missing."""
        existing = parent.get_children().filter(slug=slug).first()
        if existing is not None:
            return existing.specific, False
        inlines = fields.pop("_inlines", {})
        m2m = fields.pop("_m2m", {})
        page = model(slug=slug, **fields)
        for name, items in inlines.items():
            setattr(page, name, items)
        for name, items in m2m.items():
            setattr(page, name, items)
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.report.add(model._meta.verbose_name, page.title)
        return page, True

    def snippet(self, model, lookup, defaults):
        """Get or create; an existing record only gains values for its blank fields."""
        obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
        if created:
            self.report.add(model._meta.verbose_name, obj)
            return obj
        blanks = {
            name: value
            for name, value in defaults.items()
            if getattr(obj, name, None) in ("", None) and value not in ("", None)
        }
        if blanks:
            for name, value in blanks.items():
                setattr(obj, name, value)
            obj.save(update_fields=list(blanks))
            self.report.add(f"{model._meta.verbose_name} (blank fields filled)", obj)
        return obj

    # -- steps -------------------------------------------------------------
    def load(self):
        taxonomy = read_data("taxonomy")
        contact = self.load_taxonomy(taxonomy)
        home = self.load_home(contact)
        site = read_data("site")
        activities_index, _ = self.get_or_create_child(
            home,
            ActivityIndexPage,
            site["activities"]["slug"],
            title=site["activities"]["title"],
            introduction=site["activities"]["introduction"],
            show_in_menus=True,
        )
        groups_index, _ = self.get_or_create_child(
            home,
            GroupIndexPage,
            site["groups"]["slug"],
            title=site["groups"]["title"],
            introduction=site["groups"]["introduction"],
            show_in_menus=True,
        )
        facilities = self.load_facilities(home, site["facilities"])
        groups = self.load_groups(groups_index)
        plan = self.load_plan(home)
        self.load_h24(activities_index, groups, groups_index)
        self.load_sample_activities(activities_index, facilities, plan)
        self.load_newsletters(home)
        self.load_about(home, site["about"])
        self.load_accessibility(home)
        self.load_featured(home, site["home"]["featured"])
        self.ensure_demo_admin()
        return self.report

    def load_taxonomy(self, data):
        contact = None
        for item in data["contact_points"]:
            values = {k: v for k, v in item.items() if k not in {"key", "section"}}
            contact = self.snippet(ContactPoint, {"section": item["section"]}, values)
        for order, item in enumerate(data["fields"]):
            self.snippet(
                FieldOfActivity, {"slug": item["slug"]}, {"name": item["name"], "sort_order": order}
            )
        for order, item in enumerate(data["areas"]):
            self.snippet(
                Area,
                {"slug": item["slug"]},
                {
                    "name": item["name"],
                    "kana": item["kana"],
                    "latitude": Decimal(str(item["lat"])),
                    "longitude": Decimal(str(item["lon"])),
                    "sort_order": order,
                },
            )
        return contact

    def load_home(self, contact):
        """The HomePage as the default site's root, replacing Wagtail's welcome page."""
        site_data = read_data("site")["home"]
        home = HomePage.objects.first()
        if home is None:
            root = self.ensure_root()
            welcome = root.get_children().filter(slug="home").exact_type(Page).first()
            if welcome is not None:
                welcome.slug = "welcome-replaced"
                welcome.save()
            home = HomePage(
                title=site_data["title"],
                slug="home",
                lead=site_data["lead"],
                introduction=site_data["introduction"],
            )
            root.add_child(instance=home)
            home.save_revision().publish()
            self.report.add("home page", home.title)
            if welcome is not None:
                Site.objects.filter(root_page=welcome).update(root_page=home)
                welcome.delete()
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            site = Site.objects.create(
                hostname="localhost", port=80, root_page=home, is_default_site=True
            )
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.save()
        if site.site_name != site_data["title"]:
            site.site_name = site_data["title"]
            site.save()
        site_settings = SiteSettings.for_site(site)
        if site_settings.default_contact_point_id is None and contact is not None:
            site_settings.default_contact_point = contact
            site_settings.save()
        return home

    @staticmethod
    def ensure_root():
        """The root page, root collection and default locale, made if a database lacks them.

        Wagtail's migrations create them; a database emptied since (a flush
        in tests) does not have them.
        """
        if Collection.get_first_root_node() is None:
            Collection.add_root(name="Root")
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.get_first_root_node()
        if root is None:
            root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
        return root

    def load_facilities(self, home, index_data):
        index, _ = self.get_or_create_child(
            home,
            FacilityIndexPage,
            index_data["slug"],
            title=index_data["title"],
            introduction=index_data["introduction"],
            show_in_menus=True,
        )
        areas = {area.slug: area for area in Area.objects.all()}
        pages = {}
        for item in read_data("facilities")["facilities"]:
            rooms = [
                FacilityRoom(
                    name=room["name"],
                    capacity=room.get("capacity"),
                    has_wifi=room.get("wifi", False),
                    has_projector=room.get("projector", False),
                    has_online_meeting_kit=room.get("online_kit", False),
                    other_equipment=room.get("other", ""),
                )
                for room in item.get("rooms", [])
            ]
            page, _ = self.get_or_create_child(
                index,
                FacilityPage,
                item["slug"],
                title=item["title"],
                kana=item["kana"],
                summary=item["summary"],
                postal_code=item["postal_code"],
                address=item["address"],
                area=areas.get(item["area"]),
                latitude=Decimal(str(item["lat"])),
                longitude=Decimal(str(item["lon"])),
                access=item["access"],
                opening_hours=item["opening_hours"],
                closed_days=item["closed_days"],
                accessibility_notes=item["accessibility"],
                booking_info=item["booking"],
                sample_content=True,
                _inlines={"rooms": rooms},
            )
            pages[item["slug"]] = page
        return pages

    def load_groups(self, index):
        data = read_data("groups")
        fields = list(FieldOfActivity.objects.filter(slug__in=data["fields"]))
        groups = {}
        for item in data["groups"]:
            page, _ = self.get_or_create_child(
                index,
                GroupPage,
                item["slug"],
                title=item["title"],
                summary=data["summary"],
                _m2m={"fields": fields},
            )
            groups[item["slug"]] = page
        return groups

    def load_plan(self, home):
        data = read_data("plan")
        plan = self.snippet(
            BasicPlan,
            {"name": data["plan"]["name"]},
            {key: value for key, value in data["plan"].items() if key != "name"},
        )
        actions = {}
        pending_restates = []
        for policy_data in data["policies"]:
            policy = self.snippet(
                BasicPolicy,
                {"plan": plan, "number": policy_data["number"]},
                {"title": policy_data["title"]},
            )
            for measure_data in policy_data["measures"]:
                measure = self.snippet(
                    Measure,
                    {"policy": policy, "number": measure_data["number"]},
                    {
                        "title": measure_data["title"],
                        "description": measure_data["description"],
                    },
                )
                for number, title in enumerate(measure_data["actions"], start=1):
                    action = self.snippet(
                        Action, {"measure": measure, "number": number}, {"title": title}
                    )
                    key = f"{policy.number}-{measure.number}-{number}"
                    actions[key] = action
                for number, restated in measure_data.get("restates", {}).items():
                    key = f"{policy.number}-{measure.number}-{number}"
                    pending_restates.append((key, restated))
        for key, restated in pending_restates:
            action = actions[key]
            if not action.restates.exists():
                action.restates.set([actions[other] for other in restated])
        self.get_or_create_child(
            home,
            PlanPage,
            data["page"]["slug"],
            title=data["page"]["title"],
            plan=plan,
            introduction=data["page"]["introduction"],
            show_in_menus=True,
        )
        return plan

    def activity_fields(self, item):
        start = item.get("start") or self.relative_start(item)
        if "T" in start:
            start_at = datetime.datetime.fromisoformat(start)
            start_date, start_time = start_at.date(), start_at.time()
        else:
            start_date, start_time = datetime.date.fromisoformat(start), None
        end_time = datetime.time.fromisoformat(item["end_time"]) if item.get("end_time") else None
        return {
            "title": item["title"],
            "kind": item["kind"],
            "series_number": item.get("series_number"),
            "start_date": start_date,
            "start_time": start_time,
            "end_time": end_time,
            "summary": item.get("summary", ""),
            "content": item.get("content", ""),
            "capacity": item.get("capacity"),
            "fee": item.get("fee", ""),
            "how_to_apply": item.get("how_to_apply", ""),
            "venue_text": item.get("venue_text", ""),
            "application_mode": item.get("application_mode", ApplicationMode.NONE),
            "max_party_size": item.get("max_party_size", 1),
        }

    def relative_start(self, item):
        """`days_from_load` keeps sample events upcoming whenever the demo is loaded."""
        day = self.today + datetime.timedelta(days=item["days_from_load"])
        return f"{day.isoformat()}T{item['time']}" if item.get("time") else day.isoformat()

    @staticmethod
    def speakers(item):
        return [
            ActivitySpeaker(role=s["role"], name=s["name"], affiliation=s["affiliation"])
            for s in item.get("speakers", [])
        ]

    def load_h24(self, activities_index, groups, groups_index):
        data = read_data("h24")
        organiser = data["organiser"]
        self.get_or_create_child(
            groups_index,
            GroupPage,
            organiser["group_slug"],
            title=organiser["group_title"],
            summary=organiser["group_summary"],
            organisation_type=GroupPage.OrganisationType.NPO,
            _m2m={"fields": list(FieldOfActivity.objects.filter(slug="collaboration"))},
        )
        index, _ = self.get_or_create_child(
            activities_index,
            ActivityIndexPage,
            data["page"]["slug"],
            title=data["page"]["title"],
            introduction=data["page"]["introduction"],
            show_series=True,
        )
        series = {
            item["slug"]: self.snippet(
                ActivitySeries,
                {"slug": item["slug"]},
                {
                    "name": item["name"],
                    "description": item["description"],
                    "schedule_note": item["schedule_note"],
                },
            )
            for item in data["series"]
        }
        fields = {f.slug: f for f in FieldOfActivity.objects.all()}
        for item in data["activities"]:
            values = self.activity_fields(item)
            participations = [
                ActivityParticipation(group=groups[slug]) for slug in item.get("groups", [])
            ]
            self.get_or_create_child(
                index,
                ActivityPage,
                item["slug"],
                series=series[item["series"]],
                organiser=organiser["text"],
                _inlines={"speakers": self.speakers(item), "participations": participations},
                _m2m={"fields": [fields[slug] for slug in item.get("fields", [])]},
                **values,
            )

    def load_sample_activities(self, index, facilities, plan):
        measures = {
            measure.code: measure
            for measure in Measure.objects.filter(policy__plan=plan).select_related("policy")
        }
        fields = {f.slug: f for f in FieldOfActivity.objects.all()}
        data = read_data("sample_activities")
        for item in data["participation_records"]:
            values = {k: v for k, v in item.items() if k != "measures"}
            record, created = ParticipationRecord.objects.get_or_create(
                description=item["description"], defaults=values
            )
            if created:
                record.measures.set([measures[code] for code in item["measures"]])
                self.report.add(ParticipationRecord._meta.verbose_name, record.description)
        for item in data["activities"]:
            questions = [ApplicationQuestion(**question) for question in item.get("questions", [])]
            page, created = self.get_or_create_child(
                index,
                ActivityPage,
                item["slug"],
                venue=facilities.get(item.get("venue")),
                organiser="武蔵野市 市民部 市民活動推進課",
                sample_content=True,
                _inlines={"speakers": self.speakers(item), "application_questions": questions},
                _m2m={
                    "fields": [fields[slug] for slug in item.get("fields", [])],
                    "plan_measures": [measures[code] for code in item.get("measures", [])],
                },
                **self.activity_fields(item),
            )
            if created:
                self.load_sample_applications(page, item)

    def load_sample_applications(self, page, item):
        """Sample applicants, so the office's screens and the plan's numbers
        show something: named ones (marked サンプル, addresses under
        example.com) for upcoming activities, and for past ones only the
        counts, as every application ends up after the retention period."""
        applications = []
        for status, people in item.get("sample_applications", {}).items():
            applications += sample_applicants(page, status, people, first=len(applications))
        now = timezone.now()
        for status, count in item.get("past_applications", {}).items():
            applications += [
                Application(
                    activity=page,
                    status=status,
                    name="",
                    created_at=page.starts_at - datetime.timedelta(days=10),
                    confirmed_at=page.starts_at - datetime.timedelta(days=10),
                    anonymised_at=now,
                )
                for _ in range(count)
            ]
        Application.objects.bulk_create(applications)
        if applications:
            self.report.add(
                Application._meta.verbose_name_plural, f"{page.title}: {len(applications)}"
            )

    def load_newsletters(self, home):
        data = read_data("newsletters")
        index, _ = self.get_or_create_child(
            home,
            NewsletterIndexPage,
            data["page"]["slug"],
            title=data["page"]["title"],
            introduction=data["page"]["introduction"],
            show_in_menus=True,
        )
        Document = get_document_model()
        for item in data["issues"]:
            if index.get_children().filter(slug=item["slug"]).exists():
                continue
            document = Document(title=f"{item['title']}(PDF・サンプル)")
            document.file.save(
                f"{item['slug']}.pdf",
                ContentFile(
                    placeholder_pdf(
                        [
                            f"Link! vol.{item['volume']} ({item['issue_date']})",
                            "Sample placeholder for the demonstration site.",
                        ]
                    )
                ),
                save=False,
            )
            document.save()
            contents = [
                (
                    "article",
                    {
                        "title": article["title"],
                        "summary": article.get("summary", ""),
                        "page": Page.objects.filter(slug=article.get("page", "")).first(),
                    },
                )
                for article in item["articles"]
            ]
            self.get_or_create_child(
                index,
                NewsletterIssuePage,
                item["slug"],
                title=item["title"],
                volume=item["volume"],
                issue_date=datetime.date.fromisoformat(item["issue_date"]),
                summary=item["summary"],
                document=document,
                contents=contents,
                sample_content=True,
            )

    def load_about(self, home, data):
        self.get_or_create_child(
            home,
            StandardPage,
            data["slug"],
            title=data["title"],
            introduction=data["introduction"],
            body=[("paragraph", data["body"])],
        )

    def load_accessibility(self, home):
        """The accessibility policy, its test-results page and the latest run, if measured.

        The run comes only from a real browser run (tests/browser writes it);
        without the file the results page says there are no results yet.
        """
        data = read_data("accessibility")
        policy_data, results_data = data["policy"], data["results"]
        policy, _ = self.get_or_create_child(
            home,
            AccessibilityPolicyPage,
            policy_data["slug"],
            title=policy_data["title"],
            introduction=policy_data["introduction"],
            target_level=policy_data["target_level"],
            target_date=datetime.date.fromisoformat(policy_data["target_date"]),
            body=policy_data["body"],
            sample_content=policy_data.get("sample_content", False),
        )
        self.get_or_create_child(
            policy,
            AccessibilityReportPage,
            results_data["slug"],
            title=results_data["title"],
            introduction=results_data["introduction"],
            scope=results_data["scope"],
            technologies=results_data["technologies"],
        )
        if LATEST_RESULTS.exists():
            outcome = import_results_file(LATEST_RESULTS)
            if outcome.created:
                self.report.add("accessibility test run", outcome.run)

    def load_featured(self, home, slugs):
        if home.featured_activities.exists():
            return
        for order, slug in enumerate(slugs):
            activity = ActivityPage.objects.filter(slug=slug).first()
            if activity is not None:
                HomeFeaturedActivity.objects.create(page=home, activity=activity, sort_order=order)
        if home.featured_activities.exists():
            home.save_revision().publish()

    def ensure_demo_admin(self):
        User = get_user_model()
        if User.objects.filter(username=DEMO_USERNAME).exists():
            return
        password = os.environ.get(DEMO_PASSWORD_ENV) or DEFAULT_DEMO_PASSWORD
        user = User.objects.create_superuser(DEMO_USERNAME, "admin@example.invalid", password)
        # The demo admin works as a coordinator too, so residents' contact
        # details show in the matching screens.
        coordinators = Group.objects.filter(name=COORDINATORS_GROUP).first()
        if coordinators is not None:
            user.groups.add(coordinators)
        self.report.add("user", DEMO_USERNAME)


def load_demo_content():
    """Create whatever of the demo site is missing; return a LoadReport."""
    # Pages are saved, published and re-saved as their links are filled in:
    # each is indexed once, at the end.
    with transaction.atomic(), each_task_once():
        return DemoLoader().load()
