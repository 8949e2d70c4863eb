"""Where editors may create each page type."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from cms.accessibility.models import AccessibilityPolicyPage, AccessibilityReportPage
from cms.activities.models import ActivityIndexPage, ActivityPage
from cms.core.models import StandardPage
from cms.facilities.models import FacilityIndexPage, FacilityPage
from cms.groups.models import GroupIndexPage, GroupPage
from cms.newsletters.models import NewsletterIndexPage, NewsletterIssuePage
from cms.opportunities.models import OpportunityPage
from cms.plan.models import PlanPage
from home.models import HomePage


class PageTreeTests(WagtailPageTestCase):
    def test_home_page_holds_the_sections(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(
            HomePage,
            {
                ActivityIndexPage,
                GroupIndexPage,
                NewsletterIndexPage,
                FacilityIndexPage,
                PlanPage,
                StandardPage,
                AccessibilityPolicyPage,
            },
        )

    def test_activities_live_under_activity_indexes_which_may_nest(self):
        self.assertAllowedParentPageTypes(ActivityPage, {ActivityIndexPage})
        self.assertAllowedSubpageTypes(ActivityIndexPage, {ActivityPage, ActivityIndexPage})
        self.assertAllowedSubpageTypes(ActivityPage, set())

    def test_groups_facilities_and_newsletters_live_under_their_index(self):
        self.assertAllowedParentPageTypes(GroupPage, {GroupIndexPage})
        self.assertAllowedParentPageTypes(FacilityPage, {FacilityIndexPage})
        self.assertAllowedParentPageTypes(NewsletterIssuePage, {NewsletterIndexPage})
        for leaf in (FacilityPage, NewsletterIssuePage, OpportunityPage):
            self.assertAllowedSubpageTypes(leaf, set())

    def test_opportunities_live_under_their_group(self):
        self.assertAllowedSubpageTypes(GroupPage, {OpportunityPage})
        self.assertAllowedParentPageTypes(OpportunityPage, {GroupPage})

    def test_standard_and_plan_pages_cannot_be_created_at_the_root(self):
        self.assertAllowedParentPageTypes(PlanPage, {HomePage})
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage, PlanPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})

    def test_accessibility_results_live_under_the_policy(self):
        self.assertAllowedParentPageTypes(AccessibilityPolicyPage, {HomePage})
        self.assertAllowedSubpageTypes(AccessibilityPolicyPage, {AccessibilityReportPage})
        self.assertAllowedParentPageTypes(AccessibilityReportPage, {AccessibilityPolicyPage})
        self.assertAllowedSubpageTypes(AccessibilityReportPage, set())

    def test_only_one_home_page(self):
        self.assertEqual(HomePage.max_count, 1)
