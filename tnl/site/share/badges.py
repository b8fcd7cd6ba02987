"""A badge per territory, /territoire/<id>/badge.svg: the label's name, then the latest distinction and edition.

Hand-written SVG (a few lines of text and two rectangles): no maintained library draws shields-style badges with a
text alternative, and the badge must stay a small static file. Text widths are estimated, then fixed with
`textLength`, so the text fits its box whatever font the viewer has. Cached, gzipped and given Cache-Control and an
ETag by the response cache, like every page.
"""
from __future__ import annotations

from datasette import Response
from markupsafe import escape

from tnl.distinction_style import (
    LABEL_OWN,
    LEFT_COLOURS,
    alternative_text,
    colours,
    short_label,
)
from tnl.site.pages.territory_pages import not_found, references

HEIGHT, FONT_SIZE, PADDING = 28, 13, 10
CHAR_WIDTH = 0.6 * FONT_SIZE  # DejaVu Sans bold (the widest common fallback) averages 0.6 em per character


def _width(text: str) -> int:
    return round(len(text) * CHAR_WIDTH)


def badge_svg(name: str, latest: dict | None) -> str:
    """The badge of a territory named `name` whose latest distinction is `latest` (None: never labelled)."""
    left = LABEL_OWN
    right = short_label(latest) + (f" {latest['edition']}" if latest else "")
    left_width, right_width = _width(left) + 2 * PADDING, _width(right) + 2 * PADDING
    width = left_width + right_width
    background, foreground = colours(latest)
    alt = escape(alternative_text(name, latest))
    baseline = HEIGHT / 2 + FONT_SIZE * 0.36
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}" '
        f'role="img" aria-label="{alt}">'
        f"<title>{alt}</title>"
        f'<rect width="{width}" height="{HEIGHT}" rx="4" fill="{background}"/>'
        f'<path d="M4 0h{left_width - 4}v{HEIGHT}H4a4 4 0 0 1-4-4V4a4 4 0 0 1 4-4z" fill="{LEFT_COLOURS[0]}"/>'
        f'<g font-family="DejaVu Sans,Verdana,Geneva,sans-serif" font-size="{FONT_SIZE}" font-weight="bold" aria-hidden="true">'
        f'<text x="{PADDING}" y="{baseline:.1f}" fill="{LEFT_COLOURS[1]}" textLength="{_width(left)}" '
        f'lengthAdjust="spacingAndGlyphs">{escape(left)}</text>'
        f'<text x="{left_width + PADDING}" y="{baseline:.1f}" fill="{foreground}" textLength="{_width(right)}" '
        f'lengthAdjust="spacingAndGlyphs">{escape(right)}</text>'
        "</g></svg>"
    )


async def badge(datasette, request):
    ref = await references(datasette)
    territory = ref["territories"].get(request.url_vars["id"])
    if territory is None:
        return await not_found(datasette, request)
    return Response(badge_svg(territory["name"], territory["latest"]), content_type="image/svg+xml; charset=utf-8")
