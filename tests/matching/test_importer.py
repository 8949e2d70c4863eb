import copy
import json

import pytest

from django.core.management import CommandError, call_command

from cms.groups.models import GroupPage
from cms.opportunities.models import OpportunityPage
from matching.importer import ImportError_, import_civic_data, load_file
from matching.models import Skill

pytestmark = pytest.mark.django_db


def counts():
    return (Skill.objects.count(), GroupPage.objects.count(), OpportunityPage.objects.count())


def test_sample_file_imports_groups_opportunities_and_skills(civic_data):
    assert civic_data.created == {"skills": 15, "groups": 8, "opportunities": 18}
    page = OpportunityPage.objects.get(slug="sample-hiroba-yomikikase")
    assert page.live and page.get_parent().slug == "sample-kosodate-hiroba"
    assert sorted(page.skills.values_list("slug", flat=True)) == ["childcare", "reading-aloud"]
    assert sorted(page.slots.values_list("code", flat=True)) == ["thu-am", "tue-am"]
    assert page.sample_content


def test_importing_again_updates_and_never_duplicates(civic_data, samples):
    before = counts()
    data = load_file(samples / "civic_data.json")
    data["opportunities"][0]["title"] = "絵本の読み聞かせ(毎週)"
    report = import_civic_data(data)
    assert counts() == before
    assert report.created == {}
    assert (
        OpportunityPage.objects.get(slug="sample-hiroba-yomikikase").title
        == "絵本の読み聞かせ(毎週)"
    )


@pytest.mark.parametrize(
    "break_it, message",
    [
        (
            lambda d: d["opportunities"][-1].update(slots=["sat-night"]),
            'opportunities[17] (slug "sample-hiroba-kaikei"): field "slots": '
            "unknown time slot 'sat-night'",
        ),
        (
            lambda d: d["opportunities"][3].update(skills=["juggling"]),
            "field \"skills\": unknown skill 'juggling'",
        ),
        (
            lambda d: d["groups"][2].pop("area"),
            'groups[2] (slug "sample-tabunka"): field "area": is required',
        ),
        (lambda d: d["areas"][0].update(lat="north"), 'areas[0] (slug "midoricho"): field "lat"'),
        (
            lambda d: d["opportunities"][0].update(group="no-such-group"),
            "unknown group 'no-such-group'",
        ),
        (
            lambda d: d["opportunities"][1].update(slug=d["opportunities"][0]["slug"]),
            "appears twice",
        ),
        (lambda d: d["opportunities"][2].update(capacity=-3), 'field "capacity"'),
        (
            lambda d: d["groups"][0].update(fields=["astrology"]),
            "unknown field of activity 'astrology'",
        ),
    ],
)
def test_a_bad_file_changes_nothing_and_names_the_record_and_field(samples, break_it, message):
    data = load_file(samples / "civic_data.json")
    broken = copy.deepcopy(data)
    break_it(broken)
    before = counts()
    with pytest.raises(ImportError_) as error:
        import_civic_data(broken)
    assert message in str(error.value)
    assert counts() == before


def test_command_reports_and_exits_non_zero_on_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"areas": [', encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_civic_data", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_civic_data", str(tmp_path / "missing.json"))
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"skills": [{"slug": "knitting", "name": "編み物"}]}), "utf-8")
    call_command("import_civic_data", str(good))
    assert "skills: 1 created" in capsys.readouterr().out
