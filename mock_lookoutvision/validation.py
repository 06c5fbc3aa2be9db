"""Server-side input validation, driven by the constraints of the shipped model.

botocore's ``ParamValidator`` walks the input shape and checks required members and types; the
overrides here check every length and value bound, the Java-style patterns (matched whole, with
``regex`` for the ``\\p{L}``-style classes) and enums, which botocore's client never checks beyond a
minimum, and which a client with validation off or a raw HTTP caller skips. Violations become one
``ValidationException`` worded the way AWS's front end words them, and type mismatches a
``SerializationException``, as for a body AWS cannot read as the shape.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import regex
from botocore.model import Shape
from botocore.validate import ParamValidator, ValidationErrors, type_check

from .errors import SerializationException, ValidationException


@functools.cache
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


def _member_path(botocore_name: str) -> str:
    """botocore's ``.Tags[0].Key`` as AWS writes it: ``tags.1.member.key``."""
    parts = []
    for part in botocore_name.strip(".").split("."):
        name, _, index = part.partition("[")
        parts.append(name[:1].lower() + name[1:])
        while index:
            number, _, rest = index.partition("]")
            parts.append(f"{int(number) + 1}.member")
            index = rest.lstrip("[")
    return ".".join(p for p in parts if p)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


class _Violations(ValidationErrors):  # type: ignore[misc]
    """Collects botocore's reports and the extra ones below as AWS-style sentences."""

    def __init__(self) -> None:
        super().__init__()
        self.constraint_messages: list[str] = []
        self.type_messages: list[str] = []

    def report(self, name: str, reason: str, **details: Any) -> None:
        if reason == "missing required field":
            path = _member_path(f"{name}.{details['required_name']}")
            self._constraint(None, path, "Member must not be null")
        elif reason == "invalid type":
            self.type_messages.append(
                f"Unexpected value type for '{_member_path(name)}': {_shown(details['param'])}"
            )
        elif reason == "constraint":
            self._constraint(details["param"], _member_path(name), details["constraint"])
        # Unknown members are ignored, as AWS's JSON front end does.

    def _constraint(self, value: Any, path: str, constraint: str) -> None:
        shown = "null" if value is None else f"'{_shown(value)}'"
        self.constraint_messages.append(
            f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"
        )


class _ServerSideValidator(ParamValidator):  # type: ignore[misc]
    """botocore's walk (required members, types); the bounds, patterns and enums added here."""

    @type_check(valid_types=(str,))  # type: ignore[untyped-decorator]
    def _validate_string(self, param: str, shape: Shape, errors: _Violations, name: str) -> None:
        meta = shape.metadata
        _check_length(param, len(param), meta, errors, name)
        if "pattern" in meta and _compiled(meta["pattern"]).fullmatch(param) is None:
            errors.report(
                name,
                "constraint",
                param=param,
                constraint=f"Member must satisfy regular expression pattern: {meta['pattern']}",
            )
        if shape.enum and param not in shape.enum:
            errors.report(
                name,
                "constraint",
                param=param,
                constraint=f"Member must satisfy enum value set: [{', '.join(shape.enum)}]",
            )

    @type_check(valid_types=(list, tuple))  # type: ignore[untyped-decorator]
    def _validate_list(
        self, param: list[Any], shape: Shape, errors: _Violations, name: str
    ) -> None:
        _check_length(param, len(param), shape.metadata, errors, name)
        for index, item in enumerate(param):
            self._validate(item, shape.member, errors, f"{name}[{index}]")

    @type_check(valid_types=(int,))  # type: ignore[untyped-decorator]
    def _validate_integer(self, param: int, shape: Shape, errors: _Violations, name: str) -> None:
        meta = shape.metadata
        if "min" in meta and param < meta["min"]:
            errors.report(
                name,
                "constraint",
                param=param,
                constraint=f"Member must have value greater than or equal to {meta['min']}",
            )
        if "max" in meta and param > meta["max"]:
            errors.report(
                name,
                "constraint",
                param=param,
                constraint=f"Member must have value less than or equal to {meta['max']}",
            )


def _check_length(
    param: Any, length: int, meta: dict[str, Any], errors: _Violations, name: str
) -> None:
    if "min" in meta and length < meta["min"]:
        errors.report(
            name,
            "constraint",
            param=param,
            constraint=f"Member must have length greater than or equal to {meta['min']}",
        )
    if "max" in meta and length > meta["max"]:
        errors.report(
            name,
            "constraint",
            param=param,
            constraint=f"Member must have length less than or equal to {meta['max']}",
        )


_validator = _ServerSideValidator()


def validate(params: dict[str, Any], input_shape: Shape) -> None:
    """Raises the error AWS would answer for ``params``; returns quietly when they are valid."""
    violations = _Violations()
    _validator._validate(params, input_shape, violations, name="")
    if violations.type_messages:
        raise SerializationException(violations.type_messages[0])
    messages = violations.constraint_messages
    if messages:
        count = len(messages)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(f"{count} validation {noun} detected: " + "; ".join(messages))
