"""Shared by every test: stores built here may use the fast key profile (测试库)."""

import os

# the explicit flag `--kdf fast` needs outside tests (app/services/setup.py TEST_STORE_ENV); child
# processes the tests start inherit it
os.environ.setdefault("JIANTONG_TEST_STORES", "1")
