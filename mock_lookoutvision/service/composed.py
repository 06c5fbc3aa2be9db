"""The whole service of one account and region, put together from its resource parts: what the
moto backend holds, and what a test can build with any ``Storage`` and no moto S3 behind it."""

from __future__ import annotations

from ..storage import Storage
from .base import ServiceState
from .hosting import HostingOperations
from .models import ModelOperations
from .packaging import PackagingOperations
from .projects import ProjectOperations
from .tags import TagOperations


class LookoutVisionService(
    ProjectOperations, HostingOperations, PackagingOperations, TagOperations
):
    """The service's operations are the parts' methods, named as botocore names the API's
    operations (``create_model`` for CreateModel)."""

    def __init__(self, account_id: str, region_name: str, partition: str, storage: Storage) -> None:
        ServiceState.__init__(self, account_id, region_name, partition, storage)
        ModelOperations.__init__(self)
        HostingOperations.__init__(self)
        PackagingOperations.__init__(self)
