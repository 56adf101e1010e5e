"""Shared pytest set-up: import the flat root modules and keep TF quiet.

The shared test helpers (tiny configs, model files, data, the script runner)
are in tests/helpers.py.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
  sys.path.insert(0, ROOT)

# Older imports of these names from here keep working.
from tests.helpers import tiny_bert_config  # pylint: disable=g-import-not-at-top,unused-import,wrong-import-position
from tests.helpers import TINY_BERT_CONFIG  # pylint: disable=g-import-not-at-top,unused-import,wrong-import-position
from tests.helpers import write_encoder_checkpoint  # pylint: disable=g-import-not-at-top,unused-import,wrong-import-position
