"""`tnl import-questionnaire`: from the operator's export to what may be published in data/.

Writes only two files of the Data Package, and only when the whole export is valid:
- indicator_values.csv: the answers of the candidates who agreed to publication (origin « questionnaire »);
- indicator_aggregates.csv: aggregates by group under the disclosure rules of tnl.disclosure.
The export itself is never copied. Re-running on the same export gives the same bytes: the edition's
questionnaire rows are replaced, and every file is written in a fixed order.
"""
from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tnl.importers import disclosure
from tnl.importers.questionnaire_export import Export, check_export, check_mapping
from tnl.pipeline import datapackage
from tnl.pipeline.csv_writer import write_csv
from tnl.pipeline.datapackage import DataPackage
from tnl.problems import Problem, Rejected
from tnl.vocabulary import split_sources

ORIGIN = "questionnaire"
LABEL_SITE = "https://territoire-numerique-libre.org/"


@dataclass
class Report:
    edition: int
    candidates: int = 0
    consenting: int = 0
    published_values: int = 0
    withheld_values: int = 0
    aggregates_published: int = 0
    suppressed: Counter = field(default_factory=Counter)
    ignored_columns: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        withheld = self.candidates - self.consenting
        lines = [
            f"Questionnaire {self.edition} : {self.candidates} candidat(s), {self.consenting} avec accord de publication, {withheld} sans.",
            f"Publié : {self.published_values} réponse(s) individuelle(s) dans indicator_values.csv (origine « questionnaire »).",
            f"Retenu : {self.withheld_values} réponse(s) de candidats sans accord, jamais publiées une à une.",
            f"Agrégats : {self.aggregates_published} publié(s), {sum(self.suppressed.values())} sous secret statistique"
            + "".join(f" ; {count} {disclosure.REASONS[reason]}" for reason, count in sorted(self.suppressed.items())) + ".",
        ]
        if self.ignored_columns:
            lines.append(f"Colonnes ignorées (ni lues ni recopiées) : {', '.join(self.ignored_columns)}.")
        return lines


def import_questionnaire(export_path: Path, edition: int, data_dir: Path, source: str | None = None,
                         date: str | None = None) -> Report:
    """Check the export, then replace the edition's questionnaire rows in data_dir; raise Rejected on any problem."""
    package = datapackage.read(data_dir)
    read = lambda name: _read(package, package.resource(name))  # noqa: E731
    editions = {row["edition"]: row for _, row in read("editions")}
    indicators = {row["code"]: row for _, row in read("indicators")}
    problems = []
    if str(edition) not in editions:
        raise Rejected([Problem(Path(export_path).name, 0, "edition", f"édition {edition} inconnue ; attendu : une édition de editions.csv")])
    date = date or editions[str(edition)]["results_date"] or editions[str(edition)]["ceremony_date"]
    if not date:
        problems.append(Problem("editions.csv", 0, "results_date", f"date des résultats {edition} inconnue ; attendu : l'option --date AAAA-MM-JJ"))
    columns, mapping_problems = check_mapping(read("questionnaire_mapping"), edition, indicators)
    problems += mapping_problems
    if problems:
        raise Rejected(problems)
    territories = {row["id"]: row for _, row in read("territories")}
    ids = dict({row["siren"]: row["id"] for row in territories.values() if row["siren"]}, **{i: i for i in territories})
    export, problems = check_export(export_path, edition, columns, indicators, ids)
    if problems:
        raise Rejected(problems)
    source = source or _edition_page(editions[str(edition)])
    values = _values_rows(export, edition, source, date)
    aggregates = _aggregate_rows(export, edition, indicators, territories, read, sorted({code for code, _ in columns.values()}))
    staged = [
        _stage(package, package.resource("indicator_values"), values,
               keep=lambda row: not (row["origin"] == ORIGIN and row["edition"] == str(edition)),
               key=lambda row: (row["territory_id"], row["indicator"], row["edition"], row["origin"], row["date"])),
        _stage(package, package.resource("indicator_aggregates"), aggregates,
               keep=lambda row: row["edition"] != str(edition), key=lambda row: (int(row["edition"]), row["indicator"])),
    ]
    for temp, path in staged:  # both files are complete before either replaces its original
        os.replace(temp, path)
    report = Report(edition, len(export.candidates), sum(c.consent for c in export.candidates), len(values),
                    sum(not a.published for a in export.answers), ignored_columns=export.ignored_columns)
    report.aggregates_published = sum(row["suppressed"] == "false" for row in aggregates)
    report.suppressed = Counter(row["suppression_reason"] for row in aggregates if row["suppressed"] == "true")
    return report


