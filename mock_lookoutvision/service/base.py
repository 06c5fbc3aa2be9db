"""What every resource part of the backend shares: where it is (account, region), what it is
given (storage, the test's controls), and the projects, the root of every other resource."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..api_model import SERVICE_NAME
from ..controls import Controls
from ..errors import ResourceNotFoundException
from ..idempotency import Tokens
from ..quotas import Quotas
from ..statuses import DatasetStatus, ModelStatus
from ..storage import Storage

if TYPE_CHECKING:  # only for annotations: the parts import this module, not the other way
    from .datasets import Dataset
    from .models import Model
    from .packaging import PackagingJob


@dataclass
class Project:
    name: str
    arn: str
    created_at: float
    sequence: int
    models: dict[str, Model] = field(default_factory=dict)  # by version, in version order
    last_version: int = 0
    datasets: dict[str, Dataset] = field(default_factory=dict)
    packaging_jobs: dict[str, PackagingJob] = field(default_factory=dict)
    deleting: set[str] = field(default_factory=set)  # versions in DELETING

    def live_models(self) -> dict[str, Model]:
        """The models, once those whose deletion has completed are gone."""
        # Only models being deleted are looked at: a project may hold thousands of models.
        for version in list(self.deleting):
            model = self.models.get(version)
            if model is None or model.lifecycle.refresh(is_read=False) == ModelStatus.DELETED:
                self.models.pop(version, None)
                self.deleting.discard(version)
            elif model.lifecycle.status != ModelStatus.DELETING:
                self.deleting.discard(version)  # its deletion failed
        return self.models

    def live_datasets(self) -> dict[str, Dataset]:
        """The datasets, once those whose deletion has completed are gone."""
        for dataset_type, dataset in list(self.datasets.items()):
            if dataset.lifecycle.refresh(is_read=False) == DatasetStatus.DELETE_COMPLETE:
                del self.datasets[dataset_type]
        return self.datasets

    def metadata(self) -> dict[str, object]:
        return {
            "ProjectArn": self.arn,
            "ProjectName": self.name,
            "CreationTimestamp": self.created_at,
        }


class ServiceState:
    """The state of one account and region that the resource parts work on."""

    def __init__(self, account_id: str, region_name: str, partition: str, storage: Storage) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.partition = partition
        self.storage = storage
        self.controls = Controls()
        self.quotas = Quotas()
        self.tokens = Tokens()
        self.projects: dict[str, Project] = {}
        self.project_numbers = itertools.count(1)  # ListProjects' order, never reused
        # One request, or one handle control, at a time changes this state.
        self.lock = threading.RLock()

    def arn(self, resource: str) -> str:
        return (
            f"arn:{self.partition}:{SERVICE_NAME}:{self.region_name}:{self.account_id}:{resource}"
        )

    def project(self, name: str) -> Project:
        """The project, or the ResourceNotFoundException the API answers."""
        project = self.projects.get(name)
        if project is None:
            raise ResourceNotFoundException(
                f"The project {name} does not exist.", resource_id=name, resource_type="PROJECT"
            )
        return project
