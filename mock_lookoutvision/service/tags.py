"""Tags: TagResource, UntagResource, ListTagsForResource. Only models carry tags in this API
(TagResource: "Adds ... tags to ... model")."""

from __future__ import annotations

from typing import Any

from ..api_model import SERVICE_NAME
from ..errors import ResourceNotFoundException, ServiceQuotaExceededException
from .models import Model, ModelOperations, tags_as_mapping

MAX_TAGS_PER_RESOURCE = 200


class TagOperations(ModelOperations):
    def _taggable(self, resource_arn: str) -> Model:
        prefix = self.arn("model/")
        project_name, _, version = resource_arn.removeprefix(prefix).partition("/")
        project = self.projects.get(project_name) if resource_arn.startswith(prefix) else None
        model = project.live_models().get(version) if project is not None else None
        if model is None:
            raise ResourceNotFoundException(
                f"The resource {resource_arn} does not exist.",
                resource_id=resource_arn,
                resource_type="MODEL",
            )
        return model

    def tag_resource(self, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        model = self._taggable(resource_arn)
        merged = {**model.tags, **tags_as_mapping(tags)}
        if len(merged) > MAX_TAGS_PER_RESOURCE:
            raise ServiceQuotaExceededException(
                f"The resource {resource_arn} would have {len(merged)} tags; "
                f"the limit is {MAX_TAGS_PER_RESOURCE}.",
                # No quota code is documented for this limit; the name says which it is.
                quota_code="tags-per-resource",
                service_code=SERVICE_NAME,
                resource_id=resource_arn,
                resource_type="MODEL",
            )
        model.tags = merged
        return {}

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        model = self._taggable(resource_arn)
        removed = set(tag_keys)
        model.tags = {k: v for k, v in model.tags.items() if k not in removed}
        return {}

    def list_tags_for_resource(self, resource_arn: str) -> dict[str, Any]:
        model = self._taggable(resource_arn)
        return {"Tags": [{"Key": k, "Value": v} for k, v in model.tags.items()]}
