"""« Un résultat manque ou est inexact ? » at /signaler: what proof is accepted, and a report pre-filled from
?territoire=&edition=&distinction=, each value checked against the data (unknown ones are ignored and said so).

The site stays read-only: the report leaves as a pre-filled e-mail and/or issue form, to the destinations set in
metadata.yml (plugins: tnl-signalement: email, formulaire); nothing is stored here.
"""
from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from datasette import Response

from tnl.site.http.instance_cache import computed_once, database
from tnl.site.pages.territory_pages import references
from tnl.site.share.public_url import absolute

PLUGIN = "tnl-signalement"
ECHO_LIMIT = 100  # what is echoed of an unknown value, escaped by the template
# Not echoed at all: control characters (NUL…) and the invisible format characters that reorder or hide text
# (bidirectional overrides U+202A–U+202E and isolates U+2066–U+2069, zero-width characters, BOM): shown as « � ».
UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


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
        return {"editions": editions, "distinctions": distinctions}
    return await computed_once(datasette, ("report_choices",), load)


async def report_context(datasette, args, config: dict, site_url: str) -> dict:
    territories = (await references(datasette))["territories"]
    choices = await _choices(datasette)
    ignored = []
    territory = territories.get(_arg(args, "territoire"))
    if _arg(args, "territoire") and territory is None:
        ignored.append(f"territoire « {_arg(args, 'territoire')[:ECHO_LIMIT]} » inconnu")
    edition = _arg(args, "edition") if _arg(args, "edition") in choices["editions"] else ""
    if _arg(args, "edition") and not edition:
        ignored.append(f"édition « {_arg(args, 'edition')[:ECHO_LIMIT]} » inconnue")
    distinction = choices["distinctions"].get(_arg(args, "distinction"))
    if distinction and edition and distinction["scheme"] != choices["editions"][edition]:
        distinction = None
    if _arg(args, "distinction") and distinction is None:
        ignored.append(f"distinction « {_arg(args, 'distinction')[:ECHO_LIMIT]} » inconnue pour cette édition")
    distinction_id = _arg(args, "distinction") if distinction else ""
    subject, body = _message(site_url, territory, edition, distinction_id, distinction)
    email, form = (config.get("email") or "").strip(), (config.get("formulaire") or "").strip()
    return {
        "territory": territory and {"id": territory["id"], "name": territory["name"]},
        "edition": edition,
        "distinction": distinction and {"id": distinction_id, "label": distinction["label"]},
        "ignored": ignored,
        "editions": sorted(choices["editions"], reverse=True),
        "distinctions": [{"id": i, "label": d["label"]} for i, d in choices["distinctions"].items()
                         if not edition or d["scheme"] == choices["editions"][edition]],
        "subject": subject,
        "body": body,
        "email": email,
        "mailto": email and f"mailto:{email}?subject={quote(subject)}&body={quote(body)}",
        "form_url": form and f"{form}{'&' if '?' in form else '?'}{urlencode({'title': subject, 'body': body})}",
    }


def _arg(args, name: str) -> str:
    return UNSHOWN.sub("\ufffd", (args.get(name) or "").strip())


def _message(site_url: str, territory: dict | None, edition: str, distinction_id: str, distinction: dict | None):
    """The report as plain text, with the command that applies it once the proof is checked."""
    who = f"{territory['name']} ({territory['id']})" if territory else "…"
    subject = f"Signalement TNL : {territory['name'] if territory else 'résultat'}{f' — édition {edition}' if edition else ''}"
    command = ["tnl add-result", f"--edition {edition or 'ANNÉE'}", f"--territory {territory['id'] if territory else 'IDENTIFIANT'}"]
    if distinction_id:
        command.append(f"--distinction {distinction_id}")
    command.append("--source URL_DE_LA_PREUVE")
    body = "\n".join([
        f"Territoire : {who}",
        f"Édition : {edition or '…'}",
        f"Distinction : {distinction['label'] if distinction else '…'}",
        f"Page : {site_url.rstrip('/')}/territoire/{territory['id']}" if territory else f"Site : {site_url}",
        "",
        "Ce qui manque ou est inexact : …",
        "Preuve (adresse publique : liste de l'organisateur, article de presse, publication de la collectivité, "
        "délibération) : …",
        "",
        "Pour l'équipe, une fois la preuve vérifiée :",
        " ".join(command),
    ])
    return subject, body


def report_query(**values) -> str:
    """The link to the report page, pre-filled with the values that are set."""
    params = {k: v for k, v in values.items() if v}
    return "/signaler" + ("?" + urlencode(params) if params else "")
