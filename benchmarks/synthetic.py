"""Write a scaled, valid copy of the Data Package (never into data/): more results, mentions and indicator values.

Usage: .venv/bin/python benchmarks/synthetic.py OUTPUT_DIR [--scale 100] [--data data] [--values-per-result N]

Scale S multiplies today's row counts of results, mentions and indicator_values by S (the real rows are kept,
synthetic ones are added). Results are capped at every territory in every edition; `--scale max` is that cap
(about 36,000 territories × 10 editions). `--values-per-result N` replaces the indicator_values count by N values
per result (60 for "every commune answering 60 questions every year"; extra indicators synth_NN are added).

What stays valid against data/datapackage.yaml: real territory ids, each result's distinction in its edition's
scheme (or empty: level not published), unique primary keys, mentions on existing results, values on existing
territories, indicators and editions. Deterministic (seeded).
"""
from __future__ import annotations

import argparse
import csv
import random
import shutil
import time
from pathlib import Path

from tnl.pipeline import datapackage
from tnl.pipeline.datapackage import DEFAULT_DATA_DIR

SCALED = ("results", "mentions", "indicators", "indicator_values")  # every other resource is copied as is
CONFIDENCES = ("high", "medium", "low")
MATCHES = ("sure", "probable", "doubtful")
ORIGINS = ("questionnaire", "declaration_publique")
MENTIONS = ("Sobriété numérique", "Meilleure première candidature", "Ouverture des données", "Mutualisation",
            "Contribution au libre", "Formation des agents")
SOURCE = "https://territoire-numerique-libre.org/synthetique"


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def _writer(path: Path, header: list[str]):
    f = open(path, "w", encoding="utf-8", newline="")
    writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    return f, writer


