"""Factories for the content model (wagtail-factories / factory_boy).

Pages need a parent: `ActivityPageFactory(parent=index)`.
"""

import datetime
from decimal import Decimal

import factory
import wagtail_factories

from cms.accessibility.models import AccessibilityPolicyPage, AccessibilityReportPage
from cms.activities.models import ActivityIndexPage, ActivityPage, ActivitySeries
from cms.core.models import Area, ContactPoint, FieldOfActivity, StandardPage
from cms.facilities.models import FacilityIndexPage, FacilityPage
from cms.groups.models import GroupIndexPage, GroupPage
from cms.newsletters.models import NewsletterIndexPage, NewsletterIssuePage
from cms.plan.models import BasicPlan, BasicPolicy, Measure, PlanPage
from home.models import HomePage


class ContactPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    department = "市民部"
    section = factory.Sequence(lambda n: f"市民活動推進課{n}")
    postal_code = "180-8777"
    address = "東京都武蔵野市緑町2-2-28"
    phone = "0422-60-1830"
    fax = "0422-51-2000"


class FieldOfActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FieldOfActivity
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"分野{n}")
    slug = factory.Sequence(lambda n: f"field-{n}")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"町{n}")
    slug = factory.Sequence(lambda n: f"area-{n}")
    latitude = Decimal("35.710000")
    longitude = Decimal("139.560000")


class BasicPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BasicPlan

    name = factory.Sequence(lambda n: f"計画{n}")
    start_fiscal_year = 2022
    end_fiscal_year = 2029


class BasicPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BasicPolicy

    plan = factory.SubFactory(BasicPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"基本施策{n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    policy = factory.SubFactory(BasicPolicyFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"施策{n}")


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "ホーム"


class StandardPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StandardPage

    title = factory.Sequence(lambda n: f"ページ{n}")
    introduction = "紹介文です。"


class ActivityIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ActivityIndexPage

    title = "講座・イベント"


class ActivitySeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivitySeries

    name = factory.Sequence(lambda n: f"講座シリーズ{n}")
    slug = factory.Sequence(lambda n: f"series-{n}")


class ActivityPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ActivityPage

    title = factory.Sequence(lambda n: f"講座{n}")
    kind = "lecture"
    start_date = datetime.date(2024, 1, 4)
    start_time = datetime.time(13, 30)
    end_time = datetime.time(16, 0)


class GroupIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = GroupIndexPage

    title = "市民活動団体"


class GroupPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = GroupPage

    title = factory.Sequence(lambda n: f"団体{n}")
    summary = "子育ての支援に取り組む団体です。"


class FacilityIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = FacilityIndexPage

    title = "施設"


class FacilityPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = FacilityPage

    title = factory.Sequence(lambda n: f"施設{n}")
    address = "東京都武蔵野市境南町2-3-18"


class NewsletterIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = NewsletterIndexPage

    title = "Link!"


class NewsletterIssuePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = NewsletterIssuePage

    title = factory.Sequence(lambda n: f"Link! 第{n}号")
    volume = factory.Sequence(lambda n: n + 1)
    issue_date = datetime.date(2012, 7, 1)


class PlanPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = PlanPage

    title = "基本計画"
    plan = factory.SubFactory(BasicPlanFactory)


class AccessibilityPolicyPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = AccessibilityPolicyPage

    title = "アクセシビリティ方針"
    slug = factory.Sequence(lambda n: f"accessibility-{n}")
    introduction = "<p>誰もが使えるサイトを目指します。</p>"
    target_level = "AA"


class AccessibilityReportPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = AccessibilityReportPage

    title = "試験結果"
    slug = factory.Sequence(lambda n: f"results-{n}")
