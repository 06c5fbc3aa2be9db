"""Model packaging jobs: StartModelPackagingJob, DescribeModelPackagingJob,
ListModelPackagingJobs. A job runs on the clock and, as it succeeds, writes the Greengrass
component to its S3 output location, which must be a bucket in the job's region."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..clock import clock
from ..errors import ConflictException, ResourceNotFoundException
from ..greengrass import artifact, artifact_key, check_greengrass, component_of
from ..idempotency import Done
from ..lifecycle import InProgress, Lifecycle, Outcome
from ..pagination import paginate
from ..quotas import CONCURRENT_PACKAGING_JOBS
from ..statuses import ModelStatus, PackagingJobStatus, Step
from ..storage import Unavailable
from .models import ModelOperations

SUCCEEDED = Outcome(PackagingJobStatus.SUCCEEDED, "The model packaging job succeeded.")


@dataclass
class PackagingJob:
    name: str
    number: int  # its place in the project's list
    project_name: str
    model_version: str
    configuration: dict[str, Any]
    description: str | None
    created_at: float
    lifecycle: Lifecycle
    output: dict[str, str] = field(default_factory=dict)  # GreengrassOutputDetails once done

    @property
    def component(self) -> tuple[str, str]:
        return component_of(self.configuration, self.model_version)

    def metadata(self) -> dict[str, Any]:
        return {
            "JobName": self.name,
            "ProjectName": self.project_name,
            "ModelVersion": self.model_version,
            "ModelPackagingJobDescription": self.description,
            "ModelPackagingMethod": "Greengrass",
            "Status": self.lifecycle.refresh(is_read=False),
            "StatusMessage": self.lifecycle.status_message,
            "CreationTimestamp": self.created_at,
            "LastUpdatedTimestamp": self.lifecycle.changed_at,
        }

    def describe(self) -> dict[str, Any]:
        self.lifecycle.refresh()
        description = self.metadata()
        description["ModelPackagingConfiguration"] = self.configuration
        if self.output:
            description["ModelPackagingOutputDetails"] = {"Greengrass": self.output}
        return description


class PackagingOperations(ModelOperations):
    def __init__(self) -> None:
        self.packaging = InProgress(frozenset({PackagingJobStatus.RUNNING}))

    def start_model_packaging_job(
        self,
        project_name: str,
        model_version: str,
        configuration: dict[str, Any],
        job_name: str | None = None,
        description: str | None = None,
    ) -> Done:
        project = self.project(project_name)
        model = self.model(project, model_version)
        if ModelStatus.TRAINED not in model.lifecycle.reached:
            raise ConflictException(
                f"The model {model.resource_id} is not trained; only a trained model can be "
                "packaged.",
                resource_id=model.resource_id,
                resource_type="MODEL",
            )
        check_greengrass(configuration)
        component = component_of(configuration, model.version)
        if any(job.component == component for job in project.packaging_jobs.values()):
            # "an existing ComponentName and ComponentVersion pair is not allowed" (API)
            raise ConflictException(
                f"Component {component[0]} version {component[1]} is already packaged.",
                resource_id=f"{component[0]}:{component[1]}",
                resource_type="MODEL_PACKAGE_JOB",
            )
        # Job names allow no underscore, which project names do.
        number = len(project.packaging_jobs) + 1
        name = job_name or f"{project_name.replace('_', '-')}-{model.version}-{number}"
        if name in project.packaging_jobs:
            raise ConflictException(
                f"Project {project_name} already has a packaging job named {name}.",
                resource_id=name,
                resource_type="MODEL_PACKAGE_JOB",
            )
        self.quotas.check(CONCURRENT_PACKAGING_JOBS, self.packaging.count())
        job = PackagingJob(
            name,
            number,
            project_name,
            model.version,
            configuration,
            description,
            clock.time(),
            Lifecycle(PackagingJobStatus.RUNNING, ""),
        )
        job.lifecycle.begin(
            Step.PACKAGING,
            PackagingJobStatus.RUNNING,
            "The model packaging job is running.",
            SUCCEEDED,
            PackagingJobStatus.FAILED,
            planned_failure=self.controls.planned_failure(Step.PACKAGING),
            on_success=lambda _: self._write_component(job),
        )
        project.packaging_jobs[name] = job
        self.packaging.add(job.lifecycle)
        return Done({"JobName": name}, name, "MODEL_PACKAGE_JOB")

    def _write_component(self, job: PackagingJob) -> Outcome | None:
        bucket = job.configuration["Greengrass"]["S3OutputLocation"]["Bucket"]
        try:
            bucket_region = self.storage.bucket_region(bucket)
            if bucket_region != self.region_name:
                return Outcome(
                    PackagingJobStatus.FAILED,
                    f"The bucket {bucket} is in {bucket_region}, not in {self.region_name}.",
                )
            data = artifact(job.configuration, job.component, job.project_name, job.model_version)
            self.storage.write(bucket, artifact_key(job.configuration, job.component), data)
        except Unavailable as problem:
            return Outcome(PackagingJobStatus.FAILED, str(problem))
        name, version = job.component
        job.output = {
            "ComponentVersionArn": (
                f"arn:{self.partition}:greengrass:{self.region_name}:{self.account_id}:"
                f"components:{name}:versions:{version}"
            ),
            "ComponentName": name,
            "ComponentVersion": version,
        }
        return None

    def find_packaging_job(self, project_name: str, job_name: str) -> PackagingJob:
        """The job, or the ResourceNotFoundException the API answers."""
        job = self.project(project_name).packaging_jobs.get(job_name)
        if job is None:
            raise ResourceNotFoundException(
                f"Project {project_name} has no packaging job named {job_name}.",
                resource_id=job_name,
                resource_type="MODEL_PACKAGE_JOB",
            )
        return job

    def describe_model_packaging_job(self, project_name: str, job_name: str) -> dict[str, Any]:
        job = self.find_packaging_job(project_name, job_name)
        return {"ModelPackagingDescription": job.describe()}

    def list_model_packaging_jobs(
        self, project_name: str, next_token: str | None = None, max_results: int | None = None
    ) -> dict[str, Any]:
        project = self.project(project_name)

        def jobs_from(start: int | None) -> Iterator[PackagingJob]:
            jobs = project.packaging_jobs.values()
            return (job for job in jobs if start is None or job.number >= start)

        scope = f"ListModelPackagingJobs/{project.arn}"
        page, token = paginate(scope, next_token, max_results, jobs_from, lambda job: job.number)
        return {"ModelPackagingJobs": [job.metadata() for job in page], "NextToken": token}
