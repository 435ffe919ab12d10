"""The core is tested without an application: no app, no database."""

import pytest


@pytest.fixture(autouse=True)
def clean_db():
    """Overrides the project-wide table reset: core tests use no application and no database."""
    yield
