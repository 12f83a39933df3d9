"""Print the JSON Schema of the claims output: `python -m factcheck.claims > schema.json`."""

import sys

from factcheck.claims import dump_schema

sys.stdout.write(dump_schema())
