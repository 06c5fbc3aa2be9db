"""The service's URL map, as moto's ``urls`` modules give it: every path under the service's
endpoints is answered by the request pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .endpoints import HOST
from .moto_hook import answer_in_process
from .protocol import Response

url_bases = [HOST.pattern]


def dispatch(request: Any, full_url: str, headers: Mapping[str, Any]) -> Response:
    """moto's handler signature, for requests moto routes through its backend lookup (a client
    patched with ``moto.core.patch_client`` before this package was imported). Where the service
    gives no answer, the client's HTTP layer raises what it raises in-process
    (``moto_hook.answer_in_process``), chosen by the request's kind: recent moto hands this a
    werkzeug request it rebuilt, whatever the client, which is answered as a plain HTTP
    client's."""
    return answer_in_process(request, full_url)


url_paths = {"{0}/.*": dispatch}
