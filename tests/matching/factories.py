"""Factories for the matching workflow: skills, opportunities, residents, suggestions.

Opportunities need their group as parent: `OpportunityPageFactory(parent=group)`.
"""

import factory
import wagtail_factories

from cms.opportunities.models import OpportunityPage
from matching.models import ResidentProfile, Skill, Suggestion, TimeSlot


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"技能{n}")
    slug = factory.Sequence(lambda n: f"skill-{n}")


class OpportunityPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = OpportunityPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"ボランティア募集{n}")
    summary = "地域の活動を手伝ってくださる方を募集しています。"

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            # A page's many-to-many fields are saved with the page.
            self.skills.set(extracted)
            self.save()

    @factory.post_generation
    def slots(self, create, extracted, **kwargs):
        if create and extracted:
            self.slots.set(TimeSlot.objects.filter(code__in=extracted))
            self.save()


class ResidentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentProfile
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"住民{n}")
    email = factory.Sequence(lambda n: f"resident{n}@example.jp")
    consent = True

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suggestion

    profile = factory.SubFactory(ResidentProfileFactory)
