"""factcheck: lint research dossiers for facts that contradict each other."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
