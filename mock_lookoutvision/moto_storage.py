"""moto's S3 and KMS as the service's ``Storage``, for one account and region."""

from __future__ import annotations

import functools
from typing import Any

from .storage import Unavailable


@functools.cache
def _s3() -> tuple[Any, type[Exception]]:
    # Imported on first use: moto's S3 module is heavy. Its backends and missing-bucket error.
    from moto.s3.exceptions import MissingBucket
    from moto.s3.models import s3_backends

    return s3_backends, MissingBucket


class MotoStorage:
    def __init__(self, account_id: str, region_name: str, partition: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.partition = partition

    def _s3_backend(self) -> tuple[Any, type[Exception]]:
        s3_backends, missing_bucket = _s3()
        # Plain dict lookups first: BackendDict's own take a lock and copy (a training reads
        # every image); moto's lookup makes the backend on first use.
        partitions = dict.get(s3_backends, self.account_id)
        backend = dict.get(partitions, self.partition) if partitions is not None else None
        if backend is None:
            backend = s3_backends[self.account_id][self.partition]
        return backend, missing_bucket

    def _object(self, bucket: str, key: str, version: str | None) -> Any:
        s3, missing_bucket = self._s3_backend()
        try:
            found = s3.get_object(bucket, key, version)
        except missing_bucket:
            raise Unavailable(f"The bucket {bucket} does not exist.") from None
        if found is None:
            version_text = f" (version {version})" if version else ""
            raise Unavailable(f"The object s3://{bucket}/{key}{version_text} does not exist.")
        return found

    def read(self, bucket: str, key: str, version: str | None = None) -> bytes:
        data: bytes = self._object(bucket, key, version).value
        return data

    def head(self, bucket: str, key: str, limit: int, max_size: int) -> tuple[bytes, int]:
        found = self._object(bucket, key, None)
        size = int(found.size)
        head: bytes = found.value[:limit] if size <= max_size else b""
        return head, size

    def write(self, bucket: str, key: str, data: bytes) -> None:
        s3, missing_bucket = self._s3_backend()
        try:
            s3.put_object(bucket, key, data)
        except missing_bucket:
            raise Unavailable(f"The bucket {bucket} does not exist.") from None

    def bucket_region(self, bucket: str) -> str:
        s3, missing_bucket = self._s3_backend()
        try:
            region: str = s3.get_bucket(bucket).region_name
        except missing_bucket:
            raise Unavailable(f"The bucket {bucket} does not exist.") from None
        return region

    def key_usable(self, key_id: str) -> bool:
        # Imported on first use, like moto's S3: only CreateModel with a KmsKeyId needs it.
        from moto.kms.models import kms_backends

        # A key ARN names its own account and region; an id or alias is the caller's.
        account, region = self.account_id, self.region_name
        parts = key_id.split(":")
        if key_id.startswith("arn:") and len(parts) > 4:
            region, account = parts[3], parts[4]
        try:
            key = kms_backends[account][region].describe_key(key_id)
        except Exception:  # moto raises its own NotFound types, and KeyError for unknown aliases
            return False
        return bool(key.enabled)
