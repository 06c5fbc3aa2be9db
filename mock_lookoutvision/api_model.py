"""The shipped Lookout for Vision API model (2020-11-20): where it lives and how it is loaded.

Current botocore (>= 1.41) no longer ships this service. The package carries the official model
(service, paginators, endpoint rule set, documentation removed) under ``data/`` and points
botocore's loader at it, so ``boto3.client("lookoutvision")`` works once the package is imported.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import boto3
import botocore.handlers
from botocore.model import ServiceModel

from .endpoints import PARTITION, REGIONS

SERVICE_NAME = "lookoutvision"
API_VERSION = "2020-11-20"
DATA_PATH = Path(__file__).resolve().parent / "data"
SERVICE_MODEL_FILE = DATA_PATH / SERVICE_NAME / API_VERSION / "service-2.json"
PAGINATORS_FILE = DATA_PATH / SERVICE_NAME / API_VERSION / "paginators-1.json"


def register_data_path() -> None:
    """Adds the shipped model to botocore's search path, after any path the user set, and the
    service's regions to what sessions list (``add_regions``).

    ``AWS_DATA_PATH`` is read when a botocore loader is created, and botocore's built-in handlers
    when a session is, so boto3's default session, if it already exists, gets both added too.
    """
    entry = str(DATA_PATH)
    paths = [p for p in os.environ.get("AWS_DATA_PATH", "").split(os.pathsep) if p]
    if entry not in paths:
        os.environ["AWS_DATA_PATH"] = os.pathsep.join([*paths, entry])
    if _REGIONS_HANDLER not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(_REGIONS_HANDLER)
    session = boto3.DEFAULT_SESSION
    if session is not None:
        session._session.register(*_REGIONS_HANDLER, unique_id=_REGIONS_HANDLER_ID)
        loader = session._session.get_component("data_loader")
        if entry not in loader.search_paths:
            # Before botocore's own data, as AWS_DATA_PATH entries are.
            loader.search_paths.insert(max(len(loader.search_paths) - 2, 0), entry)
            # The loader caches the services it has listed; a used session would not look again.
            getattr(loader, "_cache", {}).clear()


def add_regions(session: Any, **_: Any) -> None:
    """Puts the service's regions into the endpoint data (botocore's ``endpoints.json``) a
    session loaded, unless that data lists the service itself (botocore < 1.41 did).

    ``Session.get_available_regions`` reads that data, not the service model, right after it has
    loaded the model (the event this handler is registered for). The entry is added to the data
    in memory rather than shipped as a file: an ``endpoints.json`` on the data path would replace
    botocore's own for every service, in any botocore loading that path (the AWS CLI's too), and
    go stale with each botocore release.
    """
    find = getattr(session, "_get_internal_component", None)
    data = getattr(find("endpoint_resolver"), "_endpoint_data", None) if find else None
    for partition in data.get("partitions", ()) if isinstance(data, dict) else ():
        if partition.get("partition") == PARTITION:
            # Named in order, as botocore's file lists each service's endpoints.
            entry: dict[str, Any] = {"endpoints": {region: {} for region in sorted(REGIONS)}}
            partition.setdefault("services", {}).setdefault(SERVICE_NAME, entry)


_REGIONS_HANDLER = (f"service-data-loaded.{SERVICE_NAME}", add_regions)
_REGIONS_HANDLER_ID = f"mock_lookoutvision.{add_regions.__name__}"


def _load_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@functools.cache
def service_model() -> ServiceModel:
    """The parsed service model, shared by routing, validation and serialization."""
    return ServiceModel(_load_json(SERVICE_MODEL_FILE), service_name=SERVICE_NAME)


@functools.cache
def paginators() -> dict[str, dict[str, str]]:
    """Operation name to its paginator (input/output token, limit key, result key)."""
    config: dict[str, dict[str, str]] = _load_json(PAGINATORS_FILE)["pagination"]
    return config
