"""Test-wide settings: hypothesis profiles, and a cache folder outside the checkout.

Profiles (choose with HYPOTHESIS_PROFILE; default `ci`):

- `ci`: hypothesis's defaults with no deadline (shared CI machines are slow at random); the
  whole-dossier property tests (tests/test_properties.py) run a few dozen examples each.
- `long`: 100,000 whole dossiers in all for the whole-dossier property tests (their counts are
  set in tests/test_properties.py, so other tests keep theirs), no deadline, e.g.
  `HYPOTHESIS_PROFILE=long python -m pytest -p no:cacheprovider tests/test_properties.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from factcheck.cache import ENV_CACHE_DIR

settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile(
    "long", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point factcheck's cache (and that of every subprocess a test starts) at a temporary
    folder, so no test writes .factcheck_cache into the checkout."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV_CACHE_DIR, str(tmp_path_factory.mktemp("factcheck-cache")))
        yield
