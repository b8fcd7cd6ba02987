"""Canned query pages for people: a heading that states the editions shown, lists of choices instead of text boxes,
and the coverage of every edition a page lists.

The defaults below restate those written in the queries' SQL (metadata.yml); tests/test_query_pages.py checks
that both agree on the real data.
"""
from __future__ import annotations

from tnl.site.http.instance_cache import computed_once, database
from tnl.site.pages.edition_coverage import edition_coverage

LATEST = "latest"  # default: the latest edition with published results
ALL = ""  # default: every edition
DIMENSIONS = {"distinction": "distinction", "ensemble": "ensemble des réponses", "nature": "nature du territoire",
              "region": "région", "tranche_population": "tranche de population"}
NATURES = {"commune": "communes", "epci": "EPCI", "departement": "départements", "region": "régions"}
PARAM_LABELS = {"edition": "Édition", "depuis": "Depuis l'édition", "jusqua": "Jusqu'à l'édition",
                "dimension": "Regrouper par", "nature": "Nature"}

# canned query -> its heading (str.format over its metadata title and its parameters, defaults applied), defaults,
# and which coverage to show:
# the editions named by parameters, or "all" for a page drawn from every edition.
QUERIES = {
    "palmares": {"heading": "{title} {edition}", "defaults": {"edition": LATEST}, "coverage": ("edition",)},
    "nouveaux_laureats": {"heading": "{title} {edition}", "defaults": {"edition": LATEST}, "coverage": ("edition",)},
    "progressions": {"heading": "{title} de {depuis} à {jusqua}", "defaults": {"depuis": "2023", "jusqua": "2024"},
                     "coverage": ("depuis", "jusqua")},
    "fideles": {"heading": "{title}", "coverage": "all"},
    "derniere_distinction": {"heading": "{title}", "coverage": "all"},
    "par_region": {"heading": "{title}, {edition}", "defaults": {"edition": ALL}, "coverage": "all"},
    "par_departement": {"heading": "{title}, {edition}", "defaults": {"edition": ALL}, "coverage": "all"},
    "derniers_resultats": {"heading": "{title}", "coverage": "all"},
    "jamais_labellises": {"heading": "{title} : {nature}", "defaults": {"nature": "commune"}, "coverage": "all"},
    "agregats_indicateurs": {"heading": "{title} {edition}, par {dimension}",
                             "defaults": {"edition": LATEST, "dimension": "distinction"}},
}


async def _editions(datasette) -> dict:
    async def read():
        db = database(datasette)
        results = [str(r[0]) for r in (await db.execute("select distinct edition from results order by edition")).rows]
        aggregates = [str(r[0]) for r in (await db.execute(
            "select distinct edition from indicator_aggregates order by edition")).rows]
        return {"results": results, "indicator_aggregates": aggregates}
    return await computed_once(datasette, ("query_editions",), read)


def _edition_list(editions: dict, query: str) -> list[str]:
    return editions["indicator_aggregates" if query == "agregats_indicateurs" else "results"]


def applied(query: str, args, editions: dict) -> dict:
    """The parameters a page applies: those asked for, else the query's defaults (LATEST made a year)."""
    values = {}
    for name, default in QUERIES[query].get("defaults", {}).items():
        value = (args.get(name) or "").strip()
        if not value:
            choices = _edition_list(editions, query)
            value = (choices[-1] if choices else "") if default == LATEST else default
        values[name] = value
    return values


def heading(query: str, title: str, values: dict) -> str:
    defaults = QUERIES[query].get("defaults", {})
    shown = {name: DIMENSIONS.get(value, value) if name == "dimension" else NATURES.get(value, value) if name == "nature"
             else value or ("toutes éditions" if defaults[name] == ALL else "(aucune édition)")
             for name, value in values.items()}
    return QUERIES[query]["heading"].format(title=title, **shown)


def parameter_choices(query: str, values: dict, editions: dict) -> dict:
    """For each parameter: its label and the (value, text) options of a list, the applied one selected."""
    choices = {}
    for name in QUERIES[query].get("defaults", {}):
        if name == "dimension":
            options = list(DIMENSIONS.items())
        elif name == "nature":
            options = list(NATURES.items())
        else:
            options = [(edition, edition) for edition in reversed(_edition_list(editions, query))]
            if QUERIES[query]["defaults"][name] == ALL:
                options.insert(0, ("", "toutes les éditions"))
        choices[name] = {"label": PARAM_LABELS[name], "options": options, "selected": values[name]}
    return choices


async def template_vars(datasette, query: str, args) -> dict:
    if query not in QUERIES:
        return {}
    title = datasette.metadata("queries", database=database(datasette).name)[query]["title"]
    editions = await _editions(datasette)
    values = applied(query, args, editions)
    coverage = QUERIES[query].get("coverage", ())
    notices = []
    if coverage != "all":
        for name in coverage:
            notice = await edition_coverage(datasette, values[name]) if values[name].isdigit() else None
            if notice and notice not in notices:
                notices.append(notice)
    return {
        "query_heading": heading(query, title, values),
        "query_parameters": parameter_choices(query, values, editions),
        "couvertures": notices,
        "couverture_toutes_editions": coverage == "all",
    }
