"""Validation of the gateway's answers against OpenAI's own schemas (OpenAPI spec, fixtures/openai-schemas.json,
extracted by fixtures/extract_openai_schemas.py)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMAS_PATH = Path(__file__).resolve().parent / "fixtures" / "openai-schemas.json"


@functools.cache
def components() -> dict[str, Any]:
    return json.loads(SCHEMAS_PATH.read_text())["components"]


@functools.cache
def validator(name: str) -> Draft202012Validator:
    assert name in components()["schemas"], f"no schema {name} in {SCHEMAS_PATH.name}"
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": components()})


def assert_matches(name: str, instance: Any) -> None:
    """Fails with every violation (path and message) when `instance` does not match OpenAI's schema `name`."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    details = "\n".join(f"  at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
                        for e in errors[:10])
    assert not errors, f"not a valid {name}:\n{details}\ninstance: {json.dumps(instance)[:2000]}"
