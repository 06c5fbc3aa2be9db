"""Server-side input validation, driven by the constraints of the shipped model.

Each input shape is compiled once into a checker that enforces what the model says: required
members, JSON types, length and value bounds, the Java-style patterns (matched whole, with ``regex``
for the ``\\p{L}``-style classes) and enums. botocore's client-side ``ParamValidator`` is no
substitute: it checks only minimums, never maximums, patterns or enums, words its findings for the
caller's own code, and a client with validation off or a raw HTTP caller skips it anyway.

Violations become one ``ValidationException`` worded the way AWS's front end words them
("1 validation error detected: Value 'x' at 'projectName' failed to satisfy constraint: ..."),
and a member of the wrong JSON type a ``SerializationException``, as for a body AWS cannot read.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import regex
from botocore.model import ListShape, Shape, StringShape, StructureShape

from .errors import SerializationException, ValidationException

# A checker gets a value and its path (AWS style: "outputConfig.s3Location.bucket") and adds
# constraint messages to the list; a type mismatch raises at once.
Checker = Callable[[Any, str, list[str]], None]

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "float": (int, float),
    "double": (int, float),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
    "blob": (bytes,),
    "timestamp": (int, float),
}


def validate(params: dict[str, Any], input_shape: Shape) -> None:
    """Raises the error AWS would answer for ``params``; returns quietly when they are valid."""
    messages: list[str] = []
    _checker(input_shape)(params, "", messages)
    if messages:
        count = len(messages)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(f"{count} validation {noun} detected: " + "; ".join(messages))


def _violation(value: Any, path: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{value if isinstance(value, str) else _json(value)}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _path(parent: str, member: str) -> str:
    name = member[:1].lower() + member[1:]
    return f"{parent}.{name}" if parent else name


@functools.cache
def _checker(shape: Shape) -> Checker:
    kind = shape.type_name
    meta = shape.metadata
    expected = _JSON_TYPES.get(kind)
    # botocore builds a shape of the subclass its type_name names, so isinstance and kind agree.
    if isinstance(shape, StructureShape):
        check_members = _structure_checker(shape)
    elif isinstance(shape, ListShape):
        check_items = _checker(shape.member)
    pattern = regex.compile(meta["pattern"]) if "pattern" in meta else None
    # The values in the model's order, for the message; a set for the check.
    enum_values: list[str] = shape.enum if isinstance(shape, StringShape) else []
    enum = frozenset(enum_values) if enum_values else None
    low, high = meta.get("min"), meta.get("max")
    service_rule = _SERVICE_RULES.get(shape.name)
    measure = len if kind in ("string", "list", "map", "blob") else None
    bound = "length" if measure is not None else "value"
    # Values seen to match the pattern: a test sends the same names, buckets and prefixes on
    # every call, and a pattern match costs more than the rest of a member's checks.
    matched: set[str] = set()

    def check(value: Any, path: str, messages: list[str]) -> None:
        if expected is not None and (
            not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool))
        ):
            raise SerializationException(
                f"Unexpected value type at '{path}': {_json(value)} is not a {kind}"
            )
        if low is not None or high is not None:
            size = measure(value) if measure is not None else value
            if low is not None and size < low:
                messages.append(
                    _violation(
                        value, path, f"Member must have {bound} greater than or equal to {low}"
                    )
                )
            if high is not None and size > high:
                messages.append(
                    _violation(
                        value, path, f"Member must have {bound} less than or equal to {high}"
                    )
                )
        if pattern is not None and value not in matched and not _matches(pattern, value, matched):
            messages.append(
                _violation(
                    value,
                    path,
                    f"Member must satisfy regular expression pattern: {meta['pattern']}",
                )
            )
        if enum is not None and value not in enum:
            messages.append(
                _violation(
                    value, path, f"Member must satisfy enum value set: [{', '.join(enum_values)}]"
                )
            )
        if kind == "structure":
            check_members(value, path, messages)
        elif kind == "list":
            for index, item in enumerate(value, start=1):
                check_items(item, f"{path}.{index}.member", messages)
        if service_rule is not None:
            service_rule(value, path, messages)

    return check


_MOST_REMEMBERED_MATCHES = 4096


def _matches(pattern: regex.Pattern[str], value: str, matched: set[str]) -> bool:
    if pattern.fullmatch(value) is None:
        return False
    if len(matched) < _MOST_REMEMBERED_MATCHES:
        matched.add(value)
    return True


def _structure_checker(shape: StructureShape) -> Checker:
    required = tuple(shape.required_members)
    # Member names as AWS writes them in paths, worked out once.
    members = tuple(
        (name, _path("", name), _checker(member)) for name, member in shape.members.items()
    )

    def check_members(value: dict[str, Any], path: str, messages: list[str]) -> None:
        for name in required:
            if value.get(name) is None:
                messages.append(_violation(None, _path(path, name), "Member must not be null"))
        for name, written, check in members:
            member_value = value.get(name)
            # Unknown members are ignored, as AWS's JSON front end ignores them.
            if member_value is not None:
                check(member_value, f"{path}.{written}" if path else written, messages)

    return check_members


# Rules the service applies that its model does not state, by the name of the shape they govern.


def _unique_tag_keys(tags: list[Any], path: str, messages: list[str]) -> None:
    # A resource holds one value per key, so a request naming a key twice is ambiguous.
    counts = Counter(tag.get("Key") for tag in tags if isinstance(tag, dict))
    repeated = sorted(str(key) for key, count in counts.items() if count > 1)
    if repeated:
        messages.append(
            _violation(tags, path, f"Member must have unique keys; repeated: {', '.join(repeated)}")
        )


def _not_a_reserved_tag_key(tag: dict[str, Any], path: str, messages: list[str]) -> None:
    # AWS-wide tagging rule: keys starting with aws: are reserved for AWS's own tags.
    key = tag.get("Key")
    if isinstance(key, str) and key.lower().startswith("aws:"):
        messages.append(
            _violation(key, f"{path}.key", "Member must not start with the reserved prefix aws:")
        )


_SERVICE_RULES: dict[str, Checker] = {"TagList": _unique_tag_keys, "Tag": _not_a_reserved_tag_key}
