"""Network drawings from ``Problem.figure`` (SVG for HTML, TikZ for LaTeX)."""

from __future__ import annotations


def draw(spec, fmt: str, display) -> str:
    """The drawing in format ``fmt`` ("" where the format has none, as Markdown)."""
    return ""
