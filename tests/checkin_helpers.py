"""Badges for the check-in tests, made directly (the badge service belongs to another part)."""

from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.models import Badge, utcnow
from matchmaker.services.eventday import tokens
from tests.conftest import in_app


@pytest.fixture
def make_badge(app):
    """Factory: a badge for a company id; returns ``(badge id, its check-in link path)``."""

    def make(company_id, name="山田 太郎", name_latin="Yamada Taro", revoked=False):
        with in_app(app):
            badge = Badge(company_id=company_id, name=name, name_latin=name_latin, nonce=tokens.new_nonce(),
                          revoked_at=utcnow() if revoked else None)
            db.session.add(badge)
            db.session.commit()
            with app.test_request_context("/"):
                return badge.id, tokens.checkin_path(badge)

    return make


@pytest.fixture
def make_staff(app):
    """Factory: an event-day staff account; returns its email (password of the factories)."""
    from matchmaker.models import User
    from tests.conftest import _HASH

    def make(email="staff@example.com", name="Lê Thị Hoa"):
        with in_app(app):
            db.session.add(User(email=email, name=name, password_hash=_HASH, role="staff"))
            db.session.commit()
        return email

    return make
