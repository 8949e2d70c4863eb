import pytest

from cms.core.models import Area
from matching.models import ResidentProfile, Skill, TimeSlot
from tests.conftest import SAMPLES


@pytest.fixture
def samples():
    return SAMPLES


@pytest.fixture
def resident(civic_data):
    """A consenting resident who reads aloud, free on Tuesday and Thursday mornings."""
    profile = ResidentProfile.objects.create(
        name="武蔵野 花子",
        email="hanako@example.jp",
        phone="0422-00-0000",
        interests="絵本の読み聞かせ",
        home_area=Area.objects.get(slug="kichijoji-kitamachi"),
        max_km=2,
        consent=True,
    )
    profile.skills.set(Skill.objects.filter(slug="reading-aloud"))
    profile.slots.set(TimeSlot.objects.filter(code__in=["tue-am", "thu-am"]))
    return profile
