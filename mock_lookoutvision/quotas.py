"""Service Quotas: the service's adjustable limits, per account and region.

Codes, names and defaults are what Service Quotas lists for the service code ``lookoutvision``
(as its ListAWSDefaultServiceQuotas answered in us-east-1; the AWS General Reference page
"Amazon Lookout for Vision endpoints and quotas" names the same limits).
Each is adjustable on AWS, so a test may set its own value (``LookoutVisionMock.set_quota``). A call
that would go past one gets ServiceQuotaExceededException with the quota's code, and does nothing.
The request-rate quotas (5 calls a second, 10 for DetectAnomalies) aren't enforced: a test's
calls come faster than any real client's; ``inject_error`` gives throttling where a test wants it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ServiceQuotaExceededException

SERVICE_CODE = "lookoutvision"


@dataclass(frozen=True)
class Quota:
    code: str
    name: str
    default: int


PROJECTS = Quota("L-64685F61", "Maximum number of projects", 100)
MODELS_PER_PROJECT = Quota("L-1B1011CA", "Maximum number of models per project", 100)
RUNNING_MODELS = Quota("L-82DA2ABD", "Maximum number of running models", 2)
INFERENCE_UNITS = Quota("L-84E8C9F8", "Maximum number of inference units per started model", 5)
CONCURRENT_TRAININGS = Quota("L-2489F742", "Maximum number of concurrent training jobs", 2)
CONCURRENT_PACKAGING_JOBS = Quota(
    "L-A2F581AB", "Maximum number of concurrent model packaging jobs", 3
)
QUOTAS = {
    quota.code: quota
    for quota in (
        PROJECTS,
        MODELS_PER_PROJECT,
        RUNNING_MODELS,
        INFERENCE_UNITS,
        CONCURRENT_TRAININGS,
        CONCURRENT_PACKAGING_JOBS,
    )
}


class Quotas:
    """One account and region's quota values: the defaults, unless a test set others."""

    def __init__(self) -> None:
        self._values: dict[str, int] = {}

    def value(self, quota: Quota) -> int:
        return self._values.get(quota.code, quota.default)

    def set(self, code: str, value: int) -> None:
        if code not in QUOTAS:
            known = ", ".join(f"{q.code} ({q.name})" for q in QUOTAS.values())
            raise ValueError(f"{code} is not a quota of {SERVICE_CODE}; the quotas are {known}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"a quota is a whole number of at least 0, not {value!r}")
        self._values[code] = value

    def check(self, quota: Quota, in_use: int, more: int = 1) -> None:
        """Raises ServiceQuotaExceededException if ``in_use`` plus ``more`` would pass it."""
        limit = self.value(quota)
        if in_use + more > limit:
            raise ServiceQuotaExceededException(
                f"{quota.name} ({quota.code}) is {limit}; this would make it {in_use + more}.",
                quota_code=quota.code,
                service_code=SERVICE_CODE,
            )
