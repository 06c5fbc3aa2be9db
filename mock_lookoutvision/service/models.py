"""Models and their training: CreateModel, DescribeModel, ListModels, DeleteModel.

CreateModel checks what the service checks on the call (a ready train dataset, an output bucket in
the region, the quotas); what only training finds out (too few labeled images, an unusable KMS key
or image, results that can't be written) ends the training in TRAINING_FAILED.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..clock import clock
from ..errors import ConflictException, ResourceNotFoundException, ValidationException
from ..idempotency import Done
from ..images import MAX_IMAGE_BYTES
from ..lifecycle import InProgress, Lifecycle, Outcome
from ..pagination import paginate
from ..quotas import CONCURRENT_TRAININGS, MODELS_PER_PROJECT
from ..statuses import MODEL_HOSTING_STATUSES, ModelStatus, Step
from ..storage import Unavailable
from ..training import Evaluation, image_problem, plan
from .base import Project
from .datasets import Dataset, DatasetOperations

# The developer guide's example output (getting-started-sdk).
TRAINING_MESSAGE = "The model is being trained."
TRAINED = Outcome(ModelStatus.TRAINED, "Training completed successfully.")
DELETED = Outcome(ModelStatus.DELETED, "The model was deleted.")
# "You can't delete model version that is running or being trained." (developer guide)
UNDELETABLE_STATUSES = frozenset(
    {
        ModelStatus.TRAINING,
        ModelStatus.STARTING_HOSTING,
        ModelStatus.HOSTED,
        ModelStatus.STOPPING_HOSTING,
        ModelStatus.SYSTEM_UPDATING,
        ModelStatus.DELETING,
    }
)


@dataclass
class Model:
    project_name: str
    version: str
    arn: str
    created_at: float
    output_config: dict[str, Any]
    description: str | None
    kms_key_id: str | None
    lifecycle: Lifecycle
    evaluation: Evaluation
    tags: dict[str, str] = field(default_factory=dict)
    # Inference units of the last StartModel, reported while the model is (being) hosted.
    inference_units: tuple[int, int] | None = None
    # The size of the images it trained on: DetectAnomalies wants the same (developer guide).
    image_size: tuple[int, int] | None = None

    @property
    def resource_id(self) -> str:
        return f"{self.project_name}/{self.version}"

    def evaluation_key(self, kind: str) -> str:
        # The developer guide's example: Prefix + EvaluationManifest-<project>-<version>.json.
        prefix = self.output_config["S3Location"].get("Prefix", "")
        return f"{prefix}{kind}-{self.project_name}-{self.version}.json"

    def metadata(self, refresh: bool = True) -> dict[str, Any]:
        """ModelMetadata; ``refresh=False`` reports the status as it stands, without moving it."""
        lifecycle = self.lifecycle
        status = lifecycle.refresh(is_read=False) if refresh else lifecycle.status
        return {
            "CreationTimestamp": self.created_at,
            "ModelVersion": self.version,
            "ModelArn": self.arn,
            "Description": self.description,
            "Status": status,
            "StatusMessage": lifecycle.status_message,
            "Performance": self.evaluation.scores if TRAINED.status in lifecycle.reached else None,
        }

    def describe(self) -> dict[str, Any]:
        self.lifecycle.refresh()
        description = self.metadata()
        description.update(OutputConfig=self.output_config, KmsKeyId=self.kms_key_id)
        if self.inference_units is not None and description["Status"] in MODEL_HOSTING_STATUSES:
            description["MinInferenceUnits"], description["MaxInferenceUnits"] = (
                self.inference_units
            )
        trained_at = self.lifecycle.reached.get(TRAINED.status)
        if trained_at is not None:
            bucket = self.output_config["S3Location"]["Bucket"]
            description.update(
                EvaluationEndTimestamp=trained_at,
                EvaluationManifest={
                    "Bucket": bucket,
                    "Key": self.evaluation_key("EvaluationManifest"),
                },
                EvaluationResult={"Bucket": bucket, "Key": self.evaluation_key("EvaluationResult")},
            )
        return description


def tags_as_mapping(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags or ()}


class ModelOperations(DatasetOperations):
    def __init__(self) -> None:
        self.trainings = InProgress(frozenset({ModelStatus.TRAINING}))
        # A training's data checks and evaluation, by the versions of the datasets it reads.
        self._plans: dict[tuple[Any, ...], tuple[str | None, Evaluation]] = {}

    def model(self, project: Project, version: str) -> Model:
        """The model, or the ResourceNotFoundException the API answers."""
        models = project.live_models()
        if version == "latest" and models:
            version = max(models, key=int)
        model = models.get(version)
        if model is None:
            raise ResourceNotFoundException(
                f"The model {project.name}/{version} does not exist.",
                resource_id=f"{project.name}/{version}",
                resource_type="MODEL",
            )
        return model

    def find_model(self, project_name: str, model_version: str) -> Model:
        return self.model(self.project(project_name), model_version)

    def require_status(self, model: Model, allowed: frozenset[str], action: str) -> None:
        status = model.lifecycle.refresh(is_read=False)
        if status not in allowed:
            raise ConflictException(
                f"The model {model.resource_id} is {status} and can't be {action}.",
                resource_id=model.resource_id,
                resource_type="MODEL",
            )

    def create_model(
        self,
        project_name: str,
        output_config: dict[str, Any],
        description: str | None = None,
        kms_key_id: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> Done:
        project = self.project(project_name)
        problem, evaluation = self._training_plan(project)
        self._check_output_bucket(output_config)
        self.quotas.check(MODELS_PER_PROJECT, len(project.live_models()))
        self.quotas.check(CONCURRENT_TRAININGS, self.trainings.count())
        version = str(project.last_version + 1)
        if problem is None and kms_key_id is not None:
            problem = self._kms_problem(kms_key_id)
        now = clock.time()
        model = Model(
            project_name=project_name,
            version=version,
            arn=self.arn(f"model/{project_name}/{version}"),
            created_at=now,
            output_config=output_config,
            description=description,
            kms_key_id=kms_key_id,
            lifecycle=Lifecycle(ModelStatus.TRAINING, TRAINING_MESSAGE),
            evaluation=evaluation,
            tags=tags_as_mapping(tags),
        )
        model.lifecycle.begin(
            Step.TRAINING,
            ModelStatus.TRAINING,
            TRAINING_MESSAGE,
            TRAINED,
            ModelStatus.TRAINING_FAILED,
            # A failure a test planned wins over one the data would cause.
            planned_failure=self.controls.planned_failure(Step.TRAINING) or problem,
            on_success=lambda at: self._complete_training(model, at),
            # Training starts as the model is created: it ends exactly a duration later.
            at=now,
        )
        project.last_version += 1
        project.models[version] = model
        self.trainings.add(model.lifecycle)
        # The creation answer is always TRAINING: only later reads move the lifecycle on.
        created = {"ModelMetadata": model.metadata(refresh=False)}

        def replay() -> dict[str, Any]:
            # A repeat reports the model as it is now, or as created once it is deleted.
            live = project.live_models().get(version)
            return {"ModelMetadata": live.metadata()} if live is not None else created

        return Done(created, model.resource_id, "MODEL", replay)

    def _training_plan(self, project: Project) -> tuple[str | None, Evaluation]:
        """Why the project's data can't train a model (None if it can), and the evaluation a
        training on it gets. Worked out once per version of the datasets: the data decide."""
        train, test = self._training_datasets(project)
        versions = [(d.dataset_type, d.created_at, d.revision) for d in (train, test) if d]
        key = (project.name, project.created_at, *versions)
        found = self._plans.get(key)
        if found is None:
            found = plan(
                list(train.entries.values()), None if test is None else list(test.entries.values())
            )
            if len(self._plans) >= 64:  # a few recent versions are all worth keeping
                del self._plans[next(iter(self._plans))]
            self._plans[key] = found
        return found

    def _training_datasets(self, project: Project) -> tuple[Dataset, Dataset | None]:
        """The train dataset, and the test dataset if the project has one; both ready."""
        datasets = project.live_datasets()
        train = datasets.get("train")
        if train is None:
            # "you must create a training dataset before you can create a model" (DeleteDataset)
            raise ValidationException(
                f"Project {project.name} has no training dataset; create one before a model."
            )
        for dataset in datasets.values():
            self.require_idle(dataset, "trained on")
        return train, datasets.get("test")

    def _check_output_bucket(self, output_config: dict[str, Any]) -> None:
        """The CreateModel permissions page: s3:GetBucketLocation "validates the ownership and the
        AWS Region of the S3 bucket" the results go to."""
        bucket = output_config["S3Location"]["Bucket"]
        try:
            region = self.storage.bucket_region(bucket)
        except Unavailable as problem:
            raise ValidationException(f"The output location is not usable: {problem}") from None
        if region != self.region_name:
            raise ValidationException(
                f"The output bucket {bucket} is in {region}; it must be in {self.region_name}."
            )

    def _kms_problem(self, kms_key_id: str) -> str | None:
        if self.storage.key_usable(kms_key_id):
            return None
        return f"The KMS key {kms_key_id} was not found or is not enabled."

    def _complete_training(self, model: Model, at: float) -> Outcome | None:
        """As training runs to its end: the images are read (a failure if they can't be used),
        then the evaluation manifest and result go to the output location."""
        evaluation = model.evaluation

        def read_image(uri: str) -> tuple[bytes, int]:
            bucket, _, key = uri.removeprefix("s3://").partition("/")
            # The whole file (unless it is over the limit): an image is decoded, not only its
            # header read.
            return self.storage.head(bucket, key, MAX_IMAGE_BYTES, MAX_IMAGE_BYTES)

        problem, model.image_size = image_problem(evaluation, read_image)
        if problem is not None:
            return Outcome(ModelStatus.TRAINING_FAILED, problem)
        bucket = model.output_config["S3Location"]["Bucket"]
        results = (
            (
                model.evaluation_key("EvaluationManifest"),
                evaluation.manifest(model.arn, model.project_name, model.version, at),
            ),
            (model.evaluation_key("EvaluationResult"), evaluation.result(model.arn, at)),
        )
        try:
            for key, data in results:
                self.storage.write(bucket, key, data)
        except Unavailable as problem:
            return Outcome(
                ModelStatus.TRAINING_FAILED, f"The training results could not be written: {problem}"
            )
        return None

    def describe_model(self, project_name: str, model_version: str) -> dict[str, Any]:
        return {"ModelDescription": self.find_model(project_name, model_version).describe()}

    def list_models(
        self, project_name: str, next_token: str | None = None, max_results: int | None = None
    ) -> dict[str, Any]:
        project = self.project(project_name)
        models = project.live_models()

        def models_from(start: int | None) -> Iterator[Model]:
            if start is None:
                return iter(models.values())
            # Versions are numbered in order: a resumed page looks its models up by number.
            found = (models.get(str(v)) for v in range(start, project.last_version + 1))
            return (model for model in found if model is not None)

        page, token = paginate(
            f"ListModels/{project.arn}",
            next_token,
            max_results,
            models_from,
            lambda m: int(m.version),
        )
        return {"Models": [m.metadata() for m in page], "NextToken": token}

    def delete_model(self, project_name: str, model_version: str) -> Done:
        project = self.project(project_name)
        model = self.model(project, model_version)
        status = model.lifecycle.refresh(is_read=False)
        if status in UNDELETABLE_STATUSES:
            raise ConflictException(
                f"The model {model.resource_id} is {status} and can't be deleted.",
                resource_id=model.resource_id,
                resource_type="MODEL",
            )
        # "It might take a few seconds to delete a model" (developer guide): DELETING first; a
        # deletion that fails leaves the model as it was.
        model.lifecycle.begin(
            Step.MODEL_DELETION,
            ModelStatus.DELETING,
            "The model is being deleted.",
            DELETED,
            status,
            planned_failure=self.controls.planned_failure(Step.MODEL_DELETION),
        )
        project.deleting.add(model.version)
        return Done({"ModelArn": model.arn}, model.resource_id, "MODEL")
