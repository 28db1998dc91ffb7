"""Shared test settings: hypothesis runs without deadlines (shared, noisy machines) and
derandomized, so the same inputs are drawn on every run."""

import os

from hypothesis import settings

settings.register_profile("weightgrad", deadline=None, derandomize=True, max_examples=100,
                          print_blob=True)
settings.register_profile("thorough", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "weightgrad"))
