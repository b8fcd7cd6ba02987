"""The comparison desk of a territory page: its open indicators (public surveys) and how its peers stand on each.

Values come from public_indicator_values (Licence Ouverte) and odater_2020_dataset_counts (ODbL), read once per
process (about 2,200 rows). Absence from a survey is never written as a fact: « non recensé par … ».
"""
from __future__ import annotations

from collections import Counter

from tnl.site.http.instance_cache import computed_once, database
from tnl.site.pages.peers import Peers
from tnl.vocabulary import KIND_LABELS, KIND_PLURALS

APPLY_URL = "https://territoire-numerique-libre.org"
TABLES = ("public_indicator_values", "odater_2020_dataset_counts")
# The indicators in the order of the page, with their wording. `peers` is said of the peers holding the value 1
# (booleans) or any value (counts); `absent` is what the page says of a territory without a value.
INDICATORS = [
    {"code": "open_data_published_2022", "short": "Données ouvertes",
     "present": "Recensé comme publiant des données ouvertes", "absent": "Non recensé par l'observatoire (édition 2022)",
     "peers": "publient des données ouvertes (recensés par l'observatoire, édition 2022)",
     "source": "Observatoire open data des territoires (OpenDataFrance), édition 2022", "as_of": "au 31/12/2022",
     "population": "organisations publiant des données ouvertes recensées par l'observatoire d'OpenDataFrance "
                   "(environ 1 060, dont quelque 840 collectivités) ; les autres ne sont pas recensées"},
    {"code": "open_data_datasets_2020", "short": "Jeux de données (2020)",
     "present": "{value} jeux de données publiés (plateforme locale + data.gouv.fr)",
     "absent": "Non recensé dans le classeur ODATER 2020",
     "peers": "ont un nombre de jeux de données recensé en 2020",
     "source": "Classeur « Indicateurs ODATER v2 » (OpenDataFrance), licence ODbL", "as_of": "au 21/10/2020",
     "population": "organisations publiant des données ouvertes connues d'OpenDataFrance en 2020 (762, dont environ "
                   "575 collectivités)"},
    {"code": "open_data_platform_free_software_2022", "short": "Plateforme libre",
     "present": "Plateforme open data en logiciel libre", "zero": "Plateforme open data propriétaire",
     "absent": "Pas de plateforme locale recensée, ou technologie non classée (édition 2022)",
     "peers": "ont une plateforme open data en logiciel libre",
     "source": "Observatoire open data des territoires (OpenDataFrance), édition 2022 ; classement des technologies "
               "du dépôt (sources/indicators/platform_technologies.csv)", "as_of": "au 31/12/2022",
     "population": "publieurs recensés par l'observatoire 2022 qui ont une plateforme locale dont la technologie est "
                   "connue et classée (ceux qui publient seulement sur data.gouv.fr n'ont pas de valeur)"},
    {"code": "public_code_forge_account", "short": "Forge de code",
     "present": "Compte public sur une forge de code recensé par code.gouv.fr",
     "absent": "Non recensé par code.gouv.fr (août 2024)",
     "peers": "ont un compte public sur une forge de code (code.gouv.fr)",
     "source": "code.gouv.fr, comptes d'organismes publics (comptes « Fonction publique territoriale » rattachés "
               "à la main par SIREN)", "as_of": "au 22/08/2024",
     "population": "22 comptes de la fonction publique territoriale, 13 collectivités rattachées ; liste non exhaustive"},
]
VALUES_SQL = " union all ".join(
    f"select v.territory_id, v.indicator, v.value, v.date, v.note, v.source_url, t.kind from {table} v "
    "join territories t on t.id = v.territory_id" for table in TABLES)


def _load(conn) -> dict:
    values: dict[str, dict[str, dict]] = {i["code"]: {} for i in INDICATORS}
    for territory_id, indicator, value, date, note, source_url, kind in conn.execute(VALUES_SQL):
        values.setdefault(indicator, {})[territory_id] = {"value": value, "date": date, "note": note,
                                                           "source_url": source_url, "kind": kind}
    return values


async def open_values(datasette) -> dict[str, dict[str, dict]]:
    """{indicator code: {territory id: value row}}, read once per process."""
    async def load():
        return await database(datasette).execute_fn(_load)
    return await computed_once(datasette, ("open_indicators",), load)


def _holds(indicator: str, row: dict | None) -> bool:
    """Whether a value counts as « has it » for the peers' sentence: a count, or a boolean at 1."""
    return row is not None and (indicator == "open_data_datasets_2020" or row["value"] == 1)


