"""What the service needs of S3 and KMS, as one small interface it is given.

The backend is given moto's implementation (``moto_storage``); a test of the service can give
it any other, such as a dict of objects.
"""

from __future__ import annotations

from typing import Protocol


class Unavailable(Exception):
    """Not an answer to the caller: an object or bucket the service was told to use is not there.
    The service turns it into the status and message it reports."""


class Storage(Protocol):
    def read(self, bucket: str, key: str, version: str | None = None) -> bytes:
        """An object's bytes; ``Unavailable`` saying why not."""
        ...

    def head(self, bucket: str, key: str, limit: int, max_size: int) -> tuple[bytes, int]:
        """The first ``limit`` bytes of an object and its size; no bytes at all when it is over
        ``max_size`` (it isn't read)."""
        ...

    def write(self, bucket: str, key: str, data: bytes) -> None:
        """Puts an object, as the service writes its results."""
        ...

    def bucket_region(self, bucket: str) -> str:
        """The region of a bucket (what s3:GetBucketLocation tells the service)."""
        ...

    def key_usable(self, key_id: str) -> bool:
        """Whether a KMS key id, key ARN, alias name or alias ARN names an enabled key."""
        ...
