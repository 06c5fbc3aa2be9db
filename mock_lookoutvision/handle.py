"""The handle of an active mock: the simulated clock, the journal, and the same few verbs for every
resource and step.

- ``lv.model("proj", "1").training.finish()`` / ``.fail("message")``; likewise ``.hosting_start``,
  ``.hosting_stop`` and ``.deletion`` of a model, ``.import_``, ``.update`` and ``.deletion`` of
  ``lv.dataset("proj", "train")``, and ``.packaging`` of ``lv.packaging_job("proj", "job")``;
- ``lv.next("training").fails("message")``: the next step of a kind to begin will fail;
- ``lv.set_durations({"training": 2700})``, ``lv.set_quota(...)``, ``lv.inject_error(...)`` and
  ``lv.clear_errors()``, ``lv.set_detection_result(...)``.

Controls act on the handle's account and region (``MOTO_ACCOUNT_ID`` or moto's default account,
and the mock's region); ``lv.scoped(account_id=..., region_name=...)`` gives the same verbs for
another. A control that can't be carried out raises a ``ControlError``: the library's own, never a
service error.

The verbs are thin: the fault types, the checking of a fault's options and each account's queue
of faults are in ``faults``, the control errors in ``control_errors``. ``ControlError`` and its
kinds, ``InjectedError`` and ``MAX_TIMES`` are still importable from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from . import faults
from .accounts import default_account, is_account_id
from .clock import clock
from .control_errors import ControlError as ControlError
from .control_errors import StepNotInProgress as StepNotInProgress
from .control_errors import UnknownResource as UnknownResource
from .endpoints import RegionNotOffered
from .errors import LookoutVisionError
from .faults import MAX_TIMES as MAX_TIMES
from .faults import Fault, Predicate
from .faults import InjectedError as InjectedError
from .inference import Anomaly, DetectionResult, image_key
from .journal import Call, journal
from .lifecycle import DurationMap, Lifecycle, given_durations
from .models import LookoutVisionBackend, backend_of
from .service.base import Project
from .statuses import STEPS_BY_NAME, Step

C = TypeVar("C")


class MockOwner(Protocol):
    """What a handle needs of the mock that hands it out (``mock.LookoutVisionMocker``)."""

    region_name: str
    durations: DurationMap

    def require_active(self) -> None: ...


# What a failed step says when a test gives no message.
DEFAULT_FAILURE_MESSAGES = {
    Step.DATASET_IMPORT: "The dataset could not be created.",
    Step.DATASET_UPDATE: "The dataset could not be updated.",
    Step.DATASET_DELETION: "The dataset could not be deleted.",
    Step.TRAINING: "Training failed.",
    Step.HOSTING_START: "The model failed to start.",
    Step.HOSTING_STOP: "The model failed to stop.",
    Step.MODEL_DELETION: "The model could not be deleted.",
    Step.PACKAGING: "The model packaging job failed.",
}


@dataclass(frozen=True)
class StepControl:
    """One resource's step of one kind: ``finish()`` ends it now as a step that ran its course
    (in the failure planned for it, if there is one), ``fail(message)`` as a failed one."""

    backend: LookoutVisionBackend
    resource: str  # e.g. "model widgets/1"
    lifecycle: Lifecycle
    step: Step

    def finish(self) -> None:
        with self.backend.lock:
            self._require_in_progress()
            self.lifecycle.end_now()

    def fail(self, message: str | None = None) -> None:
        with self.backend.lock:
            self._require_in_progress()
            self.lifecycle.fail_now(message or DEFAULT_FAILURE_MESSAGES[self.step])

    @property
    def in_progress(self) -> bool:
        with self.backend.lock:
            return self.lifecycle.step() is self.step

    def _require_in_progress(self) -> None:
        current = self.lifecycle.step()
        if current is not self.step:
            doing = "nothing" if current is None else current.value
            raise StepNotInProgress(
                f"The {self.resource} in account {self.backend.account_id}, region "
                f"{self.backend.region_name} is {self.lifecycle.status} ({doing} in progress); "
                f"it has no {self.step.value} step to end."
            )


class ModelControls:
    def __init__(self, backend: LookoutVisionBackend, project: str, version: str) -> None:
        model = backend.model(_project(backend, project), version)
        name = f"model {model.resource_id}"
        lifecycle = model.lifecycle
        self.training = StepControl(backend, name, lifecycle, Step.TRAINING)
        self.hosting_start = StepControl(backend, name, lifecycle, Step.HOSTING_START)
        self.hosting_stop = StepControl(backend, name, lifecycle, Step.HOSTING_STOP)
        self.deletion = StepControl(backend, name, lifecycle, Step.MODEL_DELETION)


class DatasetControls:
    def __init__(self, backend: LookoutVisionBackend, project: str, dataset_type: str) -> None:
        dataset = backend.dataset(_project(backend, project), dataset_type)
        name = f"{dataset_type} dataset of project {project}"
        lifecycle = dataset.lifecycle
        self.import_ = StepControl(backend, name, lifecycle, Step.DATASET_IMPORT)
        self.update = StepControl(backend, name, lifecycle, Step.DATASET_UPDATE)
        self.deletion = StepControl(backend, name, lifecycle, Step.DATASET_DELETION)


class PackagingJobControls:
    def __init__(self, backend: LookoutVisionBackend, project: str, job_name: str) -> None:
        job = backend.find_packaging_job(project, job_name)
        name = f"packaging job {job_name} of project {project}"
        self.packaging = StepControl(backend, name, job.lifecycle, Step.PACKAGING)


def _project(backend: LookoutVisionBackend, name: str) -> Project:
    project = backend.projects.get(name)
    if project is None:
        raise UnknownResource(
            f"There is no project {name} in account {backend.account_id}, region "
            f"{backend.region_name}."
        )
    return project


@dataclass(frozen=True)
class PlannedStep:
    backend: Callable[[], LookoutVisionBackend]  # of the scope, looked up when used
    step: Step

    def fails(self, message: str | None = None) -> None:
        """The next step of this kind to begin in the account and region fails, with
        ``message`` as its StatusMessage."""
        message = message or DEFAULT_FAILURE_MESSAGES[self.step]
        self.backend().controls.plan_failure(self.step, message)


class Scope:
    """The controls of one account and region."""

    def __init__(self, mock: MockOwner, account_id: str | None, region_name: str | None) -> None:
        self._mock = mock
        self._account_id = account_id
        self._region_name = region_name

    @property
    def account_id(self) -> str:
        """The account controls act on: the one given, else ``MOTO_ACCOUNT_ID`` or moto's default
        account, as a request without credentials of its own would be answered."""
        return self._account_id or default_account()

    @property
    def region_name(self) -> str:
        return self._region_name or self._mock.region_name

    def scoped(self, *, account_id: str | None = None, region_name: str | None = None) -> Scope:
        """The same controls, for another account or region."""
        if account_id is not None and not is_account_id(account_id):
            raise ControlError(f"{account_id!r} is not a 12-digit AWS account id")
        return Scope(self._mock, account_id or self._account_id, region_name or self._region_name)

    def _backend(self) -> LookoutVisionBackend:
        self._mock.require_active()
        try:
            return backend_of(self.account_id, self.region_name)
        except RegionNotOffered as unknown_region:
            raise ControlError(str(unknown_region)) from None

    def _found(self, find: Callable[[], C]) -> C:
        try:
            return find()
        except LookoutVisionError as missing:  # the service's not-found, said the handle's way
            backend = self._backend()
            raise UnknownResource(
                f"{missing.message.removesuffix('.')} in account {backend.account_id}, region "
                f"{backend.region_name}."
            ) from None

    def model(self, project_name: str, model_version: str) -> ModelControls:
        """The steps of a model: ``training``, ``hosting_start``, ``hosting_stop``, ``deletion``."""
        backend = self._backend()
        with backend.lock:
            return self._found(lambda: ModelControls(backend, project_name, model_version))

    def dataset(self, project_name: str, dataset_type: str) -> DatasetControls:
        """The steps of a dataset: ``import_``, ``update``, ``deletion``."""
        backend = self._backend()
        with backend.lock:
            return self._found(lambda: DatasetControls(backend, project_name, dataset_type))

    def packaging_job(self, project_name: str, job_name: str) -> PackagingJobControls:
        """The step of a model packaging job: ``packaging``."""
        backend = self._backend()
        with backend.lock:
            return self._found(lambda: PackagingJobControls(backend, project_name, job_name))

    def next(self, step: str) -> PlannedStep:
        """The next step of a kind (``"training"``, ``"hosting_start"``, ...), to ``.fails()``."""
        kind = STEPS_BY_NAME.get(step)
        if kind is None:
            raise ControlError(f"{step!r} is not a step; the steps are {', '.join(STEPS_BY_NAME)}")
        return PlannedStep(self._backend, kind)

    def set_quota(self, quota_code: str, value: int) -> None:
        """Sets an adjustable quota, as a quota increase would, e.g. ``set_quota("L-1B1011CA",
        500)`` for 500 models per project. The codes are Service Quotas' own."""
        self._backend().quotas.set(quota_code, value)

    def inject_error(
        self,
        operation_name: str,
        error: Fault,
        times: int | faults.Default | None = faults.Default.TIMES,
        *,
        fraction: float | None = None,
        seed: int | None = None,
        when: Predicate | Mapping[str, Any] | None = None,
        after_commit: bool = False,
    ) -> InjectedError:
        """Answers calls of an operation with ``error`` (a service error, or ``DroppedConnection()``
        for a connection closed without an answer).

        For the errors a test cannot provoke otherwise (throttling, internal errors, access
        denied). Which calls:

        - ``times``: how many calls it answers, 1 to 10,000 or None (until cleared); by default
          the next call, or every chosen call until cleared with ``fraction`` or ``when``;
        - ``fraction``: a random fraction (0 to 1, 1 included) of the calls, drawn from
          ``random.Random(seed)`` (``seed`` 0 by default): the same seed and calls, the same calls
          answered;
        - ``when``: only calls whose parsed, valid parameters it holds for, a function of them
          (a read-only mapping; an exception it raises reaches the test) or a mapping of input
          member names to the values to match; such a call is read and validated first, so a
          bad one gets its ValidationException;
        - ``after_commit``: the call is carried out first (the resource made, its ClientToken
          remembered), then the caller gets ``error``: what ClientToken retries exist for. Only
          for operations that change state; a call that fails on its own is answered by its
          own error.

        Faults are consulted in the order injected; the first whose conditions hold answers the
        call. ``clear_errors()`` or the returned handle's ``cancel()`` removes them. botocore
        retries throttling, 5xx errors and dropped connections, so raise ``times`` or lower the
        client's ``max_attempts`` to see the error itself.
        """
        fault = faults.prepare(
            faults.operation_named(operation_name),
            error,
            times=times,
            fraction=fraction,
            seed=seed,
            when=when,
            after_commit=after_commit,
        )
        return self._backend().controls.faults.inject(fault)

    def clear_errors(self, operation_name: str | None = None) -> int:
        """Removes the faults injected for an operation (or for all of them) in this account and
        region; how many of them were still active."""
        if operation_name is not None:
            faults.operation_named(operation_name)
        return self._backend().controls.faults.clear(operation_name)

    def set_detection_result(
        self,
        image: bytes,
        *,
        is_anomalous: bool,
        confidence: float,
        anomalies: Sequence[Anomaly] = (),
        anomaly_mask: bytes | None = None,
    ) -> None:
        """What DetectAnomalies answers for exactly these image bytes, on any hosted model.
        ``anomalies`` and ``anomaly_mask`` are what a segmentation model adds."""
        result = DetectionResult(is_anomalous, confidence, tuple(anomalies), anomaly_mask)
        self._backend().controls.detection_results[image_key(image)] = result


class LookoutVisionMock(Scope):
    """An active mock's handle: its clock, journal and durations, and the controls of its default
    account and region (``scoped`` for others)."""

    def __init__(self, mock: MockOwner) -> None:
        super().__init__(mock, None, None)

    def now(self) -> datetime:
        """The simulated time (UTC), the one every timestamp and expiry is taken from."""
        return clock.now()

    def advance(self, by: float | timedelta) -> datetime:
        """Moves simulated time forward by seconds or a timedelta; returns the new now."""
        return clock.advance(by)

    def calls(self, operation: str | None = None) -> list[Call]:
        """The calls answered so far (all, or one operation's), oldest first: operation,
        parameters, the error code answered (None for a success) and the simulated time."""
        return journal.calls(operation)

    def set_durations(self, durations: Mapping[str, float | timedelta]) -> None:
        """How long steps that begin from now on take, by step name (or ``"dataset"`` and
        ``"hosting"`` for all of theirs); the others keep theirs."""
        self._mock.durations.update(given_durations(durations))
