"""pytest fixtures for mock_lookoutvision: ``lookoutvision_mock`` and ``lookoutvision_client``,
configured per test with the ``lookoutvision`` marker, and ``lookoutvision_server`` (the server
on a free port, for clients in other processes) with the ``lookoutvision_server`` marker::

    @pytest.mark.lookoutvision(durations={"training": 60}, region_name="eu-west-1")
    def test_fast_training(lookoutvision_mock, lookoutvision_client): ...

    @pytest.mark.lookoutvision(instant_sleep=True, sleep_limit=timedelta(days=1))
    def test_polling_client(lookoutvision_mock): ...  # time.sleep(60) moves the simulated clock

    @pytest.mark.lookoutvision_server(speed=3600)
    def test_cli(lookoutvision_server): ...  # lookoutvision_server.endpoint_url

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
    from mock_lookoutvision.serving import ServerHandle

MARKER = "lookoutvision"
SERVER_MARKER = "lookoutvision_server"


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(durations=None, region_name='us-east-1', instant_sleep=False, "
        "sleep_limit=None): options of the lookoutvision_mock fixture for this test, as "
        "mock_lookoutvision(...) takes them; instant_sleep=True makes time.sleep and asyncio.sleep "
        "in the test's thread move the simulated clock instead of waiting, up to sleep_limit "
        "(a simulated week by default)",
    )
    config.addinivalue_line(
        "markers",
        f"{SERVER_MARKER}(speed=1.0, durations=None, region_name='us-east-1', host='127.0.0.1'): "
        "options of the lookoutvision_server fixture for this test, as "
        "mock_lookoutvision.server(...) takes them (the port is a free one unless given)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Once a test session uses moto, attach this service to it before any test's mocks start,
    so that ``mock_aws()`` answers lookoutvision without the test importing the package."""
    if "moto" in sys.modules and "mock_lookoutvision" not in sys.modules:
        import mock_lookoutvision  # noqa: F401  (importing attaches)


@pytest.fixture
def lookoutvision_mock(request: pytest.FixtureRequest) -> Iterator[LookoutVisionMock]:
    """An active mock's handle, emptied and its clock rewound for each test; the test's
    ``lookoutvision`` marker, if any, gives the mock's options."""
    from mock_lookoutvision import mock_lookoutvision

    with mock_lookoutvision(**_marker_options(request, MARKER)) as mock:
        yield mock


@pytest.fixture
def lookoutvision_server(request: pytest.FixtureRequest) -> Iterator[ServerHandle]:
    """A running server on a free loopback port (``.endpoint_url``), its state empty for each
    test; its handle has the mock handle's controls. The test's ``lookoutvision_server`` marker,
    if any, gives ``mock_lookoutvision.server(...)``'s options."""
    from mock_lookoutvision import server

    options = {"port": 0, **_marker_options(request, SERVER_MARKER)}
    with server(**options) as running:
        yield running


def _marker_options(request: pytest.FixtureRequest, name: str) -> dict[str, Any]:
    marker = request.node.get_closest_marker(name)
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{name} takes keyword arguments only")
    return dict(marker.kwargs)


@pytest.fixture
def lookoutvision_client(lookoutvision_mock: LookoutVisionMock) -> Any:
    """A boto3 ``lookoutvision`` client in the mock's region (us-east-1 unless the marker says
    otherwise), answered by the active mock."""
    import boto3

    return boto3.client("lookoutvision", region_name=lookoutvision_mock.region_name)
