"""What keeps a never-requested territory page cheap (issue 24) without changing a byte of it: the peers' rows written
in Python (tnl/site/pages/peer_rows.py), the history chart's fixed parts drawn once (history_chart.py), the holders'
positions located at start-up (peers.PeerIndex.locate)."""
from __future__ import annotations

import jinja2
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markupsafe import escape

from tnl.site.french.templating import install
from tnl.site.pages import peers, synchronous_pages
from tnl.site.pages.peer_rows import escaped, peer_row, peer_rows
from tnl.site.pages.synchronous_pages import Frame

# The loop the template ran before the rows moved to Python: the rows must stay what it wrote, whitespace included.
ROWS_TEMPLATE = """{% for p in items %}
    <tr><td><a href="{{ p["url"] }}">{{ p["name"] }}</a></td><td data-label="Département">{{ p["departement_code"] or "" }}</td><td data-label="Population">{{ number(p["population"]) if p["population"] is not none else "" }}</td>
      <td data-label="Dernière distinction">{% if p["latest"] %}{{ p["latest"]["label"] }} ({{ p["latest"]["edition"] }}){% else %}<span class="jamais">jamais labellisé</span>{% endif %}</td></tr>
  {% endfor %}"""


def jinja_rows(items: list[dict]) -> str:
    env = jinja2.Environment(autoescape=True)
    install(env)
    return env.from_string(ROWS_TEMPLATE).render(items=items)


@given(st.text())
@example("L'Isle-d'Abeau & <Saint-\"Ours\">")
def test_escaped_is_markupsafe_escape(text):
    assert escaped(text) == str(escape(text))


names = st.text(alphabet=st.sampled_from("aé'\"<>&Œ -"), max_size=12)
peer_items = st.fixed_dictionaries({
    "id": st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True), "name": names,
    "departement_code": st.one_of(st.none(), st.sampled_from(["38", "2A", "971", "<x>"])),
    "population": st.one_of(st.none(), st.integers(0, 3_000_000)),
    "latest": st.one_of(st.none(), st.builds(lambda label, edition: {"label": label, "edition": edition},
                                             names, st.integers(2016, 2030))),
}).map(lambda p: dict(p, url=f"/territoire/{p['id']}"))


@given(st.lists(peer_items, max_size=6, unique_by=lambda p: p["id"]))  # an id is one territory
@example([{"id": "1", "url": "/territoire/1", "name": "L'Haÿ-les-Roses <b>", "departement_code": None,
           "population": 31_000, "latest": {"label": "Label « Or » & co", "edition": 2025}}])
def test_rows_are_what_the_template_wrote(items):
    assert str(peer_rows(items, {})) == jinja_rows(items)


def test_a_row_is_written_once_per_territory():
    peer = {"id": "1", "url": "/territoire/1", "name": "A", "departement_code": "38", "population": 1, "latest": None}
    written: dict[str, str] = {}
    assert str(peer_rows([peer], written)) == peer_row(peer)
    written["1"] = "kept"
    assert str(peer_rows([peer, peer], written)) == "keptkept"


populations = st.one_of(st.none(), st.integers(0, 3000))
rows = st.lists(st.tuples(st.sampled_from(["commune", "epci"]), st.sampled_from(["84", "11"]), populations,
                          st.sampled_from([None, 2024, 2025])), min_size=1, max_size=30)


@given(rows, st.lists(st.integers(0, 40), max_size=10), st.lists(st.integers(0, 40), max_size=5))
def test_located_positions_are_the_lazy_ones(rows, first, second):
    def everyone():
        return [{"id": str(i), "kind": kind, "population": population, "region_code": region, "name": f"T{i}",
                 "departement_code": "38",
                 "latest": {"edition": edition, "distinction": "or", "label": "Or", "scheme": "s", "rank": 1} if edition else None}
                for i, (kind, region, population, edition) in enumerate(rows)]
    sets = {"first": frozenset(map(str, first)), "second": frozenset(map(str, second))}
    located, lazy = peers.PeerIndex(everyone()), peers.PeerIndex(everyone())
    located.locate(sets)
    strata = [s for group in located._groups.values() for s in group]
    assert strata
    for stratum, other in zip(strata, [s for group in lazy._groups.values() for s in group]):
        for name, ids in sets.items():
            assert stratum._positions[name] == other.positions(name, ids)


async def in_full(datasette, path: str):
    """`path` as the first territory page of a fresh instance renders it: through Datasette's render_template(), no
    context kept, no frame (what synchronous_pages keeps for `datasette` is forgotten first; its data stay loaded)."""
    synchronous_pages._shared.pop(datasette, None)
    synchronous_pages._frames.pop(datasette, None)
    response = await datasette.client.get(path)
    assert not synchronous_pages._frames.get(datasette)  # no frame was drawn: the page was rendered in full
    return response


async def test_datasette_context_kept_gives_the_same_page(built_db_path):
    """The first territory page of a process goes through Datasette's render_template(); later ones reuse what it
    added to the context (tnl.site.pages.synchronous_pages.render_page): a page is the same either way, and a request with
    an actor still goes through Datasette (root's debug menu is there)."""
    from tnl.site.http.serve import datasette_app

    first, reference = datasette_app(built_db_path), datasette_app(built_db_path)
    assert (await first.client.get("/territoire/region-84")).status_code == 200  # first: through render_template()
    for path in ("/territoire/213801517", "/territoire/departement-38?perimetre=national&page=2"):
        kept = await first.client.get(path)
        through_datasette = await in_full(reference, path)
        assert kept.status_code == through_datasette.status_code == 200
        assert "Aller au contenu" in kept.text and "nav-menu" not in kept.text
        assert kept.text == through_datasette.text
    root = await first.client.get("/territoire/213801517", cookies={"ds_actor": first.sign({"a": {"id": "root"}}, "actor")})
    assert "nav-menu" in root.text


async def test_a_framed_page_is_the_page_rendered_in_full(built_db_path):
    """After the first page, a territory page is its frame filled with its title, head and content
    (synchronous_pages.render_framed): the same bytes as the page rendered in full, as a fresh instance renders its first page, for territories
    of every kind; a message to show (Datasette's ds_messages cookie) is still shown."""
    from tnl.site.http.serve import datasette_app

    framed, reference = datasette_app(built_db_path), datasette_app(built_db_path)
    assert (await framed.client.get("/territoire/region-84")).status_code == 200
    paths = ["/territoire/213801517", "/territoire/region-11", "/territoire/departement-2A", "/territoire/200040715",
             "/territoire/213801517?perimetre=national&min=0,1&max=10&page=2"]
    for path in paths:
        page = await framed.client.get(path)
        full = await in_full(reference, path)
        assert page.status_code == full.status_code == 200
        assert page.text == full.text
    assert list(synchronous_pages._frames[framed]) == ["territoire.html"]  # the pages above were framed
    message = framed.sign([["Un message", 1]], "messages")
    shown = await framed.client.get("/territoire/213801517", cookies={"ds_messages": message})
    assert '<p class="message-info">Un message</p>' in shown.text


def test_a_frame_wants_each_slot_written_once():
    frame = Frame("<a>\x00slot:titre\x00</a><b>\x00slot:contenu\x00</b>", {"titre": 1, "contenu": 2})
    assert frame.fill({"titre": "T", "contenu": "C"}) == "<a>T</a><b>C</b>"
    for html in ("<a>\x00slot:titre\x00</a>", "\x00slot:titre\x00 \x00slot:titre\x00 \x00slot:contenu\x00"):
        with pytest.raises(ValueError):
            Frame(html, {"titre": 1, "contenu": 2})
