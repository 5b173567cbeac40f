"""Validation of a process execution request against the process's declared inputs."""

from __future__ import annotations

from typing import Any

from app.errors import InvalidParameter

_TYPES = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _check(name: str, value: Any, schema: dict) -> Any:
    kinds = schema.get("type")
    options = kinds if isinstance(kinds, list) else [kinds] if kinds else []
    if value is None and "null" in options:
        return None
    ok = not options or any(
        isinstance(value, _TYPES[k]) and not (isinstance(value, bool) and k != "boolean")
        for k in options
        if k in _TYPES
    )
    if not ok:
        raise InvalidParameter(f"input {name!r} must be of type {' or '.join(options)}", name)
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(str(v) for v in schema["enum"])
        raise InvalidParameter(f"input {name!r}: {value!r} is not one of {allowed}", name)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise InvalidParameter(f"input {name!r} must be ≥ {schema['minimum']}", name)
        if "maximum" in schema and value > schema["maximum"]:
            raise InvalidParameter(f"input {name!r} must be ≤ {schema['maximum']}", name)
    return value


def execution_request(body: Any, declared: dict[str, dict]) -> tuple[dict, dict | None, str]:
    """(inputs, outputs, response) of an execute request; InvalidParameter if malformed."""
    if not isinstance(body, dict):
        raise InvalidParameter("the request body must be a JSON object with 'inputs'", "body")
    unknown = sorted(set(body) - {"inputs", "outputs", "response", "subscriber"})
    if unknown:
        raise InvalidParameter(f"unknown member {unknown[0]!r} in the request body", unknown[0])
    inputs = body.get("inputs", {})
    if not isinstance(inputs, dict):
        raise InvalidParameter("'inputs' must be an object of input values by id", "inputs")
    extra = sorted(set(inputs) - set(declared))
    if extra:
        raise InvalidParameter(
            f"unknown input {extra[0]!r}; this process takes: {', '.join(declared)}", extra[0]
        )
    values = {}
    for name, desc in declared.items():
        if name not in inputs or inputs[name] is None:
            if desc.get("minOccurs", 0) >= 1:
                raise InvalidParameter(f"input {name!r} is required", name)
            values[name] = desc["schema"].get("default")
            continue
        value = inputs[name]
        if isinstance(value, dict) and "value" in value and desc["schema"].get("type") != "object":
            value = value["value"]  # the qualified form {"value": ...}
        values[name] = _check(name, value, desc["schema"])
    outputs = body.get("outputs")
    if outputs is not None and not isinstance(outputs, dict):
        raise InvalidParameter("'outputs' must be an object keyed by output id", "outputs")
    response = body.get("response", "document")
    if response not in ("document", "raw"):
        raise InvalidParameter("'response' must be 'document' or 'raw'", "response")
    return values, outputs, response
