from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "matching" / "samples"


@pytest.fixture
def civic_data(db):
    """The sample import file (groups, opportunities, skills) on top of the demo content."""
    from matching.importer import import_civic_data, load_file

    return import_civic_data(load_file(SAMPLES / "civic_data.json"))


@pytest.fixture
def samples():
    return SAMPLES
