"""An in-process mock of Amazon Lookout for Vision (API 2020-11-20) on moto's machinery.

Importing the package makes ``boto3.client("lookoutvision")`` resolve (the shipped API model) and
makes moto answer the service, under this package's mock and under moto's own ``mock_aws``.
"""

from .api_model import register_data_path
from .moto_attachment import attach

register_data_path()
attach()

from .backend import LookoutVisionBackend, lookoutvision_backends  # noqa: E402
from .clock import SimulatedClock, clock  # noqa: E402
from .errors import (  # noqa: E402
    AccessDeniedException,
    ConflictException,
    InternalServerException,
    LookoutVisionError,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ThrottlingException,
    ValidationException,
)
from .images import make_png  # noqa: E402
from .inference import Anomaly  # noqa: E402
from .journal import Call  # noqa: E402
from .mock import LookoutVisionMock, mock_lookoutvision  # noqa: E402

__all__ = [
    "AccessDeniedException",
    "Anomaly",
    "Call",
    "ConflictException",
    "InternalServerException",
    "LookoutVisionBackend",
    "LookoutVisionError",
    "LookoutVisionMock",
    "ResourceNotFoundException",
    "ServiceQuotaExceededException",
    "SimulatedClock",
    "ThrottlingException",
    "ValidationException",
    "clock",
    "lookoutvision_backends",
    "make_png",
    "mock_lookoutvision",
]
