"""The public way in: ``mock_lookoutvision`` as a decorator or a context manager, and its handle.

A mock wraps moto's own ``mock_aws`` (fake credentials, every moto service live beside this one)
and owns what moto does not reset for it: this service's state, the simulated clock and the
training transition. moto resets state only when the outermost of its mocks starts, so a
``mock_lookoutvision()`` nested in ``mock_aws()`` resets this service's state itself; nested in
another ``mock_lookoutvision()``, it shares the outer one's state and clock.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, ParamSpec, TypeVar, cast, overload

from moto.core.models import DEFAULT_ACCOUNT_ID

from .api_model import SERVICE_NAME, register_data_path, service_model
from .backend import (
    DELETING,
    HOSTING_FAILED,
    STARTING_HOSTING,
    STOPPING_HOSTING,
    TRAINING,
    TRAINING_FAILED,
    LookoutVisionBackend,
)
from .clock import clock, duration_seconds
from .errors import LookoutVisionError
from .inference import Anomaly, DetectionResult, image_key
from .journal import Call, journal
from .lifecycle import (
    DEFAULT_SECONDS,
    TRAINING_STATE,
    forget_test_transitions,
    register_default_transitions,
)
from .moto_attachment import backend_of, decorate_class, drop_all_backends, new_moto_mock

P = ParamSpec("P")
R = TypeVar("R")

_nesting_lock = threading.Lock()
# The training durations of the active mocks, innermost last: the innermost one applies.
_active_durations: list[float] = []


def reset_state() -> None:
    """Drops every project and model of every account and region, rewinds the clock and forgets
    any transition a test set in moto's state manager for this service."""
    drop_all_backends()
    clock.reset()
    forget_test_transitions()
    journal.clear()


DEFAULT_TRAINING_SECONDS = DEFAULT_SECONDS[TRAINING_STATE]


