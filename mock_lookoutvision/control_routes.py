"""The handle's controls as JSON routes under ``/_mock_lookoutvision/``, for clients of the server
in other processes (a JavaScript test, a shell script driving the AWS CLI).

Every route takes a JSON object (``POST``) or query parameters (``GET``) and answers JSON. Those
acting on one account's and region's state (quotas, errors, next-failure, detection-results and the
step routes) may name ``account_id`` and ``region_name`` to act on another than the server's
default ones; the others act on the whole mock and refuse them. A bad control request gets a 4xx
with ``{"error": <kind>, "message": ...}``, a fault of the mock a 500 with ``"InternalError"``; no
control answers HTML.
"""

from __future__ import annotations

import base64
import binascii
import inspect
import json
import logging
import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import errors
from .clock import clock
from .control_errors import ControlError, StepNotInProgress
from .control_errors import UnknownResource as UnknownResourceError
from .faults import DroppedConnection, Fault
from .handle import LookoutVisionMock, Scope, StepControl
from .inference import Anomaly
from .journal import Call

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/_mock_lookoutvision/"

# The service errors a control may inject, by their code.
INJECTABLE_ERRORS: dict[str, type[errors.LookoutVisionError]] = {
    kind.code: kind
    for kind in (
        errors.AccessDeniedException,
        errors.ConflictException,
        errors.InternalServerException,
        errors.ResourceNotFoundException,
        errors.ServiceQuotaExceededException,
        errors.ThrottlingException,
        errors.ValidationException,
    )
}
# The URL's step names, and the attribute each names on the resource's controls.
_STEP_ATTRIBUTES = {
    "models": {s: s for s in ("training", "hosting_start", "hosting_stop", "deletion")},
    "datasets": {"import": "import_", "update": "update", "deletion": "deletion"},
    "packaging-jobs": {"packaging": "packaging"},
}


# The routes that act on the whole mock (its clock, durations and journal, every service's state):
# naming an account or region there would be silently ignored, so it is refused. The journal
# keeps no account or region to filter calls by.
_WHOLE_MOCK_ROUTES = frozenset({"now", "advance", "reset", "speed", "durations", "calls"})
_SCOPE_ARGUMENTS = ("account_id", "region_name")


class BadControlRequest(ValueError):
    """A control request that is not what its route takes."""


def _routes() -> Map:
    p = CONTROL_PREFIX
    return Map(
        [
            Rule(f"{p}now", endpoint="now", methods=["GET"]),
            Rule(f"{p}advance", endpoint="advance", methods=["POST"]),
            Rule(f"{p}reset", endpoint="reset", methods=["POST"]),
            Rule(f"{p}speed", endpoint="speed", methods=["POST"]),
            Rule(f"{p}durations", endpoint="durations", methods=["POST"]),
            Rule(f"{p}quotas", endpoint="quota", methods=["POST"]),
            Rule(f"{p}errors", endpoint="inject_error", methods=["POST"]),
            Rule(f"{p}errors", endpoint="clear_errors", methods=["DELETE"]),
            Rule(f"{p}next-failure", endpoint="next_failure", methods=["POST"]),
            Rule(f"{p}detection-results", endpoint="detection_result", methods=["POST"]),
            Rule(f"{p}calls", endpoint="calls", methods=["GET"]),
            Rule(
                f"{p}<any(models, datasets, 'packaging-jobs'):kind>/<project>/<name>/<step>/"
                "<any(finish, fail):action>",
                endpoint="step",
                methods=["POST"],
            ),
        ]
    )


