"""URL helpers."""

from __future__ import annotations

from urllib.parse import urlparse


def safe_next(target: str | None) -> str | None:
    """Return *target* if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
