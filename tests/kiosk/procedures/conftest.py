import shutil
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "sample"


@pytest.fixture
def sample_dir(tmp_path) -> Path:
    """A writable copy of the sample catalog (one procedure using every field type)."""
    target = tmp_path / "catalog"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture(scope="session")
def sample_catalog():
    from kiosk.procedures.loader import parse_catalog

    return parse_catalog(SAMPLE)


@pytest.fixture
def everything(sample_catalog):
    return sample_catalog.get("test.everything")
