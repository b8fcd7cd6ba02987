"""/-/sante.json: what a load balancer or a monitoring probe needs: the database answers, which database and code (the ETags' seed), which data version, built when."""
from __future__ import annotations

import sqlite3

from datasette.utils.asgi import Response

from tnl.site.http.etag import build_date, site_fingerprint
from tnl.site.http.instance_cache import database


async def health(datasette, request):
    db = database(datasette)
    try:
        editions = (await db.execute("select count(*) from editions")).single_value()
    except (sqlite3.Error, OSError) as error:
        return Response.json({"statut": "indisponible", "erreur": f"base illisible : {error}"[:200]},
                             status=503, headers={"cache-control": "no-store"})
    return Response.json({
        "statut": "ok",
        "base": db.name,
        "base_sha256": db.hash,
        "construite_le": build_date(datasette),
        "empreinte_site": site_fingerprint(datasette)[:16],  # database + code: the ETags' seed
        "version_donnees": (datasette.metadata("tnl_versions") or {}).get("version"),
        "editions": editions,
    }, headers={"cache-control": "no-store"})
