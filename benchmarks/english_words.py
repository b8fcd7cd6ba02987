"""Count the English words a visitor sees on the main pages (visible text and <title>; not scripts, styles, SQL).

English, here: a word of the text of Datasette's installed templates or of the labels Datasette builds in Python,
or a column name or code of the API (column names, `kind`, `confidence`... values), minus the words French shares
(« date », « source », « table »...). Words inside <code> are counted apart: pages show API names there on purpose
(glossary, column descriptions). Prints one line per page and the totals.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/english_words.py [--db build/tnl.db]
"""
from __future__ import annotations

import argparse
import asyncio
import html
import re
import sqlite3
from pathlib import Path

import datasette

from tnl.site.http.serve import datasette_app

PAGES = [
    "/", "/tnl", "/tnl/results", "/tnl/results?edition=2024", "/tnl/results_map", "/tnl/labelled_territories",
    "/tnl/territories?kind=commune", "/tnl/territories/213801517", "/tnl/results/2023,210500740",
    "/tnl/territory_history", "/tnl/palmares", "/tnl/progressions", "/tnl/fideles", "/tnl/nouveaux_laureats",
    "/tnl/par_region", "/territoire/213801517", "/territoire/200040715", "/a-propos", "/tnl/nope",
]
FRENCH_TOO = {
    "a", "date", "code", "source", "sources", "type", "population", "table", "tables", "distinction", "distinctions",
    "nature", "latitude", "longitude", "mention", "mentions", "note", "description", "format", "page", "menu",
    "question", "questions", "label", "labels", "edition", "domain", "image", "simple", "article", "national",
    "region", "client", "via", "minimal", "normal", "total", "final", "options", "actions", "transformation",
    "unique", "moyenne", "probable", "id", "csv", "json", "sql", "sqlite", "datasette", "api", "url", "sha", "epci",
    "siren", "insee", "cog", "or", "argent", "bronze", "badge", "niveau", "atom", "excel", "x", "on", "off", "est",
    "pas", "en", "de", "du", "le", "la", "les", "une", "par", "plus", "site", "contre", "commune", "communes",
    "association", "syndicat", "indicator", "indicators", "scheme", "unit", "public", "export", "ms", "autre", "version",
}
WORD = re.compile(r"[A-Za-z][A-Za-z_]*")
TOKEN = re.compile(r"[\w'’-]+")  # accented letters stay inside their word (« Isère » is not « Is » + « re »)


def datasette_words() -> set[str]:
    """Words of the text of Datasette's templates (tags and {{ }}/{% %} removed) and of filters.py's labels."""
    root = Path(datasette.__file__).parent
    words = set()
    for path in (root / "templates").glob("*.html"):
        text = re.sub(r"(?s)\{[{%#].*?[}%#]\}", " ", path.read_text(encoding="utf-8"))
        text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]+>", " ", text)
        words |= {w.lower() for w in WORD.findall(text)}
    labels = re.findall(r'"([a-z][a-z ]+)"', (root / "filters.py").read_text(encoding="utf-8"))
    words |= {w for label in labels for w in label.split()}
    return words | {"row", "rows", "where", "sorted", "by", "descending", "records", "results", "showing", "of"}


def api_words(db: Path) -> set[str]:
    """Every column name, and the codes of the columns that hold codes."""
    conn = sqlite3.connect(db)
    words = set()
    for (table,) in conn.execute("select name from sqlite_master where type in ('table', 'view')"):
        words |= {row[1].lower() for row in conn.execute(f'pragma table_info("{table}")')}
    for sql in ("select distinct kind from territories", "select distinct confidence from results",
                "select distinct match_confidence from results", "select distinct status from open_questions",
                "select distinct origin from indicator_values", "select distinct epci_type from territories"):
        words |= {str(row[0]).lower() for row in conn.execute(sql) if row[0]}
    return words


def visible(html: str) -> tuple[str, str]:
    """(text outside <code>, text inside <code>) of a page, scripts, styles and SQL listings removed."""
    html = re.sub(r"(?s)<(script|style|pre|textarea)\b.*?</\1>|<!--.*?-->", " ", html)
    code = " ".join(re.findall(r"(?s)<code>(.*?)</code>", html))
    html = re.sub(r"(?s)<code>.*?</code>", " ", html)
    return re.sub(r"<[^>]+>", " ", html), re.sub(r"<[^>]+>", " ", code)


def english(text: str, vocabulary: set[str]) -> list[str]:
    """Words of the vocabulary; tokens with digits or hyphens (ids such as « 2024,etablissement_public-cdg-47 »,
    URLs) are identifiers, not words."""
    text = re.sub(r"https?://\S+", " ", html.unescape(text))
    tokens = (t.strip("'’-") for t in TOKEN.findall(text))
    return [t for t in tokens if len(t) > 1 and not re.search(r"[\d-]", t) and t.lower() in vocabulary
            and t.lower() not in FRENCH_TOO]


async def main(db: Path) -> None:
    vocabulary = datasette_words() | api_words(db)
    ds = datasette_app(db)
    totals = [0, 0]
    for path in PAGES:
        response = await ds.client.get(path)
        text, code = visible(response.text)
        found, in_code = english(text, vocabulary), english(code, vocabulary)
        totals[0] += len(found)
        totals[1] += len(in_code)
        sample = " ".join(sorted(set(found))[:12])
        print(f"{path:40} {response.status_code}  {len(found):4} words  ({len(in_code)} in <code>)  {sample}")
    print(f"{'total':40}      {totals[0]:4} words  ({totals[1]} in <code>) on {len(PAGES)} pages")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/tnl.db"))
    asyncio.run(main(parser.parse_args().db))
