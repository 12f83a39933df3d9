"""Typed claims and their extraction from documents.

`extract_claims` is imported on first use: rules need the claim models, not the extractor
(and its Markdown parser), which a run whose results are cached never calls.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from factcheck.claims.models import Claim

if TYPE_CHECKING:
    from factcheck.claims.extract import extract_claims

__all__ = ["Claim", "claims_schema", "extract_claims"]


def __getattr__(name: str) -> Any:
    """Import `extract_claims` when it is first asked for."""
    if name == "extract_claims":
        from factcheck.claims.extract import extract_claims

        return extract_claims
    raise AttributeError(f"module 'factcheck.claims' has no attribute {name!r}")


def claims_schema() -> dict[str, Any]:
    """Return the JSON Schema of `factcheck claims --format json` output."""
    from typing import Annotated

    from pydantic import Field

    from factcheck.records import json_schema

    claim = json_schema(Annotated[Claim, Field(discriminator="kind")])
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