def holders(values: dict[str, dict[str, dict]]) -> dict[tuple, frozenset]:
    """Per indicator, the ids of the territories that have it ((code, "holds")) and of those recorded with the
    value 0 where the indicator words it ((code, "zero")): the few the peers are searched for, once per process."""
    sets = {}
    for spec in INDICATORS:
        by_territory = values.get(spec["code"], {})
        sets[spec["code"], "holds"] = frozenset(i for i, row in by_territory.items() if _holds(spec["code"], row))
        sets[spec["code"], "zero"] = frozenset(i for i, row in by_territory.items() if "zero" in spec and row["value"] == 0)
    return sets


async def open_holders(datasette) -> dict[tuple, frozenset]:
    async def load():
        return holders(await open_values(datasette))
    return await computed_once(datasette, ("open_indicator_holders",), load)


def coverage(values: dict[str, dict[str, dict]]) -> list[dict]:
    """Per indicator: how many territories of each kind have a value, and which population its source covers."""
    lines = []
    for spec in INDICATORS:
        by_kind = Counter(row["kind"] for row in values.get(spec["code"], {}).values())
        counts = ", ".join(f"{n} {(KIND_PLURALS if n > 1 else KIND_LABELS).get(kind, kind)}"
                           for kind, n in sorted(by_kind.items(), key=lambda item: (-item[1], item[0])))
        lines.append({"code": spec["code"], "short": spec["short"], "source": spec["source"], "as_of": spec["as_of"],
                      "total": sum(by_kind.values()), "by_kind": dict(sorted(by_kind.items())),
                      "text": f"{sum(by_kind.values())} territoires ont une valeur ({counts or 'aucun'}) ; "
                              f"source : {spec['source']}, {spec['as_of']} ; population couverte : {spec['population']}."})
    return lines


def _own(spec: dict, row: dict | None) -> str:
    if row is None:
        return spec["absent"]
    if row["value"] == 0 and "zero" in spec:
        return spec["zero"]
    return spec["present"].format(value=f"{int(row['value']):,}".replace(",", "\u202f"))


def section(territory: dict, peers: Peers, values: dict[str, dict[str, dict]], sets: dict[tuple, frozenset]) -> dict:
    """The open indicators of a territory and, beside each, how many of its peers have it and which: the peers are
    searched among the holders of each indicator (`sets`, from holders()), never walked one by one."""
    total = peers.total
    indicators = []
    for spec in INDICATORS:
        by_territory = values.get(spec["code"], {})
        own = by_territory.get(territory["id"])
        key = (spec["code"], "holds")
        holders = sorted(peers.among(key, sets[key]), key=lambda p: (p["name"], p["id"]))
        key = (spec["code"], "zero")
        zeros = sorted(p["id"] for p in peers.among(key, sets[key]))
        peers_text = (f"{len(holders)} de vos {total} pair{'s' if total > 1 else ''} {spec['peers']}" if total
                      else "Aucun pair selon ces règles : élargissez la comparaison (section « Pairs »)")
        if zeros:
            peers_text += f" ; {len(zeros)} {'ont' if len(zeros) > 1 else 'a'} une plateforme propriétaire"
        indicators.append({
            "code": spec["code"], "short": spec["short"], "source": spec["source"], "as_of": spec["as_of"],
            "value": own and own["value"], "text": _own(spec, own), "note": own and own["note"],
            "source_url": own and own["source_url"], "recorded": own is not None,
            "peers_with": len(holders), "peers_total": total,
            "peers_text": peers_text,
            "peers": [{"id": p["id"], "name": p["name"], "url": f"/territoire/{p['id']}",
                       "value": by_territory[p["id"]]["value"]} for p in holders],
            # Peers recorded with the value 0 (a proprietary platform): told apart from the unrecorded on the map.
            "peers_zero": zeros,
        })
    labelled = peers.labelled()
    publishing = indicators[0]["peers_with"]
    return {
        "indicators": indicators,
        "with_indicator": sum(1 for i in indicators if i["recorded"]),
        "apply": None if territory.get("latest") else {
            "url": APPLY_URL,
            "text": "" if not total else (
                f"Parmi ses {total} pair{'s' if total > 1 else ''}, "
                + (f"{labelled} {'ont' if labelled > 1 else 'a'} déjà reçu le label" if labelled else "aucun n'a encore reçu le label")
                + f" et {publishing} {'sont recensés' if publishing > 1 else 'est recensé'} comme publiant des données ouvertes "
                  "(édition 2022)."),
        },
    }
