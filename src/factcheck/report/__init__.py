"""Reporters: turn a Report into text for people or JSON for tools."""

from __future__ import annotations

from factcheck.report.json import render_json, report_to_json
from factcheck.report.text import render_text

__all__ = ["render_json", "render_text", "report_to_json"]
