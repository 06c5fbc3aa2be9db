"""The service's URL map, as moto's ``urls`` modules give it: every path under the service's
endpoints is answered by the request pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .endpoints import HOST
from .pipeline import handle_request
from .protocol import Response

url_bases = [HOST.pattern]


def dispatch(request: Any, full_url: str, headers: Mapping[str, Any]) -> Response:
    """moto's handler signature, for requests moto routes through its backend lookup (a client
    patched with ``moto.core.patch_client`` before this package was imported)."""
    return handle_request(request)


url_paths = {"{0}/.*": dispatch}
