"""Link-preview images (OpenGraph/Twitter cards) written by the build beside the database: one PNG per laureate,
`cartes/<id>.png`, and the site's own, `cartes/site.png`. Drawn once here with Pillow, never at request time.

Fonts: DejaVu from Debian's fonts-dejavu-core (installed by `make browser`); without it, the font Pillow ships
(its wheels bundle FreeType), so a build never needs the network.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from functools import cache
from pathlib import Path
from typing import Callable

from PIL import Image, ImageDraw, ImageFont

from tnl.build_layout import (
    PREVIEW_DIRECTORY,
    PREVIEW_HEIGHT,
    PREVIEW_SIZE,
    PREVIEW_WIDTH,
    SITE_PREVIEW,
)
from tnl.distinction_style import LABEL_OWN, LEFT_COLOURS, colours, short_label
from tnl.vocabulary import KIND_LABELS

MARGIN = 70
LINE_HEIGHT = 1.2
FONTS = Path("/usr/share/fonts/truetype/dejavu")
BACKGROUND, TEXT, MUTED = "#f7f8fa", "#1b1f24", "#4a4f57"
LAUREATES_SQL = """
select l.id, l.name, l.kind, l.latest_edition as edition, l.latest_distinction as distinction,
  l.latest_distinction_label as label, dep.name as departement
from labelled_territories l left join departements dep on dep.code = l.departement_code order by l.id
"""


def _capitalised(label: str) -> str:
    """« EPCI » stays « EPCI », « commune » becomes « Commune »."""
    return label[:1].upper() + label[1:]


def cards_dir(database: Path) -> Path:
    return Path(database).with_name(PREVIEW_DIRECTORY)


@cache  # loading a face costs more than drawing a card's text with it
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    return ImageFont.truetype(str(path), size) if path.is_file() else ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, size: int, width: int, height: int) -> tuple[list[str], ImageFont.FreeTypeFont]:
    """Greedy word wrap at the largest size (down to 40 px) that fits the box; else the last line is cut with « … »."""
    for candidate in range(size, 39, -4):
        face = font(candidate, bold=True)
        lines: list[str] = []
        for word in text.split():
            if lines and draw.textlength(f"{lines[-1]} {word}", font=face) <= width:
                lines[-1] += f" {word}"
            else:
                lines.append(word)
        max_lines = max(1, height // round(candidate * LINE_HEIGHT))
        if len(lines) <= max_lines and all(draw.textlength(line, font=face) <= width for line in lines):
            return lines, face
    lines = lines[:max_lines]
    while draw.textlength(lines[-1] + " …", font=face) > width and " " in lines[-1]:
        lines[-1] = lines[-1].rsplit(" ", 1)[0]
    lines[-1] += " …"
    return lines, face


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", PREVIEW_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, PREVIEW_WIDTH, 96], fill=LEFT_COLOURS[0])
    draw.text((MARGIN, 48), LABEL_OWN, font=font(40, bold=True), fill=LEFT_COLOURS[1], anchor="lm")
    draw.text((MARGIN, PREVIEW_HEIGHT - 40), "Données ouvertes du label · ADULLACT · Licence Ouverte 2.0", font=font(26), fill=MUTED, anchor="lm")
    return image, draw


def _save(image: Image.Image, path: Path) -> None:
    # 64 colours (text and flat areas: no visible loss) and light compression: 40 % of the RGB file's size, in half
    # the time of RGB at zlib's default level; median-cut or `optimize` cost 3 to 6 times more for 10 % less.
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(path, "PNG", compress_level=1)


def laureate_card(row: dict) -> Image.Image:
    image, draw = _canvas()
    lines, face = _wrap(draw, row["name"], 76, PREVIEW_WIDTH - 2 * MARGIN, 250)
    y = 130
    for line in lines:
        draw.text((MARGIN, y), line, font=face, fill=TEXT)
        y += round(face.size * LINE_HEIGHT)
    where = ", ".join(filter(None, [_capitalised(KIND_LABELS.get(row["kind"], "organisme")), row["departement"]]))
    draw.text((MARGIN, 395), where, font=font(32), fill=MUTED)
    latest = {"edition": row["edition"], "distinction": row["distinction"], "label": row["label"]}
    background, foreground = colours(latest)
    pill = f"{short_label(latest)} — édition {row['edition']}"
    pill_font = font(44, bold=True)
    right = MARGIN + draw.textlength(pill, font=pill_font) + 60
    draw.rounded_rectangle([MARGIN, 448, right, 530], radius=16, fill=background)
    draw.text((MARGIN + 30, 489), pill, font=pill_font, fill=foreground, anchor="lm")
    return image


def site_card() -> Image.Image:
    image, draw = _canvas()
    draw.text((MARGIN, 170), "Palmarès et données ouvertes", font=font(60, bold=True), fill=TEXT)
    for i, line in enumerate(["Chaque distinction depuis 2016, sourcée ; la carte des", "lauréats ; une page par territoire ; API JSON et CSV."]):
        draw.text((MARGIN, 290 + i * 52), line, font=font(38), fill=MUTED)
    return image


def write_cards(database: Path, report: Callable[[str], None] = lambda message: None) -> Path:
    """Write every card into a fresh folder, then swap it in place of the previous one."""
    target = cards_dir(database)
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        rows = [dict(r) for r in conn.execute(LAUREATES_SQL)]
    report(f"Images d'aperçu des liens ({len(rows) + 1})…")
    fresh = Path(tempfile.mkdtemp(prefix=PREVIEW_DIRECTORY + ".", dir=target.parent))
    try:
        os.chmod(fresh, 0o755)
        _save(site_card(), fresh / f"{SITE_PREVIEW}.png")
        for row in rows:
            _save(laureate_card(row), fresh / f"{row['id']}.png")
        previous = target.with_name(fresh.name + ".old")
        if target.exists():
            os.replace(target, previous)
        os.replace(fresh, target)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return target
