"""« Un résultat manque ou est inexact ? » at /signaler: what proof is accepted, and a report pre-filled from
?territoire=&edition=&distinction=, each value checked against the data (unknown ones are ignored and said so).

The site stays read-only: the report leaves as a pre-filled e-mail (to the label's public contact unless metadata.yml
sets another: plugins: tnl-signalement: email) and/or issue form (formulaire); nothing is stored here.

The message holds facts only (territory and its identifier, edition, distinction and its code, what is wrong, the
proof): no command. The person sending it is a mayor or an officer, not an operator; a shell command in their
e-mail reads as something to run or edit, and it would carry our internals into every mailbox. Each field maps to one
option of `tnl add-result`, which the operator writes from the report (README, « Signalements »).
"""
from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from datasette import Response

from tnl.site.http.instance_cache import computed_once, database
from tnl.site.pages.territory_pages import references
from tnl.site.search.search_index import MAX_QUERY_LENGTH
from tnl.site.search.territory_search import label, search_index
from tnl.site.share.public_url import absolute
from tnl.text import normalise

PLUGIN = "tnl-signalement"
# The label's public contact, as given in its call for candidates: where a report goes unless the site sets another.
DEFAULT_EMAIL = "label@territoire-numerique-libre.org"
ECHO_LIMIT = 100  # what is echoed of an unknown value, escaped by the template
# Not echoed at all: control characters (NUL…) and the invisible format characters that reorder or hide text
# (bidirectional overrides U+202A–U+202E and isolates U+2066–U+2069, zero-width characters, BOM): shown as « � ».
UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
CANDIDATES = 6  # territories offered when the one typed is not an identifier
SCHEME_LABELS = {"niveaux_1_5": "niveaux 1 à 5", "badge_bronze_argent_or": "badge, bronze, argent, or"}


async def report_page(datasette, request):
    context = await report_context(datasette, request.args, datasette.plugin_config(PLUGIN) or {},
                                   absolute(datasette, request, "/"))
    return Response.html(await datasette.render_template("signaler.html", {"signalement": context}, request=request))


async def _choices(datasette) -> dict:
    async def load():
        db = database(datasette)
        editions = {str(r[0]): r[1] for r in (await db.execute("select edition, distinction_scheme from editions")).rows}
        distinctions = {r[0]: {"label": r[1], "scheme": r[2]} for r in
                        (await db.execute("select id, label, scheme from distinctions order by scheme, rank")).rows}
        # Each scheme with the editions that use it, latest first: « 2025 », « 2016 à 2024 ».
        schemes = {}
        for edition, scheme in sorted(editions.items(), reverse=True):
            schemes.setdefault(scheme, []).append(edition)
        return {"editions": editions, "distinctions": distinctions, "schemes": schemes}
    return await computed_once(datasette, ("report_choices",), load)


