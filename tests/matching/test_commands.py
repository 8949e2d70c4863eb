import json

import pytest

from django.core.management import CommandError, call_command
from django.utils import translation

pytestmark = pytest.mark.django_db


def run(capsys, *args):
    call_command(*args)
    return json.loads(capsys.readouterr().out)


def test_rank_matches_prints_one_list_in_input_order(civic_data, samples, capsys):
    output = run(
        capsys, "rank_matches", "--profiles", str(samples / "profiles.json"), "--limit", "3"
    )
    profiles = json.loads((samples / "profiles.json").read_text())
    assert [item["id"] for item in output] == [p["id"] for p in profiles]
    first = output[0]["results"][0]
    assert set(first) == {"kind", "id", "slug", "title", "score", "reasons"}
    assert first["kind"] == "opportunity" and first["slug"] == "sample-hiroba-yomikikase"
    assert any("読み聞かせ" in reason for reason in first["reasons"])
    assert all(len(item["results"]) <= 3 for item in output)


def test_rank_matches_for_groups(civic_data, samples, capsys):
    output = run(
        capsys, "rank_matches", "--profiles", str(samples / "profiles.json"), "--kind", "groups"
    )
    assert output[2]["results"][0]["kind"] == "group"
    assert output[2]["results"][0]["slug"] == "sample-tabunka"


@pytest.mark.parametrize(
    "profile, message",
    [
        (
            {"id": "x", "skills": ["juggling"], "slots": [], "area": "midoricho", "max_km": 2},
            "profile 1 (id “x”), field “skills”: There is no skill “juggling”.",
        ),
        (
            {"id": "x", "skills": [], "slots": ["sat-night"], "area": "midoricho", "max_km": 2},
            "field “slots”: There is no time slot “sat-night”.",
        ),
        (
            {"id": "x", "skills": [], "slots": [], "area": "atlantis", "max_km": 2},
            "field “area”: There is no area “atlantis”.",
        ),
        (
            {"id": "x", "skills": [], "slots": [], "area": "midoricho", "max_km": "far"},
            "field “max_km”: Give the distance as a number of kilometres from 0 to 50.",
        ),
    ],
)
def test_rank_matches_rejects_unknown_values_clearly(civic_data, tmp_path, profile, message):
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps([profile]), encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("rank_matches", "--profiles", str(path))
    assert message in str(raised.value)


def test_rank_matches_lists_every_error_of_every_profile(civic_data, tmp_path, capsys):
    profiles = [
        {"id": "ok", "skills": ["cooking"]},
        {"id": "p2", "skills": ["juggling"], "max_km": 99},
        {"interests": "あ" * 201},
    ]
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(profiles), encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("rank_matches", "--profiles", str(path))
    assert str(raised.value).splitlines() == [
        "The profiles file has 3 errors. Nothing was ranked.",
        "  profile 2 (id “p2”), field “skills”: There is no skill “juggling”.",
        "  profile 2 (id “p2”), field “max_km”: "
        "Give the distance as a number of kilometres from 0 to 50.",
        "  profile 3, field “interests”: Write at most 200 characters (there are 201).",
    ]
    assert capsys.readouterr().out == "", "nothing is ranked while the file has errors"


def test_evaluate_matching_reports_ndcg_and_precision(civic_data, samples, capsys):
    report = run(
        capsys,
        "evaluate_matching",
        "--profiles",
        str(samples / "profiles.json"),
        "--judgments",
        str(samples / "judgments.json"),
        "--baselines",
        "--format",
        "json",
    )
    assert report["profiles"] == 12
    assert set(report["rankings"]) == {"engine", "skills only", "text only"}
    engine = report["rankings"]["engine"]
    assert 0 <= engine["precision@5"] <= 1
    assert engine["ndcg@10"] >= report["rankings"]["skills only"]["ndcg@10"]


def test_evaluate_matching_rejects_judgments_for_unknown_profiles(civic_data, samples, tmp_path):
    judgments = tmp_path / "j.json"
    judgments.write_text(json.dumps({"nobody": {"sample-green-kadan": 3}}), "utf-8")
    with pytest.raises(CommandError, match='profile "nobody"'):
        call_command(
            "evaluate_matching",
            "--profiles",
            str(samples / "profiles.json"),
            "--judgments",
            str(judgments),
        )


def test_evaluate_matching_asks_whose_slug_when_two_groups_use_it(
    civic_data, samples, tmp_path, capsys
):
    from cms.groups.models import GroupPage
    from tests.matching.factories import OpportunityPageFactory

    OpportunityPageFactory(
        parent=GroupPage.objects.get(slug="sample-tabunka"), slug="sample-green-kadan"
    )
    judgments = tmp_path / "j.json"
    judgments.write_text(json.dumps({"p07": {"sample-green-kadan": 3}}), "utf-8")
    args = ["--profiles", str(samples / "profiles.json"), "--judgments", str(judgments)]
    with pytest.raises(CommandError, match='write it as "group-slug/sample-green-kadan"'):
        call_command("evaluate_matching", *args)
    judgments.write_text(json.dumps({"p07": {"sample-green/sample-green-kadan": 3}}), "utf-8")
    report = run(capsys, "evaluate_matching", *args, "--format", "json")
    assert report["rankings"]["engine"]["ndcg@10"] > 0


def test_evaluate_matching_lists_every_profile_error(db, tmp_path):
    profiles = tmp_path / "profiles.json"
    profiles.write_text(json.dumps([{"id": "a", "slots": ["sat-night"]}, {"id": "b"}]), "utf-8")
    judgments = tmp_path / "j.json"
    judgments.write_text("{}", "utf-8")
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command(
            "evaluate_matching", "--profiles", str(profiles), "--judgments", str(judgments)
        )
    assert str(raised.value).splitlines() == [
        "The profiles file has 2 errors. Nothing was evaluated.",
        "  profile 1 (id “a”), field “slots”: There is no time slot “sat-night”.",
        "  profile 2 (id “b”): "
        "Choose at least one thing you can do, write an interest or tick a time.",
    ]
