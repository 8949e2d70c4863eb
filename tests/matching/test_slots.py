import pytest

from django.utils import translation

from matching.engine.slots import (
    DAYS,
    PERIODS,
    SLOT_CODES,
    slot_label,
    slot_mask,
    slots_of_mask,
    validate_slots,
)


def test_twenty_one_codes_day_then_period():
    assert len(SLOT_CODES) == len(DAYS) * len(PERIODS) == 21
    assert SLOT_CODES[:4] == ("mon-am", "mon-pm", "mon-eve", "tue-am")
    assert SLOT_CODES[-1] == "sun-eve"


def test_validate_sorts_in_week_order_and_drops_duplicates():
    assert validate_slots(["sun-am", "mon-eve", "sat-pm", "mon-eve", "mon-am"]) == (
        "mon-am",
        "mon-eve",
        "sat-pm",
        "sun-am",
    )
    assert validate_slots([]) == ()


@pytest.mark.parametrize("bad", ["sat-night", "Sat-am", "", "mon_am"])
def test_an_unknown_code_is_named_in_the_error(bad):
    with pytest.raises(ValueError, match=f"unknown time slot '{bad}'"):
        validate_slots(["mon-am", bad, "also-bad"])


def test_label_in_english_and_in_japanese():
    with translation.override("en"):
        assert slot_label("sat-am") == "Saturday morning"
        assert slot_label("mon-eve") == "Monday evening"
        assert slot_label("wed-pm") == "Wednesday afternoon"
    assert isinstance(slot_label("sat-am"), str)
    with pytest.raises(ValueError, match="sat-night"):
        slot_label("sat-night")


def test_mask_round_trip():
    codes = ("tue-pm", "sat-am", "sun-eve")
    assert slots_of_mask(slot_mask(codes)) == codes
    assert slot_mask([]) == 0
