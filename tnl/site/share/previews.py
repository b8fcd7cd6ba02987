"""Link previews (OpenGraph and Twitter card tags, templates/_apercu_meta.html) of the front page, each edition's
palmarès and every territory page, and the route serving the preview images written by the build."""
from __future__ import annotations

from datasette import Response

from tnl.build_layout import PREVIEW_DIRECTORY, PREVIEW_SIZE, SITE_PREVIEW
from tnl.distinction_style import alternative_text, sentence
from tnl.site.exports.downloads import build_dir
from tnl.site.http.instance_cache import computed_once, database
from tnl.site.share.public_url import base_url

SITE_NAME = "Territoire Numérique Libre — données ouvertes"
SITE_IMAGE_ALT = "Territoire Numérique Libre : palmarès et données ouvertes du label depuis 2016"
CARD_PATH = "/-/cartes/{}.png"
PALMARES_SQL = """
select r.edition, coalesce(d.label, 'labellisé, niveau non publié') as label, count(*) as n
from results r left join distinctions d on d.id = r.distinction
group by r.edition, d.id order by r.edition, d.rank is null, d.rank desc
"""


def _preview_at(base: str, title: str, description: str, path: str, image: str, image_alt: str) -> dict:
    return {"site": SITE_NAME, "title": title, "description": description, "url": base + path,
            "image": base + CARD_PATH.format(image), "image_alt": image_alt,
            "width": PREVIEW_SIZE[0], "height": PREVIEW_SIZE[1]}


def _preview(datasette, request, title: str, description: str, path: str, image: str, image_alt: str) -> dict:
    return _preview_at(base_url(datasette, request), title, description, path, image, image_alt)


def territory_preview(base: str, territory: dict, kind_label: str) -> dict:
    """`base`: the site's public base URL (tnl.site.share.public_url.base_url), found once by the territory page."""
    latest = territory["latest"]
    description = (f"{territory['name']} ({kind_label}) au label Territoire Numérique Libre : {sentence(latest)}. "
                   "Historique des distinctions, sources et pairs.")
    return _preview_at(base, f"{territory['name']} — Territoire Numérique Libre", description,
                       f"/territoire/{territory['id']}", territory["id"] if latest else SITE_PREVIEW,
                       alternative_text(territory["name"], latest) if latest else SITE_IMAGE_ALT)


def front_page_preview(datasette, request, counts: dict) -> dict:
    description = (f"Palmarès du label Territoire Numérique Libre (ADULLACT) depuis 2016 : {counts['results']} distinctions "
                   f"de {counts['labelled']} lauréats, chacune sourcée ; carte, page par territoire, API JSON et CSV.")
    return _preview(datasette, request, SITE_NAME, description, "/", SITE_PREVIEW, SITE_IMAGE_ALT)


async def palmares_preview(datasette, request) -> dict:
    async def load():
        by_edition: dict[int, list] = {}
        for edition, label, n in (await database(datasette).execute(PALMARES_SQL)).rows:
            by_edition.setdefault(edition, []).append((label.split(" (")[0], n))
        return by_edition
    by_edition = await computed_once(datasette, ("palmares_preview",), load)
    asked = request.args.get("edition") or ""
    edition = int(asked) if asked.isdigit() and int(asked) in by_edition else max(by_edition)
    counts = by_edition[edition]
    total = sum(n for _, n in counts)
    description = (f"Palmarès {edition} du label Territoire Numérique Libre : {total} lauréats publiés ("
                   + ", ".join(f"{label} : {n}" for label, n in counts) + "). Listes partielles, chaque résultat sourcé.")
    return _preview(datasette, request, f"Palmarès {edition} — Territoire Numérique Libre", description,
                    f"/tnl/palmares?edition={edition}", SITE_PREVIEW, SITE_IMAGE_ALT)


async def card_image(datasette, request):
    path = build_dir(datasette) / PREVIEW_DIRECTORY / f"{request.url_vars['id']}.png"
    if not path.is_file():
        return Response.text("Image introuvable.", status=404)
    return Response(path.read_bytes(), content_type="image/png")
