"""The backend moto holds: one ``LookoutVisionBackend`` per account and region in a ``BackendDict``.

(``models.py`` and ``urls.py`` are moto's names: moto finds a service's URL map in the ``urls``
module beside its backend's module.) The backend is thin: it puts the resource parts of
``service`` together and gives them moto's S3 and KMS as their storage.
"""

from __future__ import annotations

from moto import settings as moto_settings
from moto.core.base_backend import BackendDict, BaseBackend

from .api_model import SERVICE_NAME
from .endpoints import REGIONS, RegionNotOffered
from .moto_storage import MotoStorage
from .service.composed import LookoutVisionService


class LookoutVisionBackend(LookoutVisionService, BaseBackend):
    """The service in one account and region, with moto's S3 and KMS as its storage."""

    def __init__(self, region_name: str, account_id: str) -> None:
        BaseBackend.__init__(self, region_name, account_id)
        storage = MotoStorage(account_id, region_name, self.partition)
        LookoutVisionService.__init__(self, account_id, region_name, self.partition, storage)


lookoutvision_backends = BackendDict(
    LookoutVisionBackend, SERVICE_NAME, use_boto3_regions=False, additional_regions=REGIONS
)


def backend_of(account: str, region: str) -> LookoutVisionBackend:
    """The backend of an account and region, created on first use; ``RegionNotOffered`` for a
    region the service was never in (unless moto allows unknown regions).

    Existing backends are read with plain dict lookups: ``BackendDict.__getitem__`` takes a lock
    and copies the account list on every call, which shows on the per-request path.
    """
    regions = dict.get(lookoutvision_backends, account)
    existing = dict.get(regions, region) if regions is not None else None
    if existing is not None:
        return existing
    require_offered(region)
    backend: LookoutVisionBackend = lookoutvision_backends[account][region]
    return backend


def require_offered(region: str) -> None:
    """``RegionNotOffered`` for a region the service was never in (unless moto allows unknown
    regions)."""
    if region not in REGIONS and not moto_settings.allow_unknown_region():
        raise RegionNotOffered(region)


def drop_all_backends() -> None:
    """Forgets every account's and region's state of this service (and only of this service)."""
    lookoutvision_backends.clear()
