"""Fixtures shared across test folders, registered once so a test module names them only as parameters."""

pytest_plugins = ["tests.compare.review_clinic"]
