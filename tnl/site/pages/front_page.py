"""Data for the French front page, read once from the immutable database."""
from tnl.site.http.instance_cache import computed_once, database
from tnl.site.pages import coverage_text

LATEST_PALMARES_SQL = """
select r.edition, t.id, t.name, t.kind, t.departement_code,
       coalesce(d.label, 'Labellisé, niveau non publié') as distinction
from results r
join territories t on t.id = r.territory_id
left join distinctions d on d.id = r.distinction
where r.edition = (select max(edition) from results)
order by d.rank is null, d.rank desc, t.name
"""
COUNTS_SQL = """
select
  (select count(*) from results) as results,
  (select count(distinct territory_id) from results) as labelled,
  (select count(*) from territories) as territories,
  (select count(*) from territories where kind = 'commune') as communes,
  (select max(edition) from results) as latest_edition
"""


async def front_page_data(datasette) -> dict:
    return await computed_once(datasette, ("front_page",), lambda: _load(database(datasette)))


async def _load(db) -> dict:
    coverage = [dict(r) for r in (await db.execute("select * from coverage order by edition desc")).rows]
    by_distinction = [dict(r) for r in (await db.execute("select * from coverage_by_distinction")).rows]
    for row in coverage:
        row["sentence"] = coverage_text.edition_sentence(row)
        row["distinctions"] = coverage_text.distinction_lines([d for d in by_distinction if d["edition"] == row["edition"]])
    return {
        "counts": dict((await db.execute(COUNTS_SQL)).first()),
        "latest_palmares": [dict(r) for r in (await db.execute(LATEST_PALMARES_SQL)).rows],
        "coverage": coverage,
    }