def _edition_page(edition: dict) -> str:
    urls = split_sources(edition["source_urls"])
    return next((u for u in urls if u.startswith(LABEL_SITE)), LABEL_SITE)


def _values_rows(export: Export, edition: int, source: str, date: str) -> list[dict]:
    note = f"Réponse au questionnaire du label {edition}, publiée avec l'accord du candidat."
    return [
        {"territory_id": a.territory_id, "indicator": a.indicator, "edition": str(edition), "value": number(a.value),
         "origin": ORIGIN, "source_url": source, "date": date, "note": note}
        for a in export.answers if a.published
    ]


def _aggregate_rows(export: Export, edition: int, indicators: dict, territories: dict, read, codes: list[str]) -> list[dict]:
    """Every group of every dimension for every indicator the edition asks, answered or not."""
    scheme = next(row["distinction_scheme"] for _, row in read("editions") if row["edition"] == str(edition))
    distinctions = sorted((row for _, row in read("distinctions") if row["scheme"] == scheme), key=lambda d: int(d["rank"]))
    results = {row["territory_id"]: row["distinction"] or "non_publiee" for _, row in read("results") if row["edition"] == str(edition)}
    regions = sorted((t for t in territories.values() if t["kind"] == "region"), key=lambda t: t["cog_code"])
    universe = {
        "distinction": [(d["id"], d["label"]) for d in distinctions]
        + [("non_publiee", "Labellisé, niveau non publié"), ("aucune", "Aucune distinction publiée")],
        "nature": [(kind, label) for kind, label in _kind_labels().items()],
        "region": [(r["cog_code"], r["name"]) for r in regions] + [("inconnue", "Région inconnue")],
        "tranche_population": disclosure.band_universe(),
    }
    communes = {t["cog_code"]: t for t in territories.values() if t["kind"] == "commune"}
    groups = {c.territory_id: _groups(territories[c.territory_id], communes, results) for c in export.candidates}
    by_indicator: dict[str, list[disclosure.Respondent]] = {}
    for a in export.answers:
        by_indicator.setdefault(a.indicator, []).append(disclosure.Respondent(a.value, a.published, groups[a.territory_id]))
    rows = []
    for code in codes:
        for row in disclosure.aggregate(by_indicator.get(code, []), universe, indicators[code]["type"] == "boolean"):
            rows.append({"edition": str(edition), "indicator": code, **{k: _text(v) for k, v in row.items()}})
    return rows


def _kind_labels() -> dict[str, str]:
    from tnl.vocabulary import KIND_LABELS

    return KIND_LABELS


def _groups(territory: dict, communes: dict, results: dict) -> tuple[str, ...]:
    """The territory's group in each dimension; a body without its own région takes its seat commune's (as the build does)."""
    seat = communes.get(territory["seat_code"] or "")
    region = territory["region_code"] or (seat["region_code"] if seat else "")
    population = int(territory["population"]) if territory["population"] else None
    return (disclosure.ALL, results.get(territory["id"], "aucune"), territory["kind"], region or "inconnue",
            disclosure.population_band(population))


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(round(value, 10))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return number(value)
    return str(value)


def _read(package: DataPackage, resource: dict) -> list[tuple[int, dict]]:
    with open(package.path(resource), encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return [(reader.line_num, row) for row in reader]


def _stage(package: DataPackage, resource: dict, new_rows: list[dict], keep, key) -> tuple[Path, Path]:
    """Kept rows plus the new ones, sorted (stable), written to a temporary file beside the resource."""
    path = package.path(resource)
    names = [f["name"] for f in datapackage.fields(resource)]
    rows = sorted([row for _, row in _read(package, resource) if keep(row)] + new_rows, key=key)
    temp = path.with_name(path.name + ".tmp")
    try:
        write_csv(temp, names, ([row.get(name, "") for name in names] for row in rows))
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, path
