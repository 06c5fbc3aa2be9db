"""pytest fixtures for mock_lookoutvision: ``lookoutvision_mock`` and ``lookoutvision_client``.

Every pytest run of anyone who has the package installed loads this module, so it stays light:
it points botocore at the shipped API model (so ``boto3.client("lookoutvision")`` resolves) and
imports moto (about half a second) only when a fixture is first used, or once the tests have
imported moto themselves.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mock_lookoutvision import LookoutVisionMock


def _add_model_to_data_path() -> None:
    # What mock_lookoutvision.api_model.register_data_path does, without importing the package,
    # whose import brings in moto.
    spec = importlib.util.find_spec("mock_lookoutvision")
    if spec is None or spec.origin is None:
        return
    entry = str(Path(spec.origin).resolve().parent / "data")
    paths = [p for p in os.environ.get("AWS_DATA_PATH", "").split(os.pathsep) if p]
    if entry not in paths:
        os.environ["AWS_DATA_PATH"] = os.pathsep.join([*paths, entry])


_add_model_to_data_path()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Once a test session uses moto, attach this service to it before any test's mocks start,
    so that ``mock_aws()`` answers lookoutvision without the test importing the package."""
    if "moto" in sys.modules and "mock_lookoutvision" not in sys.modules:
        import mock_lookoutvision  # noqa: F401  (importing attaches)


@pytest.fixture
def lookoutvision_mock() -> Iterator[LookoutVisionMock]:
    """An active mock, emptied and its clock rewound for each test."""
    from mock_lookoutvision import mock_lookoutvision

    with mock_lookoutvision() as mock:
        yield mock


@pytest.fixture
def lookoutvision_client(lookoutvision_mock: LookoutVisionMock) -> Any:
    """A boto3 ``lookoutvision`` client in us-east-1, answered by the active mock."""
    import boto3

    return boto3.client("lookoutvision", region_name="us-east-1")
