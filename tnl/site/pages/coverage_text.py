"""French sentences about coverage (announced against published laureates), shared by the front page and the edition pages.

Rows come from the `coverage` and `coverage_by_distinction` views. Every sentence says how many laureates
are published against how many were announced, so that a partial list is never read as the whole one.
"""
from __future__ import annotations


def laureates(count: int) -> str:
    if count == 0:
        return "aucun lauréat publié"
    return f"{count} lauréat publié" if count == 1 else f"{count} lauréats publiés"


def edition_sentence(row: dict) -> str:
    """« 2020 : 2 lauréats publiés sur 26 annoncés — liste partielle » (a row of the coverage view)."""
    published, announced = row["published_count"], row["announced_count"]
    laureates_word = "lauréat publié" if published < 2 else "lauréats publiés"
    if announced is None:
        return f"{row['edition']} : {published} {laureates_word} (nombre de lauréats annoncé inconnu)"
    if published >= announced:
        return f"{row['edition']} : {published} {laureates_word} sur {announced} annoncés (liste complète)"
    return f"{row['edition']} : {published} {laureates_word} sur {announced} annoncés — liste partielle"


def distinction_sentence(row: dict) -> str:
    """One line per distinction of an edition (a row of the coverage_by_distinction view)."""
    label, published, announced = row["distinction_label"], row["published_count"], row["announced_count"]
    status = row["status"]
    if status == "distinction non publiée":
        return f"{label} : {laureates(published)} sans leur distinction"
    if status == "effectif inconnu":
        return f"{label} : {laureates(published)} (nombre annoncé inconnu)"
    if status == "non décernée":
        return f"{label} : aucun lauréat, non décerné cette année-là"
    if status == "complète":
        return f"{label} : {laureates(published)} sur {announced} annoncé{'s' if announced > 1 else ''} (complet)"
    return f"{label} : {laureates(published)} sur {announced} annoncés — {row['missing_count']} manquant{'s' if row['missing_count'] > 1 else ''}"


def distinction_lines(rows: list[dict]) -> list[str]:
    """The lines worth showing: every distinction, except an empty « distinction non publiée » row."""
    return [distinction_sentence(r) for r in rows if r["distinction"] is not None or r["published_count"]]


def edition_notice(edition: dict, distinctions: list[dict], unresolved_questions: int) -> dict:
    """What to show above an edition's results: a headline, a warning, the lines per distinction."""
    year, published, announced = edition["edition"], edition["published_count"], edition["announced_count"]
    if announced is None:
        complete = False
        headline = (f"Liste sans doute partielle : {laureates(published)} pour l'édition {year}, "
                    "dont le nombre de lauréats annoncé est inconnu.")
    elif published >= announced:
        complete = True
        headline = f"Liste complète : les {announced} lauréats annoncés pour l'édition {year} sont publiés."
    else:
        complete = False
        headline = f"Liste partielle : {laureates(published)} sur {announced} annoncés pour l'édition {year}."
    warning = "" if complete else (
        "Les lauréats manquants n'ont pas été retrouvés dans des sources publiques : une collectivité absente "
        "de cette liste a pu être distinguée.")
    return {
        "edition": year,
        "complete": complete,
        "headline": headline,
        "warning": warning,
        "call": call(year, None if announced is None else max(announced - published, 0)),
        "lines": distinction_lines(distinctions),
        "unresolved_questions": unresolved_questions,
    }


def call(year, missing: int | None) -> str:
    """The appeal beside a coverage warning: how many laureates are missing, and who can help."""
    if missing == 0:
        return f"Un résultat de l'édition {year} est inexact ?"
    count = "des lauréats" if missing is None else (
        "1 lauréat" if missing == 1 else f"{missing} lauréats")
    return (f"Il manque {count} de l'édition {year}. Votre collectivité a été labellisée en {year} "
            "et n'apparaît pas, ou son résultat est inexact ?")