async def report_context(datasette, args, config: dict, site_url: str) -> dict:
    territories = (await references(datasette))["territories"]
    choices = await _choices(datasette)
    ignored, candidates = [], []
    typed = _arg(args, "territoire")[:MAX_QUERY_LENGTH]
    territory = territories.get(typed)
    if typed and territory is None:
        # A name, postal code or Insee code rather than our identifier: one exact name is taken, else the choice.
        matches = (await search_index(datasette)).matches(typed, CANDIDATES)
        exact = [m.entry for m in matches if normalise(m.entry.name) == normalise(typed)]
        if len(matches) == 1:
            exact = [matches[0].entry]
        if len(exact) == 1 and exact[0].id in territories:
            territory = territories[exact[0].id]
        elif matches:
            candidates = [{"id": m.entry.id, "label": label(m.entry)} for m in matches]
        else:
            ignored.append(f"territoire « {typed[:ECHO_LIMIT]} » inconnu")
    edition = _arg(args, "edition") if _arg(args, "edition") in choices["editions"] else ""
    if _arg(args, "edition") and not edition:
        ignored.append(f"édition « {_arg(args, 'edition')[:ECHO_LIMIT]} » inconnue")
    distinction = choices["distinctions"].get(_arg(args, "distinction"))
    refused = None
    if distinction and edition and distinction["scheme"] != choices["editions"][edition]:
        scheme = choices["editions"][edition]
        refused = (f"La distinction « {distinction['label']} » n'existe pas à l'édition {edition}, dont le barème est "
                   f"{SCHEME_LABELS.get(scheme, scheme)} : choisissez l'une des distinctions proposées.")
        distinction = None
    elif _arg(args, "distinction") and distinction is None:
        ignored.append(f"distinction « {_arg(args, 'distinction')[:ECHO_LIMIT]} » inconnue")
    distinction_id = _arg(args, "distinction") if distinction else ""
    subject, body = _message(site_url, territory, edition, distinction_id, distinction)
    email = (config.get("email") or "").strip() or DEFAULT_EMAIL
    form = (config.get("formulaire") or "").strip()
    return {
        "territory": territory and {"id": territory["id"], "name": territory["name"]},
        "edition": edition,
        "distinction": distinction and {"id": distinction_id, "label": distinction["label"]},
        "ignored": ignored,
        "candidates": candidates,
        "typed": typed if candidates else "",
        "refused": refused,
        "editions": [{"edition": e, "scheme": choices["editions"][e]} for e in sorted(choices["editions"], reverse=True)],
        # Every scheme is in the page (the script swaps them when the edition changes); those of other editions are
        # hidden and disabled, so that without the script only the chosen edition's distinctions are offered.
        "schemes": [{"id": scheme, "label": _scheme_title(scheme, years),
                     "offered": not edition or scheme == choices["editions"][edition],
                     "distinctions": [{"id": i, "label": d["label"]} for i, d in choices["distinctions"].items()
                                      if d["scheme"] == scheme]}
                    for scheme, years in choices["schemes"].items()],
        "subject": subject,
        "body": body,
        "email": email,
        "mailto": f"mailto:{email}?subject={quote(subject)}&body={quote(body)}",
        "form_url": form and f"{form}{'&' if '?' in form else '?'}{urlencode({'title': subject, 'body': body})}",
    }


def _scheme_title(scheme: str, years: list[str]) -> str:
    """« Éditions 2016 à 2024 : niveaux 1 à 5 », « Édition 2025 : badge, bronze, argent, or »."""
    span = years[0] if len(years) == 1 else f"{years[-1]} à {years[0]}"
    return f"Édition{'s' if len(years) > 1 else ''} {span} : {SCHEME_LABELS.get(scheme, scheme)}"


def _arg(args, name: str) -> str:
    return UNSHOWN.sub("\ufffd", (args.get(name) or "").strip())


def _message(site_url: str, territory: dict | None, edition: str, distinction_id: str, distinction: dict | None):
    """The report as plain text: the facts, each with the code the operator needs, and what the sender adds."""
    subject = f"Signalement TNL : {territory['name'] if territory else 'résultat'}{f' — édition {edition}' if edition else ''}"
    body = "\n".join([
        "Bonjour,",
        "",
        "Je signale un résultat du label Territoire Numérique Libre manquant ou inexact.",
        "",
        f"Territoire : {territory['name']} (identifiant {territory['id']})" if territory else "Territoire : …",
        f"Édition : {edition or '…'}",
        f"Distinction : {distinction['label']} (code {distinction_id})" if distinction else "Distinction : …",
        f"Page : {site_url.rstrip('/')}/territoire/{territory['id']}" if territory else f"Site : {site_url}",
        "",
        "Ce qui manque ou est inexact : …",
        "Preuve (adresse publique : liste de l'organisateur, article de presse, publication de la collectivité, "
        "délibération) : …",
    ])
    return subject, body


def report_query(**values) -> str:
    """The link to the report page, pre-filled with the values that are set."""
    params = {k: v for k, v in values.items() if v}
    return "/signaler" + ("?" + urlencode(params) if params else "")
