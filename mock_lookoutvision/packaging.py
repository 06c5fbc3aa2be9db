"""Model packaging jobs: the Greengrass configuration rules and the component a job writes.

The rules the API model cannot express are the developer guide's: a job targets either a device
(``TargetDevice``) or a platform (``TargetPlatform``), not both and not neither; a device takes
no compiler options; an NVIDIA platform needs ``gpu-code``, ``trt-ver`` and ``cuda-ver``; a
component name and version are packaged once; the component goes to ``S3OutputLocation``, a
bucket in the job's region.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from .errors import ValidationException
from .lifecycle import Lifecycle

NVIDIA_COMPILER_OPTIONS = ("gpu-code", "trt-ver", "cuda-ver")


def check_greengrass(configuration: dict[str, Any]) -> None:
    """Raises the ValidationException for a Greengrass configuration the service would refuse."""
    greengrass = configuration["Greengrass"]
    device, platform = greengrass.get("TargetDevice"), greengrass.get("TargetPlatform")
    if (device is None) == (platform is None):
        raise ValidationException("Specify exactly one of TargetDevice and TargetPlatform.")
    if device is not None and greengrass.get("CompilerOptions") is not None:
        # "If you specify TargetDevice, don't specify CompilerOptions." (API reference)
        raise ValidationException("CompilerOptions can't be given with a TargetDevice.")
    if platform is not None and platform.get("Accelerator") == "NVIDIA":
        options = greengrass.get("CompilerOptions")
        if not options:
            raise ValidationException("CompilerOptions are required for an NVIDIA accelerator.")
        try:
            parsed = json.loads(options)
        except ValueError:
            raise ValidationException("CompilerOptions must be a JSON object.") from None
        missing = [
            o for o in NVIDIA_COMPILER_OPTIONS if not isinstance(parsed, dict) or o not in parsed
        ]
        if missing:
            raise ValidationException(
                f"CompilerOptions for an NVIDIA accelerator need {', '.join(missing)}."
            )


@dataclass
class PackagingJob:
    name: str
    project_name: str
    model_version: str
    configuration: dict[str, Any]
    description: str | None
    created_at: float
    lifecycle: Lifecycle
    output: dict[str, str] = field(default_factory=dict)  # GreengrassOutputDetails once done

    @property
    def component(self) -> tuple[str, str]:
        greengrass = self.configuration["Greengrass"]
        # The default version is "<model version>.0.0" (API reference).
        return greengrass["ComponentName"], greengrass.get(
            "ComponentVersion", f"{self.model_version}.0.0"
        )

    def artifact_key(self) -> str:
        location = self.configuration["Greengrass"]["S3OutputLocation"]
        name, version = self.component
        return f"{location.get('Prefix', '')}{name}/{version}/{name}.zip"

    def artifact(self) -> bytes:
        """A component archive: its recipe-like description and the model it packages."""
        name, version = self.component
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(
                "component.json",
                json.dumps(
                    {
                        "ComponentName": name,
                        "ComponentVersion": version,
                        "Project": self.project_name,
                        "ModelVersion": self.model_version,
                        "Greengrass": self.configuration["Greengrass"],
                    },
                    indent=2,
                ),
            )
        return buffer.getvalue()

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