class ControlRoutes:
    """A WSGI application answering the control routes with a server's handle."""

    def __init__(self, handle: LookoutVisionMock, reset: Callable[[], None]) -> None:
        self._handle = handle
        self._reset_all = reset
        self._map = _routes()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        response = self._answer(Request(environ))
        return response(environ, start_response)

    def _answer(self, request: Request) -> Response:
        try:
            endpoint, labels = self._map.bind_to_environ(request.environ).match()
            arguments = self._arguments(request)
            if endpoint in _WHOLE_MOCK_ROUTES:
                _refuse_scope(arguments)
            action: Callable[..., dict[str, Any]] = getattr(self, f"_{endpoint}")
            return _json(200, action(self._scope(arguments), arguments, **labels))
        except HTTPException as refused:  # no such route, or not with this method
            kind = "UnknownControl" if refused.code == 404 else "MethodNotAllowed"
            return _json(refused.code or 400, _error(kind, refused.description or ""))
        except BadControlRequest as bad:
            return _json(400, _error("BadControlRequest", str(bad)))
        except UnknownResourceError as missing:
            return _json(404, _error("UnknownResource", str(missing)))
        except StepNotInProgress as idle:
            return _json(409, _error("StepNotInProgress", str(idle)))
        except (ControlError, ValueError) as refused:
            return _json(400, _error("BadControlRequest", str(refused)))
        except Exception as fault:  # a bug of the mock: said as JSON, and logged to be found
            logger.exception("control %s %s failed", request.method, request.path)
            return _json(500, _error("InternalError", f"{type(fault).__name__}: {fault}"))

    @staticmethod
    def _arguments(request: Request) -> dict[str, Any]:
        if request.method == "GET":
            return dict(request.args)
        data = request.get_data()
        if not data.strip():
            return {}
        try:
            arguments = json.loads(data)
        except (ValueError, RecursionError):
            raise BadControlRequest("the request body is not JSON") from None
        if not isinstance(arguments, dict):
            raise BadControlRequest("the request body must be a JSON object")
        return arguments

    def _scope(self, arguments: Mapping[str, Any]) -> Scope:
        account_id = _optional(arguments, "account_id", str)
        region_name = _optional(arguments, "region_name", str)
        if account_id is None and region_name is None:
            return self._handle
        return self._handle.scoped(account_id=account_id, region_name=region_name)

    # The routes. Each takes the scope, the JSON arguments and the URL's labels.

    def _now(self, scope: Scope, arguments: Mapping[str, Any]) -> dict[str, Any]:
        return {"now": clock.time(), "speed": clock.speed}

    def _advance(self, scope: Scope, arguments: Mapping[str, Any]) -> dict[str, Any]:
        seconds = _required(arguments, "seconds", (int, float))
        return {"now": self._handle.advance(seconds).timestamp()}

    def _reset(self, scope: Scope, arguments: Mapping[str, Any]) -> dict[str, Any]:
        self._reset_all()
        return {"now": clock.time()}

    def _speed(self, scope: Scope, arguments: Mapping[str, Any]) -> dict[str, Any]:
        clock.set_speed(_required(arguments, "speed", (int, float)))
        return {"now": clock.time(), "speed": clock.speed}

    def _durations(self, scope: Scope, arguments: Mapping[str, Any]) -> dict[str, Any]:
        durations = _required(arguments, "durations", dict)
        for name, seconds in durations.items():
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                raise BadControlRequest(f"the duration of {name!r} must be a number of seconds")
        self._handle.set_durations(durations)
        return {}

    def _quota(self, scope: Scope, arguments: Mapping[str, Any]) -> dict[str, Any]:
        scope.set_quota(_required(arguments, "quota_code", str), _required(arguments, "value", int))
        return {}

    def _inject_error(self, scope: Scope, arguments: Mapping[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(arguments) - _INJECT_ERROR_ARGUMENTS)
        if unknown:
            raise BadControlRequest(
                f"errors takes no {', '.join(map(repr, unknown))}; it takes "
                f"{', '.join(sorted(_INJECT_ERROR_ARGUMENTS))}"
            )
        operation = _required(arguments, "operation", str)
        error = _injected_error(arguments)
        # "times": null is until cleared; no "times" is the handle's default.
        times = {"times": _optional(arguments, "times", int)} if "times" in arguments else {}
        after_commit = arguments.get("after_commit", False)
        if not isinstance(after_commit, bool):
            raise BadControlRequest(
                f"'after_commit' must be true or false, not {json.dumps(after_commit)}"
            )
        scope.inject_error(
            operation,
            error,
            **times,
            fraction=_optional(arguments, "fraction", (int, float)),
            seed=_optional(arguments, "seed", int),
            # Member values to match: a function can't cross HTTP.
            when=_optional(arguments, "when", dict),
            after_commit=after_commit,
        )
        return {}

    def _clear_errors(self, scope: Scope, arguments: Mapping[str, Any]) -> dict[str, Any]:
        return {"cleared": scope.clear_errors(_optional(arguments, "operation", str))}

    def _detection_result(self, scope: Scope, arguments: Mapping[str, Any]) -> dict[str, Any]:
        image = _base64(arguments, "image")
        if not image:  # absent, or no bytes: no DetectAnomalies call sends those
            raise BadControlRequest("'image' is required: the image's bytes, base64-encoded")
        is_anomalous = arguments.get("is_anomalous")
        if not isinstance(is_anomalous, bool):
            raise BadControlRequest(
                f"'is_anomalous' must be true or false, not {json.dumps(is_anomalous)}"
            )
        anomalies = _optional(arguments, "anomalies", list) or []
        scope.set_detection_result(
            image,
            is_anomalous=is_anomalous,
            confidence=_number(arguments, "confidence"),
            anomalies=[_anomaly(number, item) for number, item in enumerate(anomalies)],
            anomaly_mask=_base64(arguments, "anomaly_mask"),
        )
        return {}

    def _next_failure(self, scope: Scope, arguments: Mapping[str, Any]) -> dict[str, Any]:
        step = _required(arguments, "step", str)
        scope.next(step).fails(_optional(arguments, "message", str))
        return {}

    def _calls(self, scope: Scope, arguments: Mapping[str, Any]) -> dict[str, Any]:
        operation = _optional(arguments, "operation", str)
        return {"calls": [_call_json(call) for call in self._handle.calls(operation)]}

    def _step(
        self,
        scope: Scope,
        arguments: Mapping[str, Any],
        *,
        kind: str,
        project: str,
        name: str,
        step: str,
        action: str,
    ) -> dict[str, Any]:
        attribute = _STEP_ATTRIBUTES[kind].get(step)
        if attribute is None:
            raise BadControlRequest(
                f"{kind} have no step {step!r}; theirs are {', '.join(_STEP_ATTRIBUTES[kind])}"
            )
        if kind == "models":
            controls: object = scope.model(project, name)
        elif kind == "datasets":
            controls = scope.dataset(project, name)
        else:
            controls = scope.packaging_job(project, name)
        control: StepControl = getattr(controls, attribute)
        if action == "finish":
            control.finish()
        else:
            control.fail(_optional(arguments, "message", str))
        return {}


_INJECT_ERROR_ARGUMENTS = frozenset(
    {
        "operation",
        "code",
        "message",
        "members",
        "times",
        "fraction",
        "seed",
        "when",
        "after_commit",
        *_SCOPE_ARGUMENTS,
    }
)


def _injected_error(arguments: Mapping[str, Any]) -> Fault:
    """The error a POST errors names: a service error's code, message and members, or
    ``DroppedConnection`` (no message or members: nothing is answered)."""
    code = _required(arguments, "code", str)
    if code == DroppedConnection.code:
        given = [name for name in ("message", "members") if arguments.get(name) is not None]
        if given:
            raise BadControlRequest(
                f"a dropped connection answers nothing: drop {' and '.join(given)}"
            )
        return DroppedConnection()
    kind = INJECTABLE_ERRORS.get(code)
    if kind is None:
        raise BadControlRequest(
            f"{code!r} is not an error to inject; those are {', '.join(INJECTABLE_ERRORS)} "
            f"and {DroppedConnection.code}"
        )
    members = _optional(arguments, "members", dict) or {}
    _check_members(kind, members)
    try:
        return kind(_required(arguments, "message", str), **members)
    except TypeError as wrong:
        raise BadControlRequest(f"{code} does not take these members: {wrong}") from None


def _refuse_scope(arguments: Mapping[str, Any]) -> None:
    named = [name for name in _SCOPE_ARGUMENTS if arguments.get(name) is not None]
    if named:
        raise BadControlRequest(
            f"this control acts on the whole mock, not on one account or region: drop "
            f"{' and '.join(named)}"
        )


def _check_members(kind: type[errors.LookoutVisionError], members: Mapping[str, Any]) -> None:
    """Refuses a member of a type the error's constructor doesn't take (``"soon"`` for
    ``retry_after_seconds``), before anything is injected. Unknown names are left to the
    constructor, which says which it takes."""
    parameters = inspect.signature(kind.__init__).parameters
    hints = typing.get_type_hints(kind.__init__)
    for name, value in members.items():
        if name not in parameters or name not in hints:
            continue
        hint = hints[name]
        # ``int | None`` and the like: None leaves the member out.
        allowed = typing.get_args(hint) or (hint,)
        if isinstance(hint, types.UnionType | type) and (
            (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed)
        ):
            wanted = " or ".join("null" if t is type(None) else t.__name__ for t in allowed)
            raise BadControlRequest(
                f"member {name!r} of {kind.code} must be a {wanted}, not {json.dumps(value)}"
            )


def _number(arguments: Mapping[str, Any], name: str) -> float:
    """A required, finite number: JSON's NaN and Infinity are read as floats, but no result can
    say them."""
    value = arguments.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadControlRequest(f"{name!r} must be a finite number, not {json.dumps(value)}")
    return float(value)


def _base64(arguments: Mapping[str, Any], name: str) -> bytes | None:
    value = _optional(arguments, name, str)
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise BadControlRequest(f"{name!r} is not base64") from None


_ANOMALY_FIELDS = ("name", "total_percentage_area", "color")


def _anomaly(number: int, item: Any) -> Anomaly:
    """An ``inference.Anomaly`` from a JSON object with its field names."""
    where = f"anomalies[{number}]"
    if not isinstance(item, dict):
        raise BadControlRequest(f"{where} must be an object with {', '.join(_ANOMALY_FIELDS)}")
    unknown = sorted(set(item) - set(_ANOMALY_FIELDS))
    if unknown:
        raise BadControlRequest(f"{where} has no field {', '.join(unknown)}")
    name = item.get("name")
    color = item.get("color")
    if not isinstance(name, str) or not isinstance(color, str):
        raise BadControlRequest(f"{where}: 'name' and 'color' are required strings")
    area = _number(item, "total_percentage_area")
    return Anomaly(name, area, color)


def _required(arguments: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = _optional(arguments, name, kind)
    if value is None:
        raise BadControlRequest(f"{name!r} is required")
    return value


def _optional(arguments: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = arguments.get(name)
    # JSON's true and false are Python bools, which are ints too.
    if value is not None and (isinstance(value, bool) or not isinstance(value, kind)):
        wanted = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise BadControlRequest(f"{name!r} must be a {wanted}, not {json.dumps(value)}")
    return value


def _error(kind: str, message: str) -> dict[str, str]:
    return {"error": kind, "message": message}


def _json(status: int, body: Mapping[str, Any]) -> Response:
    return Response(json.dumps(body, default=_jsonable), status=status, mimetype="application/json")


def _call_json(call: Call) -> dict[str, Any]:
    return {
        "operation": call.operation,
        "parameters": call.parameters,
        "error": call.error,
        "seconds": call.seconds,
        "committed": call.committed,
    }


def _jsonable(value: Any) -> Any:
    """Parameters that JSON has no type for: blobs as base64, timestamps as epoch seconds."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return value.timestamp()
    return str(value)
