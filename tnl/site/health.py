"""/-/sante.json: what a load balancer or a monitoring probe needs: the database answers, which release, built when."""
from __future__ import annotations

import sqlite3

from datasette.utils.asgi import Response

from tnl.site.instance_cache import database
from tnl.site.release import build_date, release_id


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
        "version": release_id(datasette)[:16],
        "editions": editions,
    }, headers={"cache-control": "no-store"})
