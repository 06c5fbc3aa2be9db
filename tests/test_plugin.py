"""The pytest plugin: its fixtures, under xdist and in any order, and a light import."""

from __future__ import annotations

import textwrap

import pytest

from .conftest import run_python

USES_FIXTURES = textwrap.dedent(
    """
    from datetime import timedelta

    def test_client_starts_empty(lookoutvision_client):
        assert lookoutvision_client.meta.region_name == "us-east-1"
        assert lookoutvision_client.list_projects()["Projects"] == []
        lookoutvision_client.create_project(ProjectName="left-behind")


    def test_mock_handle_moves_the_clock(lookoutvision_mock, lookoutvision_client):
        assert lookoutvision_client.list_projects()["Projects"] == []
        lookoutvision_client.create_project(ProjectName="p")
        lookoutvision_client.create_dataset(ProjectName="p", DatasetType="train")
        lookoutvision_mock.advance(timedelta(minutes=1))
        described = lookoutvision_client.describe_dataset(ProjectName="p", DatasetType="train")
        assert described["DatasetDescription"]["Status"] == "CREATE_COMPLETE"


    def test_clock_starts_fresh(lookoutvision_mock):
        import datetime as dt
        from freezegun import freeze_time

        # No advance left over from another test: the clock is the (frozen) wall clock.
        with freeze_time("2024-01-01 00:00:00"):
            assert lookoutvision_mock.now() == dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
        lookoutvision_mock.advance(timedelta(days=30))
    """
)


@pytest.fixture
def fixture_tests(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_uses_fixtures=USES_FIXTURES)
    return pytester


def test_fixtures_work_in_file_order(fixture_tests: pytest.Pytester) -> None:
    result = fixture_tests.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_fixtures_work_in_reverse_order(fixture_tests: pytest.Pytester) -> None:
    names = [
        "test_clock_starts_fresh",
        "test_mock_handle_moves_the_clock",
        "test_client_starts_empty",
    ]
    ids = [f"test_uses_fixtures.py::{name}" for name in names]
    # The order is the point: pytest-randomly, where installed, would shuffle it (R10).
    result = fixture_tests.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:randomly", "-v", *ids
    )
    result.assert_outcomes(passed=3)
    result.stdout.re_match_lines(
        [r".*test_clock_starts_fresh PASSED", r".*test_client_starts_empty PASSED"]
    )


def test_fixtures_work_under_xdist(fixture_tests: pytest.Pytester) -> None:
    result = fixture_tests.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=3)


def test_loading_the_plugin_imports_neither_moto_nor_the_package() -> None:
    result = run_python(
        """
        import sys
        import conftest_plugin.plugin
        import boto3
        boto3.client("lookoutvision", region_name="us-east-1")
        assert "moto" not in sys.modules, "moto was imported"
        assert "mock_lookoutvision" not in sys.modules, "the package was imported"
        print("light")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "light"


def test_plugin_is_registered_as_pytest11_entry_point() -> None:
    from importlib.metadata import entry_points

    plugins = {e.name: e.value for e in entry_points(group="pytest11")}
    assert plugins.get("lookoutvision") == "conftest_plugin.plugin"


def test_mock_aws_answers_once_tests_use_moto_without_importing_the_package(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_moto_only="""
        import boto3
        from moto import mock_aws


        @mock_aws
        def test_lookoutvision_under_moto():
            client = boto3.client("lookoutvision", region_name="us-east-1")
            client.create_project(ProjectName="p")
            assert [p["ProjectName"] for p in client.list_projects()["Projects"]] == ["p"]
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
