"""A facet that the table's metadata declares and the request asks for again is counted once, and the page lists it as
Datasette always did (tnl/site/http/facets_once.py): the same JSON, two facet queries fewer."""
from __future__ import annotations

from datasette.facets import ColumnFacet

from tnl.site.http.serve import datasette_app

# territories' metadata declares kind, labellise, region_code and departement_code; the request asks kind and region_code
URL = "/tnl/territories.json?_facet=kind&_facet=region_code&kind=commune"


async def answered(database, monkeypatch, shipped: bool) -> tuple[dict, int]:
    """(the JSON without its timing, facet queries run) from a fresh site, with Datasette's facets as shipped or not."""
    datasette = datasette_app(database)  # each its own response cache
    await datasette.invoke_startup()
    queries, execute = [], datasette.execute

    async def counted(name, sql, *args, **kwargs):
        queries.append(sql)
        return await execute(name, sql, *args, **kwargs)

    monkeypatch.setattr(datasette, "execute", counted)
    with monkeypatch.context() as patch:
        if shipped:
            patch.setattr(ColumnFacet, "facet_results", ColumnFacet.facet_results.__wrapped__)
        response = await datasette.client.get(URL)
    assert response.status_code == 200, response.text
    body = response.json()
    body.pop("query_ms")
    return body, sum("count(*) as count from (" in q for q in queries)


async def test_a_facet_asked_again_is_counted_once_and_listed_as_before(fixture_site, monkeypatch):
    database = fixture_site / "tnl.db"
    shipped, shipped_queries = await answered(database, monkeypatch, shipped=True)
    once, once_queries = await answered(database, monkeypatch, shipped=False)
    assert once == shipped
    assert set(once["facet_results"]) == {"kind", "labellise", "region_code", "departement_code", "kind_2", "region_code_2"}
    assert once["facet_results"]["kind"]["results"], once["facet_results"]
    assert not once["facet_results"]["kind"]["hideable"] and once["facet_results"]["kind_2"]["hideable"]
    assert (shipped_queries, once_queries) == (6, 4)
