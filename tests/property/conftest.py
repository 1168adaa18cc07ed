"""Hypothesis settings for the property tests: no example database on disk (nothing to ignore
in git, nothing carried between runs), no per-example deadline (a slow CI machine is not a
failure). Under CI (``CI`` set, as ``.ci/run`` runs) the examples are derandomized, so a run
is repeatable; elsewhere every run explores new examples. Each test's example count is
``strategies.examples(n)``: ``LEADWAVE_PROPERTY_SCALE=20`` runs twenty times as many."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("leadwave", database=None, deadline=None, print_blob=True)
settings.register_profile("ci", settings.get_profile("leadwave"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "leadwave")
