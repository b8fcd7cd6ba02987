"""The rows of a territory page's peers table (#liste-pairs), written in Python rather than in the template.

Fifty rows of four cells are most of a territory page: in Jinja each cell is a lookup, a call and an escape, about
5.5 µs a row, a quarter of the page's content. A row depends on the peer alone and the data is immutable: each is
written once per process (the same escapes, in an f-string) and kept, so a page's rows are mostly a join of strings
already made (at most one short string per territory, about 12 MB if all 36,000 were ever listed). The markup is the
template's, byte for byte (templates/_territoire_contenu.html places the rows in its <tbody>).
"""
from __future__ import annotations

from markupsafe import Markup

from tnl.site.french.numbers import french_number

NEVER = '<span class="jamais">jamais labellisé</span>'


def escaped(text: str) -> str:
    """markupsafe.escape(text) as a plain str, for a str: the same five replacements (tests/test_peer_rows.py checks
    they agree), without building a Markup object per value, which made escape() three times as costly here."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
            .replace("'", "&#39;"))


def peer_row(peer: dict) -> str:
    """One row of the table, with the whitespace the template's loop put around it."""
    latest, population = peer["latest"], peer["population"]
    distinction = f"{escaped(latest['label'])} ({latest['edition']:d})" if latest else NEVER
    return (f'\n    <tr><td><a href="/territoire/{escaped(peer["id"])}">{escaped(peer["name"])}</a></td>'
            f'<td data-label="Département">{escaped(peer["departement_code"] or "")}</td>'
            f'<td data-label="Population">{"" if population is None else french_number(population)}</td>'
            f'\n      <td data-label="Dernière distinction">{distinction}</td></tr>\n  ')


def peer_rows(peers: list[dict], written: dict[str, str]) -> Markup:
    """The rows of `peers` (territories, or peers.item() of them: the same keys); `written` keeps each row made, by
    territory id, for the life of the process."""
    rows = []
    for peer in peers:
        row = written.get(peer["id"])
        if row is None:
            row = written[peer["id"]] = peer_row(peer)
        rows.append(row)
    return Markup("".join(rows))
