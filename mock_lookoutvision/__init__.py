"""An in-process mock of Amazon Lookout for Vision (API 2020-11-20) on moto's machinery.

Importing the package makes ``boto3.client("lookoutvision")`` resolve (the shipped API model) and
makes moto answer the service, under this package's mock and under moto's own ``mock_aws`` (boto3,
and aiobotocore sessions created afterwards).
"""

from . import aiobotocore_hook
from .api_model import register_data_path
from .moto_hook import attach

register_data_path()
attach()
aiobotocore_hook.attach()

from .control_errors import ControlError, StepNotInProgress, UnknownResource  # noqa: E402
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
from .faults import DroppedConnection, InjectedError  # noqa: E402
from .handle import LookoutVisionMock  # noqa: E402
from .inference import Anomaly  # noqa: E402
from .journal import Call  # noqa: E402
from .mock import mock_lookoutvision  # noqa: E402
from .serving import server  # noqa: E402
from .sleeping import SleepLimitExceeded  # noqa: E402
from .testing import make_png  # noqa: E402

__all__ = [
    "AccessDeniedException",
    "Anomaly",
    "Call",
    "ConflictException",
    "ControlError",
    "DroppedConnection",
    "InjectedError",
    "InternalServerException",
    "LookoutVisionError",
    "LookoutVisionMock",
    "ResourceNotFoundException",
    "ServiceQuotaExceededException",
    "SleepLimitExceeded",
    "StepNotInProgress",
    "ThrottlingException",
    "UnknownResource",
    "ValidationException",
    "make_png",
    "mock_lookoutvision",
    "server",
]
