"""Data for the French front page, read once from the immutable database."""
from datasette import hookimpl

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


def coverage_sentence(row: dict) -> str:
    """« 2020 : 2 lauréats publiés sur 26 annoncés », worded so that a partial list is never taken for the whole."""
    published, announced = row["published_count"], row["announced_count"]
    laureates = "lauréat publié" if published < 2 else "lauréats publiés"
    if announced is None:
        return f"{row['edition']} : {published} {laureates} (nombre de lauréats annoncé inconnu)"
    if published >= announced:
        return f"{row['edition']} : {published} {laureates} sur {announced} annoncés (liste complète)"
    return f"{row['edition']} : {published} {laureates} sur {announced} annoncés — liste partielle"


async def front_page_data(datasette) -> dict:
    db = datasette.get_database(DATABASE)
    if db.path not in _cache:
        coverage = [dict(r) for r in (await db.execute("select * from coverage order by edition desc")).rows]
        for row in coverage:
            row["sentence"] = coverage_sentence(row)
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
