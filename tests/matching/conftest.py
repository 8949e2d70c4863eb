import pytest

from tests.conftest import SAMPLES


@pytest.fixture
def samples():
    return SAMPLES
