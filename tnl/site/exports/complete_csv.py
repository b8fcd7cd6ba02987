"""CSV exports of tables and views hold every row the filters select.

Datasette's `.csv` stops silently at `max_returned_rows` (2,000) unless `_stream=on` is given: a researcher asking
for `/tnl/territories.csv` got 2,000 of 36,258 rows. Every `.csv` request is therefore streamed, unless it asks for
one page explicitly (`_next`, Datasette's pagination token). The result of a SQL query is not paginated by Datasette
and stays limited to 2,000 rows; its page says so (the translated query template, tnl/site/french/french_templates.py) and the API page documents it.
"""
from urllib.parse import parse_qsl


def wrap(app):
    async def complete(scope, receive, send):
        if scope["type"] == "http" and scope["path"].endswith(".csv") and not scope["path"].startswith("/-/"):
            query = scope.get("query_string", b"")
            keys = {k for k, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)}
            if not keys & {"_stream", "_next"}:
                scope = dict(scope, query_string=query + (b"&" if query else b"") + b"_stream=on")
        await app(scope, receive, send)

    return complete