class LookoutVisionMock:
    """An active mock's handle: the simulated clock and the lifecycle controls.

    ``region_name`` and ``account_id`` pick the backend that the handle's controls act on by
    default; requests themselves reach the backend of their own account and region.
    """

    def __init__(
        self,
        *,
        training_duration: float | timedelta = DEFAULT_TRAINING_SECONDS,
        region_name: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        self.training_seconds = duration_seconds(training_duration, "a duration can't be negative")
        self.region_name = region_name
        self.account_id = account_id
        self._moto = new_moto_mock()

    # Starting and stopping -------------------------------------------------------------------

    def start(self, reset: bool = True) -> None:
        register_data_path()
        self._moto.start(reset=reset)
        with _nesting_lock:
            outermost = not _active_durations
            _active_durations.append(self.training_seconds)
        if outermost and reset:
            reset_state()
        register_default_transitions(self.training_seconds)

    def stop(self, remove_data: bool = True) -> None:
        with _nesting_lock:
            if not _active_durations:
                raise RuntimeError("stop() was called on a mock_lookoutvision that is not started")
            _active_durations.pop()
            outermost = not _active_durations
            outer_duration = _active_durations[-1] if _active_durations else None
        if outermost and remove_data:
            reset_state()
        register_default_transitions(outer_duration)
        self._moto.stop(remove_data=remove_data)

    def __enter__(self) -> LookoutVisionMock:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __call__(
        self, func: Callable[P, R], reset: bool = True, remove_data: bool = True
    ) -> Callable[P, R]:
        if inspect.isclass(func):
            return cast(Callable[P, R], decorate_class(self, func))

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            self.start(reset=reset)
            try:
                return func(*args, **kwargs)
            finally:
                self.stop(remove_data=remove_data)

        return wrapper

    # The clock --------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The simulated time (UTC), the one every timestamp and expiry is taken from."""
        return clock.now()

    def advance(self, by: float | timedelta) -> datetime:
        """Moves simulated time forward by seconds or a timedelta; returns the new now."""
        return clock.advance(by)

    # The journal --------------------------------------------------------------------------------

    def calls(self, operation: str | None = None) -> list[Call]:
        """The calls answered so far (all, or one operation's), oldest first: operation,
        parameters, the error code answered (None for a success) and the simulated time."""
        return journal.calls(operation)

    # Lifecycle controls ------------------------------------------------------------------------

    def backend(
        self, account_id: str | None = None, region_name: str | None = None
    ) -> LookoutVisionBackend:
        return backend_of(account_id or self.account_id, region_name or self.region_name)

    def set_training_duration(self, duration: float | timedelta) -> None:
        """How long trainings started from now on take, on the simulated clock.

        moto's state manager (``lookoutvision::model``) overrides it when a test sets a transition.
        """
        self.training_seconds = duration_seconds(duration, "a duration can't be negative")
        with _nesting_lock:
            if _active_durations:
                _active_durations[-1] = self.training_seconds
        register_default_transitions(self.training_seconds)

    def finish_training(
        self,
        project_name: str,
        model_version: str,
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Ends a model's training now, as a training that ran its course: TRAINED, or
        TRAINING_FAILED when the images in S3 can't be used or the results can't be written."""
        self._end_model_step(project_name, model_version, TRAINING, None, account_id, region_name)

    def fail_training(
        self,
        project_name: str,
        model_version: str,
        message: str = "Training failed.",
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Ends a model's training now with TRAINING_FAILED and ``message`` as its StatusMessage."""
        failure = (TRAINING_FAILED, message)
        self._end_model_step(
            project_name, model_version, TRAINING, failure, account_id, region_name
        )

    def finish_hosting(
        self,
        project_name: str,
        model_version: str,
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Ends a model's start (now HOSTED) or stop (now TRAINED) at once."""
        for step in (STARTING_HOSTING, STOPPING_HOSTING):
            self._end_model_step(project_name, model_version, step, None, account_id, region_name)

    def fail_hosting(
        self,
        project_name: str,
        model_version: str,
        message: str = "The model failed to start.",
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Ends a model's start now with HOSTING_FAILED and ``message`` as its StatusMessage."""
        failure = (HOSTING_FAILED, message)
        self._end_model_step(
            project_name, model_version, STARTING_HOSTING, failure, account_id, region_name
        )

    def finish_model_deletion(
        self,
        project_name: str,
        model_version: str,
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Ends a model's deletion (DELETING) now: the model is gone."""
        self._end_model_step(project_name, model_version, DELETING, None, account_id, region_name)

    def _end_model_step(
        self,
        project_name: str,
        model_version: str,
        step: str,
        failure: tuple[str, str] | None,
        account_id: str | None,
        region_name: str | None,
    ) -> None:
        model = self.backend(account_id, region_name).find_model(project_name, model_version)
        lifecycle = model.lifecycle
        if lifecycle.refresh(is_read=False) != step:
            return
        if failure is None:
            lifecycle.succeed_now()
        else:
            lifecycle.fail_now(*failure)

    def finish_dataset(
        self,
        project_name: str,
        dataset_type: str,
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Ends a dataset's creation, update or deletion now, successfully."""
        backend = self.backend(account_id, region_name)
        backend.find_dataset(project_name, dataset_type).lifecycle.succeed_now()

    def fail_dataset(
        self,
        project_name: str,
        dataset_type: str,
        message: str = "The dataset operation failed.",
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Ends a dataset's creation, update or deletion now as failed (CREATE_FAILED,
        UPDATE_FAILED_ROLLBACK_COMPLETE with the entries rolled back, or DELETE_FAILED)."""
        backend = self.backend(account_id, region_name)
        backend.find_dataset(project_name, dataset_type).fail_now(message)

    def set_detection_result(
        self,
        image: bytes,
        *,
        is_anomalous: bool,
        confidence: float,
        anomalies: Sequence[Anomaly] = (),
        anomaly_mask: bytes | None = None,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """What DetectAnomalies answers for exactly these image bytes, on any hosted model.

        ``anomalies`` and ``anomaly_mask`` are what a segmentation model adds."""
        self.backend(account_id, region_name).detection_results[image_key(image)] = DetectionResult(
            is_anomalous, confidence, tuple(anomalies), anomaly_mask
        )

    def set_quota(
        self,
        quota_code: str,
        value: int,
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Sets an adjustable quota for this account and region, as a quota increase would, e.g.
        ``lv.set_quota("L-1B1011CA", 500)`` for 500 models per project. The codes are Service
        Quotas' own (``mock_lookoutvision.quotas.QUOTAS``)."""
        self.backend(account_id, region_name).quotas.set(quota_code, value)

    def inject_error(
        self,
        operation_name: str,
        error: LookoutVisionError,
        *,
        times: int = 1,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Answers the next ``times`` calls of an operation with ``error`` instead of running them.

        For the errors a test cannot provoke otherwise (throttling, internal errors, access
        denied), e.g. ``lv.inject_error("CreateModel", ThrottlingException("Slow down"))``.
        botocore retries throttling and 5xx errors, so raise ``times`` or lower the client's
        ``max_attempts`` to see the error itself.
        """
        if operation_name not in service_model().operation_names:
            raise ValueError(f"{operation_name} is not an operation of {SERVICE_NAME}")
        queue = self.backend(account_id, region_name).injected_errors.setdefault(
            operation_name, deque()
        )
        queue.extend([error] * times)

    def fail_next_training(
        self,
        message: str = "Training failed.",
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Makes the next model created in this account and region end in TRAINING_FAILED."""
        self.backend(account_id, region_name).planned_training_failures.append(message)

    def fail_next_packaging_job(
        self,
        message: str = "The model packaging job failed.",
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Makes the next model packaging job in this account and region end in FAILED."""
        self.backend(account_id, region_name).planned_packaging_failures.append(message)

    def finish_packaging_job(
        self,
        project_name: str,
        job_name: str,
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Ends a running packaging job now: the component is written and the job SUCCEEDED
        (or FAILED, if the output bucket is missing or in another region)."""
        job = self.backend(account_id, region_name).find_packaging_job(project_name, job_name)
        job.lifecycle.succeed_now()

    def fail_packaging_job(
        self,
        project_name: str,
        job_name: str,
        message: str = "The model packaging job failed.",
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Ends a running packaging job now with FAILED and ``message``."""
        job = self.backend(account_id, region_name).find_packaging_job(project_name, job_name)
        job.lifecycle.fail_now("FAILED", message)

    def fail_next_hosting(
        self,
        message: str = "The model failed to start.",
        *,
        account_id: str | None = None,
        region_name: str | None = None,
    ) -> None:
        """Makes the next StartModel in this account and region end in HOSTING_FAILED."""
        self.backend(account_id, region_name).planned_hosting_failures.append(message)


@overload
def mock_lookoutvision(func: Callable[P, R]) -> Callable[P, R]: ...


@overload
def mock_lookoutvision(
    func: None = None,
    *,
    training_duration: float | timedelta = ...,
    region_name: str = ...,
    account_id: str = ...,
) -> LookoutVisionMock: ...


def mock_lookoutvision(
    func: Callable[P, R] | None = None, **options: Any
) -> LookoutVisionMock | Callable[P, R]:
    """``@mock_lookoutvision``, ``@mock_lookoutvision(...)`` or ``with mock_lookoutvision():``."""
    mock = LookoutVisionMock(**options)
    return mock if func is None else mock(func)
