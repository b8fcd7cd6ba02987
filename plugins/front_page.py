"""Data for the French front page, read once from the immutable database."""
from datasette import hookimpl

from tnl import coverage_text

DATABASE = "tnl"
LATEST_PALMARES_SQL = """
select r.edition, t.id, t.name, t.kind, t.departement_code,
       coalesce(d.label, 'Labellisé (niveau non publié)') as distinction
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
_cache = {}


coverage_sentence = coverage_text.edition_sentence


async def front_page_data(datasette) -> dict:
    db = datasette.get_database(DATABASE)
    if db.path not in _cache:
        coverage = [dict(r) for r in (await db.execute("select * from coverage order by edition desc")).rows]
        by_distinction = [dict(r) for r in (await db.execute("select * from coverage_by_distinction")).rows]
        for row in coverage:
            row["sentence"] = coverage_sentence(row)
            row["distinctions"] = coverage_text.distinction_lines([d for d in by_distinction if d["edition"] == row["edition"]])
        _cache[db.path] = {
            "counts": dict((await db.execute(COUNTS_SQL)).first()),
            "latest_palmares": [dict(r) for r in (await db.execute(LATEST_PALMARES_SQL)).rows],
            "coverage": coverage,
        }
    return _cache[db.path]


@hookimpl
def extra_template_vars(view_name, datasette):
    if view_name != "index":
        return {}

    async def inner():
        return {"accueil": await front_page_data(datasette)}

    return inner