def generate(output: Path, scale: float | str = 10, data_dir: Path = DEFAULT_DATA_DIR,
             values_per_result: int | None = None, seed: int = 2025) -> dict:
    """Write the scaled package into output (created, must not be data_dir); return the row counts."""
    data_dir, output = Path(data_dir).resolve(), Path(output).resolve()
    if output == data_dir:
        raise ValueError("the synthetic package is never written into data/")
    output.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = {r["name"]: r["path"] for r in datapackage.read(data_dir).resources}
    for name, path in paths.items():
        if name not in SCALED:
            (output / path).parent.mkdir(parents=True, exist_ok=True)  # georef/ holds resources too
            shutil.copy(data_dir / path, output / path)
    (output / "georef").mkdir(exist_ok=True)
    shutil.copy(data_dir / "georef" / "provenance.json", output / "georef" / "provenance.json")

    _, editions = _read(data_dir / paths["editions"])
    _, distinctions = _read(data_dir / paths["distinctions"])
    _, territories = _read(data_dir / paths["territories"])
    scheme_of = {int(e["edition"]): e["distinction_scheme"] for e in editions}
    by_scheme = {}
    for d in distinctions:
        by_scheme.setdefault(d["scheme"], []).append(d["id"])
    ids = [t["id"] for t in territories]
    names = {t["id"]: t["name"] for t in territories}
    departements = {t["id"]: t["departement_code"] for t in territories}

    # Results: the real ones, then distinct (edition, territory) pairs until the target; written in (edition,
    # territory_id) order, the order tnl import-official keeps the real file in (each edition's rows stay together).
    header, real = _read(data_dir / paths["results"])
    cap = len(ids) * len(scheme_of)
    target = cap if scale == "max" else min(cap, round(len(real) * float(scale)))
    real_rows = {(int(r["edition"]), r["territory_id"]): r for r in real}
    taken = set(real_rows)
    results = [(int(r["edition"]), r["territory_id"], r["distinction"]) for r in real]
    if target >= cap // 2:  # dense: walk every pair in a shuffled order rather than drawing and retrying
        pairs = [(e, t) for e in scheme_of for t in ids]
        rng.shuffle(pairs)
        candidates = iter(pairs)
    else:
        candidates = iter(lambda: (rng.choice(list(scheme_of)), rng.choice(ids)), None)
    for edition, territory in candidates:
        if len(results) >= target:
            break
        if (edition, territory) in taken:
            continue
        taken.add((edition, territory))
        distinction = "" if rng.random() < 0.1 else rng.choice(by_scheme[scheme_of[edition]])
        results.append((edition, territory, distinction))
    results.sort()
    f, writer = _writer(output / paths["results"], header)
    for edition, territory, distinction in results:
        writer.writerow(real_rows.get((edition, territory)) or {
            "edition": edition, "territory_id": territory, "distinction": distinction, "name_as_published": names[territory],
            "departement_as_published": departements[territory] if rng.random() < 0.5 else "",
            "source_urls": f"{SOURCE}/{edition}", "confidence": rng.choice(CONFIDENCES),
            "match_confidence": rng.choice(MATCHES), "match_note": "", "note": "Ligne synthétique (banc d'essai)."})
    f.close()

    # Mentions: on existing results, (edition, territory, mention) unique.
    header, real = _read(data_dir / paths["mentions"])
    target = round(len(real) * (len(results) / 95 if scale == "max" else float(scale)))
    f, writer = _writer(output / paths["mentions"], header)
    writer.writerows(real)
    seen = {(r["edition"], r["territory_id"], r["mention"]) for r in real}
    count = len(real)
    while count < target and len(seen) < len(results) * len(MENTIONS):
        edition, territory, _ = rng.choice(results)
        mention = rng.choice(MENTIONS)
        if (str(edition), territory, mention) in seen:
            continue
        seen.add((str(edition), territory, mention))
        writer.writerow({"edition": edition, "territory_id": territory, "mention": mention,
                         "source_urls": f"{SOURCE}/{edition}", "confidence": rng.choice(CONFIDENCES)})
        count += 1
    f.close()
    mentions = count

    # Indicators: the real ones, plus synth_NN when more than they allow per result are wanted.
    header, indicators = _read(data_dir / paths["indicators"])
    real_codes = [i["code"] for i in indicators]
    per_result = values_per_result or 0
    extra = max(0, -(-per_result // len(ORIGINS)) - len(real_codes))
    for k in range(extra):
        indicators.append({"code": f"synth_{k:02d}", "label": f"Indicateur synthétique {k}", "domain": "banc d'essai",
                           "unit": "", "type": "number", "allowed_values": "", "description": "Indicateur synthétique.",
                           "editions_asked": "", "wording": ""})
    f, writer = _writer(output / paths["indicators"], header)
    writer.writerows(indicators)
    f.close()
    codes = [i["code"] for i in indicators]
    slots = [(code, origin) for code in codes for origin in ORIGINS]

    # Indicator values: one date per result's edition, so (territory, indicator, origin, date) stays unique.
    header, real = _read(data_dir / paths["indicator_values"])
    f, writer = _writer(output / paths["indicator_values"], header)
    writer.writerows(real)
    seen = {(r["territory_id"], r["indicator"], r["origin"], r["date"]) for r in real}
    if per_result:
        values = len(real)
        for edition, territory, _ in results:
            date = f"{edition}-11-15"
            for code, origin in slots[:per_result]:
                if (territory, code, origin, date) not in seen:
                    writer.writerow({"territory_id": territory, "indicator": code, "edition": edition,
                                     "value": rng.randint(0, 1000), "origin": origin, "source_url": f"{SOURCE}/{edition}",
                                     "date": date, "note": ""})
                    values += 1
    else:
        target = round(len(real) * (len(results) / 95 if scale == "max" else float(scale)))
        values = len(real)
        limit = len(results) * len(slots)
        while values < target and len(seen) < limit:
            edition, territory, _ = rng.choice(results)
            code, origin = rng.choice(slots)
            date = f"{edition}-11-15"
            if (territory, code, origin, date) in seen:
                continue
            seen.add((territory, code, origin, date))
            writer.writerow({"territory_id": territory, "indicator": code, "edition": edition,
                             "value": rng.randint(0, 1000), "origin": origin, "source_url": f"{SOURCE}/{edition}",
                             "date": date, "note": ""})
            values += 1
    f.close()
    shutil.copy(data_dir / datapackage.DESCRIPTOR_NAME, output / datapackage.DESCRIPTOR_NAME)
    return {"results": len(results), "mentions": mentions, "indicator_values": values, "indicators": len(codes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--scale", default="10", help="multiplier of today's rows, or 'max' (every territory, every edition)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--values-per-result", type=int, default=None)
    args = parser.parse_args()
    start = time.perf_counter()
    counts = generate(args.output, args.scale, args.data, args.values_per_result)
    print(f"{args.output}: {counts} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
