"""The service's errors, as raised by the backend and serialized by the protocol layer.

Every modelled error of the 2020-11-20 API has a class here. Its HTTP status and where its members
go (JSON body or header) come from the shipped model when it is serialized, so a class only names
the error and carries its members.
"""

from __future__ import annotations

from typing import Any, ClassVar


class LookoutVisionError(Exception):
    """An error answered to the caller, with the members its model shape defines."""

    code: ClassVar[str] = "InternalServerException"
    # Used only for errors the model does not define; modelled ones take the model's status.
    unmodelled_status: ClassVar[int] = 400

    def __init__(self, message: str, **members: Any) -> None:
        if type(self) is LookoutVisionError:
            raise TypeError("raise one of the service's errors, not their common base class")
        super().__init__(message)
        self.message = message
        self.members = {name: value for name, value in members.items() if value is not None}


class ValidationException(LookoutVisionError):
    code = "ValidationException"


class AccessDeniedException(LookoutVisionError):
    code = "AccessDeniedException"


class InternalServerException(LookoutVisionError):
    code = "InternalServerException"

    def __init__(self, message: str, retry_after_seconds: int | None = None) -> None:
        super().__init__(message, RetryAfterSeconds=retry_after_seconds)


class ThrottlingException(LookoutVisionError):
    code = "ThrottlingException"

    def __init__(
        self,
        message: str,
        quota_code: str | None = None,
        service_code: str | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(
            message,
            QuotaCode=quota_code,
            ServiceCode=service_code,
            RetryAfterSeconds=retry_after_seconds,
        )


class _ResourceError(LookoutVisionError):
    def __init__(self, message: str, resource_id: str, resource_type: str) -> None:
        super().__init__(message, ResourceId=resource_id, ResourceType=resource_type)


class ResourceNotFoundException(_ResourceError):
    code = "ResourceNotFoundException"


class ConflictException(_ResourceError):
    code = "ConflictException"


class ServiceQuotaExceededException(LookoutVisionError):
    code = "ServiceQuotaExceededException"

    def __init__(
        self,
        message: str,
        quota_code: str,
        service_code: str,
        resource_id: str | None = None,
        resource_type: str | None = None,
    ) -> None:
        super().__init__(
            message,
            QuotaCode=quota_code,
            ServiceCode=service_code,
            ResourceId=resource_id,
            ResourceType=resource_type,
        )


class SerializationException(LookoutVisionError):
    """Not modelled: AWS's front end answers it (HTTP 400) for a body it can't read as the shape."""

    code = "SerializationException"


class RequestEntityTooLargeException(LookoutVisionError):
    """Not modelled: the answer (HTTP 413) to a request body larger than any the API takes."""

    code = "RequestEntityTooLargeException"
    unmodelled_status = 413


class UnsupportedMediaTypeException(LookoutVisionError):
    """Not modelled: the answer (HTTP 415) to a JSON body that doesn't say it is JSON."""

    code = "UnsupportedMediaTypeException"
    unmodelled_status = 415


class UnknownOperationException(LookoutVisionError):
    """Not modelled: the answer to a method and path that no operation of the API has."""

    code = "UnknownOperationException"
    unmodelled_status = 404


class UnrecognizedClientException(LookoutVisionError):
    """Not modelled: AWS's answer (HTTP 403) to a request whose identity it can't resolve, here
    an account id that isn't one (moto's ``x-moto-account-id`` header names it)."""

    code = "UnrecognizedClientException"
    unmodelled_status = 403


class MissingAuthenticationTokenException(LookoutVisionError):
    """Not modelled: AWS's answer (HTTP 403) to a request without a signature, where IAM is
    enforced (``permissions``)."""

    code = "MissingAuthenticationTokenException"
    unmodelled_status = 403


class IncompleteSignatureException(LookoutVisionError):
    """Not modelled: AWS's answer (HTTP 400) to an Authorization header that is no SigV4
    signature, where IAM is enforced."""

    code = "IncompleteSignatureException"
    unmodelled_status = 400


class InvalidSignatureException(LookoutVisionError):
    """Not modelled: AWS's answer (HTTP 403) to a signature that doesn't match the request, where
    IAM is enforced."""

    code = "InvalidSignatureException"
    unmodelled_status = 403
