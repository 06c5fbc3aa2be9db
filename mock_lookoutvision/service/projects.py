"""Projects: CreateProject, DescribeProject, ListProjects, DeleteProject."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..clock import clock
from ..errors import ConflictException
from ..idempotency import Done
from ..pagination import paginate
from ..quotas import PROJECTS
from .base import Project, ServiceState


class ProjectOperations(ServiceState):
    def create_project(self, project_name: str) -> Done:
        if project_name in self.projects:
            raise ConflictException(
                f"A project named {project_name} already exists.",
                resource_id=project_name,
                resource_type="PROJECT",
            )
        self.quotas.check(PROJECTS, len(self.projects))
        project = Project(
            name=project_name,
            arn=self.arn(f"project/{project_name}"),
            created_at=clock.time(),
            sequence=next(self.project_numbers),
        )
        self.projects[project_name] = project
        return Done({"ProjectMetadata": project.metadata()}, project_name, "PROJECT")

    def describe_project(self, project_name: str) -> dict[str, Any]:
        project = self.project(project_name)
        datasets = [d.metadata() for d in project.live_datasets().values()]
        return {"ProjectDescription": {**project.metadata(), "Datasets": datasets}}

    def list_projects(
        self, next_token: str | None = None, max_results: int | None = None
    ) -> dict[str, Any]:
        def projects_from(start: int | None) -> Iterator[Project]:
            return (p for p in self.projects.values() if start is None or p.sequence >= start)

        page, token = paginate(
            "ListProjects", next_token, max_results, projects_from, lambda p: p.sequence
        )
        return {"Projects": [p.metadata() for p in page], "NextToken": token}

    def delete_project(self, project_name: str) -> Done:
        project = self.project(project_name)
        # "Before you can delete a project, you must first delete all models in the project"
        # and its datasets (developer guide).
        if project.live_models() or project.live_datasets():
            raise ConflictException(
                f"The project {project_name} still has models or datasets; delete them first.",
                resource_id=project_name,
                resource_type="PROJECT",
            )
        del self.projects[project_name]
        return Done({"ProjectArn": project.arn}, project_name, "PROJECT")
