"""Model packaging for AWS IoT Greengrass: the configuration rules and the component archive.

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
from typing import Any

from .errors import ValidationException

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


def component_of(configuration: dict[str, Any], model_version: str) -> tuple[str, str]:
    """The component name and version a configuration packages; the version defaults to
    "<model version>.0.0" (API reference)."""
    greengrass = configuration["Greengrass"]
    return greengrass["ComponentName"], greengrass.get("ComponentVersion", f"{model_version}.0.0")


def artifact_key(configuration: dict[str, Any], component: tuple[str, str]) -> str:
    location = configuration["Greengrass"]["S3OutputLocation"]
    name, version = component
    return f"{location.get('Prefix', '')}{name}/{version}/{name}.zip"


def artifact(
    configuration: dict[str, Any], component: tuple[str, str], project_name: str, version: str
) -> bytes:
    """A component archive: its recipe-like description and the model it packages."""
    name, component_version = component
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "component.json",
            json.dumps(
                {
                    "ComponentName": name,
                    "ComponentVersion": component_version,
                    "Project": project_name,
                    "ModelVersion": version,
                    "Greengrass": configuration["Greengrass"],
                },
                indent=2,
            ),
        )
    return buffer.getvalue()
