"""The version of factcheck, apart so that modules imported by the package can read it."""

__version__ = "0.1.0"
