"""Laureates and population covered per région and per département, for each edition and for all of them, stored by
the build for the canned queries par_region and par_departement (metadata.yml), which only read them.

Computed on each request, « toutes éditions » summed the population of every covered commune (about 25,000 with 100
times today's results: 120 ms of SQL per request), yet the database never changes once built and the queries have
one answer per edition plus one for all: about eleven in all. The SQL below is the one the canned queries ran, with
English column names; tests/test_population_aggregates.py checks that the canned queries give its rows, in its
order, whatever the `edition` parameter, and counts the same figures another way.

A row with `edition` NULL is for all editions: the canned queries select `edition IS nullif(:edition, '')`, which
gives the rows the on-the-fly SQL gave for any parameter (the same text-to-integer comparison as `results.edition`).
"""
from __future__ import annotations

import sqlite3

# A sum must not count a région inside a département: the régions are counted by région only (par_departement
# leaves them out of its laureates, and its covered communes never include a labelled région's).
SQL = {
    "region": """
        with laureates as (
          select t.id, t.kind, t.cog_code, t.region_code, t.population
          from territories t
          where t.id in (select territory_id from results where nullif(:edition, '') is null or edition = :edition)
        ),
        covered as materialized (
          select id, region_code, population from territories
          where kind = 'commune' and id in (select id from laureates where kind = 'commune')
          union
          select id, region_code, population from territories
          where kind = 'commune' and epci_siren in (select id from laureates where kind in ('epci', 'collectivite'))
          union
          select id, region_code, population from territories
          where kind = 'commune' and departement_code in (select cog_code from laureates where kind = 'departement')
          union
          select id, region_code, population from territories
          where kind = 'commune' and region_code in (select cog_code from laureates where kind = 'region')
        ),
        by_region as materialized (
          select
            g.code,
            g.name,
            (select count(*) from laureates l where l.region_code = g.code) as laureates,
            (select count(*) from laureates l where l.region_code = g.code and l.population is null) as without_population,
            (select coalesce(sum(c.population), 0) from covered c where c.region_code = g.code) as covered,
            (select population from territories where id = 'region-' || g.code) as population
          from regions g
        )
        select
          code,
          name,
          laureates,
          without_population,
          case when laureates > without_population then covered end as covered_population,
          population,
          case when laureates > without_population then round(100.0 * covered / population, 1) end as covered_percent
        from by_region
        where laureates > 0
        order by laureates desc, name""",
    "departement": """
        with laureates as (
          select t.id, t.kind, t.cog_code, t.departement_code, t.population
          from territories t
          where t.kind != 'region'
            and t.id in (select territory_id from results where nullif(:edition, '') is null or edition = :edition)
        ),
        covered as materialized (
          select id, departement_code, population from territories
          where kind = 'commune' and id in (select id from laureates where kind = 'commune')
          union
          select id, departement_code, population from territories
          where kind = 'commune' and epci_siren in (select id from laureates where kind in ('epci', 'collectivite'))
          union
          select id, departement_code, population from territories
          where kind = 'commune' and departement_code in (select cog_code from laureates where kind = 'departement')
        ),
        by_departement as materialized (
          select
            g.code,
            g.name,
            (select count(*) from laureates l where l.departement_code = g.code) as laureates,
            (select count(*) from laureates l where l.departement_code = g.code and l.population is null) as without_population,
            (select coalesce(sum(c.population), 0) from covered c where c.departement_code = g.code) as covered,
            (select population from territories where id = 'departement-' || g.code) as population
          from departements g
        )
        select
          code,
          name,
          laureates,
          without_population,
          case when laureates > without_population then covered end as covered_population,
          population,
          case when laureates > without_population then round(100.0 * covered / population, 1) end as covered_percent
        from by_departement
        where laureates > 0
        order by laureates desc, name""",
}
TABLES = {level: f"population_covered_by_{level}" for level in SQL}
# Declared types keep each value's type as the SQL gives it (a share of 100.0 stays a real number in the JSON).
COLUMNS = ("edition integer, code text not null, name text not null, laureates integer not null, "
           "without_population integer not null, covered_population integer, population integer, covered_percent real")


def computed(conn: sqlite3.Connection, level: str, edition: int | str) -> list[tuple]:
    """The rows of one level for one edition ('' for all), computed now: what the canned query ran on each request."""
    return conn.execute(SQL[level], {"edition": edition}).fetchall()


def write(conn: sqlite3.Connection) -> None:
    """One table per level: every edition with results, then all of them (edition NULL)."""
    editions = [e for e, in conn.execute("select distinct edition from results order by edition")]
    with conn:  # committed: the build vacuums next
        for level, table in TABLES.items():
            conn.execute(f"create table [{table}] ({COLUMNS})")
            for edition in [*editions, None]:
                rows = computed(conn, level, "" if edition is None else edition)
                conn.executemany(f"insert into [{table}] values ({', '.join('?' * 8)})", [(edition, *row) for row in rows])
            conn.execute(f"create index [idx_{table}_edition] on [{table}] (edition)")
