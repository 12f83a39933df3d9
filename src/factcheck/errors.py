"""Errors a user can act on: one line with the path and the reason."""

from __future__ import annotations


class FactcheckError(Exception):
    """Base of every error factcheck reports to a user instead of a traceback."""


class InputError(FactcheckError):
    """A file could not be read or decoded."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ConfigError(FactcheckError):
    """A rule, vocabulary or configuration file is invalid."""

    def __init__(self, path: str, line: int, column: int, reason: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {reason}")
        self.path = path
        self.line = line
        self.column = column
        self.reason = reason
