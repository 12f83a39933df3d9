"""Typed claims and their extraction from documents."""

from __future__ import annotations

import json
from typing import Any

from factcheck.claims.extract import extract_claims
from factcheck.claims.models import CLAIM_ADAPTER, Claim

__all__ = ["Claim", "claims_schema", "extract_claims"]


def claims_schema() -> dict[str, Any]:
    """Return the JSON Schema of `factcheck claims --format json` output."""
    claim = CLAIM_ADAPTER.json_schema(ref_template="#/$defs/{model}")
    defs = claim.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://factcheck.invalid/schemas/claims.schema.json",
        "title": "factcheck claims output",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "claims"],
        "properties": {
            "version": {"const": 1, "description": "Output format version."},
            "claims": {"type": "array", "items": claim, "description": "Claims in source order."},
        },
        "$defs": defs,
    }


def dump_schema() -> str:
    """Return the committed schema text (stable key order, trailing newline)."""
    return json.dumps(claims_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
