"""Badge colours reach WCAG AA contrast (4.5:1) for their small text, read from static/css/site.css."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "site.css").read_text(encoding="utf-8")
RULE = re.compile(r"([^{}]+)\{([^}]*)\}")


def _variables() -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})", CSS))


def _colour(value: str, variables: dict[str, str]) -> str:
    value = value.strip()
    found = re.fullmatch(r"var\((--[\w-]+)\)", value)
    value = variables[found.group(1)] if found else value
    if value in ("#fff", "white"):
        return "#ffffff"
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", value), value
    return value


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def badge_pairs() -> list[tuple[str, str, str]]:
    """(selector, text colour, background) of every badge rule that sets a text colour; a badge
    without a background of its own sits on a panel."""
    variables = _variables()
    pairs = []
    for selectors, body in RULE.findall(CSS):
        declarations = dict(re.findall(r"(?<![\w-])(color|background):\s*([^;]+)", body))
        if "badge" in selectors and "color" in declarations:
            background = declarations.get("background", "var(--panel)")
            pairs.append((selectors.strip(), _colour(declarations["color"], variables), _colour(background, variables)))
    return pairs


def test_the_css_has_the_badges_we_check():
    selectors = {selector for selector, _, _ in badge_pairs()}
    assert {".badge.ok", ".badge.warn", ".badge.bad"} <= selectors


@pytest.mark.parametrize("selector, foreground, background", badge_pairs())
def test_badge_text_reaches_4_5_to_1(selector, foreground, background):
    assert contrast(foreground, background) >= 4.5, f"{selector}: {foreground} on {background}"


def test_the_measure_is_right():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
