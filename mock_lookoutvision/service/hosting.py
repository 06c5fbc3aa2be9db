"""Hosting and inference: StartModel, StopModel, DetectAnomalies."""

from __future__ import annotations

from typing import Any

from ..errors import ValidationException
from ..idempotency import Done
from ..inference import derived_result, image_key, image_size
from ..lifecycle import InProgress, Outcome
from ..quotas import INFERENCE_UNITS, RUNNING_MODELS
from ..statuses import MODEL_HOSTING_STATUSES, ModelStatus, Step
from .models import ModelOperations

# StatusMessage texts are not documented beyond training's; these follow its wording.
HOSTED = Outcome(ModelStatus.HOSTED, "The model is running.")
STOPPED = Outcome(ModelStatus.TRAINED, "The model was stopped.")
# StartModel applies to a trained model, or one whose last start failed or that was stopped.
STARTABLE_STATUSES = frozenset({ModelStatus.TRAINED, ModelStatus.HOSTING_FAILED})
STOPPABLE_STATUSES = frozenset({ModelStatus.HOSTED, ModelStatus.HOSTING_FAILED})


class HostingOperations(ModelOperations):
    def __init__(self) -> None:
        self.running = InProgress(MODEL_HOSTING_STATUSES)

    def start_model(
        self,
        project_name: str,
        model_version: str,
        min_inference_units: int,
        max_inference_units: int | None = None,
    ) -> Done:
        model = self.find_model(project_name, model_version)
        maximum = min_inference_units if max_inference_units is None else max_inference_units
        if maximum < min_inference_units:
            raise ValidationException(
                f"MaxInferenceUnits ({maximum}) can't be less than MinInferenceUnits "
                f"({min_inference_units})."
            )
        self.require_status(model, STARTABLE_STATUSES, "started")
        self.quotas.check(INFERENCE_UNITS, 0, maximum)
        self.quotas.check(RUNNING_MODELS, self.running.count())
        model.inference_units = (min_inference_units, maximum)
        model.lifecycle.begin(
            Step.HOSTING_START,
            ModelStatus.STARTING_HOSTING,
            "The model is starting.",
            HOSTED,
            ModelStatus.HOSTING_FAILED,
            planned_failure=self.controls.planned_failure(Step.HOSTING_START),
        )
        self.running.add(model.lifecycle)
        return Done({"Status": ModelStatus.STARTING_HOSTING}, model.resource_id, "MODEL")

    def stop_model(self, project_name: str, model_version: str) -> Done:
        model = self.find_model(project_name, model_version)
        self.require_status(model, STOPPABLE_STATUSES, "stopped")
        model.lifecycle.begin(
            Step.HOSTING_STOP,
            ModelStatus.STOPPING_HOSTING,
            "The model is stopping.",
            STOPPED,
            # A stop that fails leaves the model running.
            ModelStatus.HOSTED,
            planned_failure=self.controls.planned_failure(Step.HOSTING_STOP),
        )
        self.running.add(model.lifecycle)
        return Done({"Status": ModelStatus.STOPPING_HOSTING}, model.resource_id, "MODEL")

    def detect_anomalies(
        self, project_name: str, model_version: str, body: bytes, content_type: str
    ) -> dict[str, Any]:
        model = self.find_model(project_name, model_version)
        # "Before calling DetectAnomalies, you must first start your model" (API reference).
        self.require_status(
            model, frozenset({ModelStatus.HOSTED}), "used for detection until it is HOSTED"
        )
        key = image_key(body)
        size = image_size(body, content_type.split(";")[0].strip().lower(), key)
        if model.image_size is not None and size != model.image_size:
            # "The image must have the same dimensions as the images used to train the model."
            raise ValidationException(
                f"The image is {size[0]}x{size[1]} pixels; the model was trained on images of "
                f"{model.image_size[0]}x{model.image_size[1]}."
            )
        result = self.controls.detection_results.get(key)
        if result is None:
            result = derived_result(key, size, model.evaluation.labels)
        return {"DetectAnomalyResult": result.wire()}
