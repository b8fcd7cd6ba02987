"""CSV exports of tables and views hold every row the filters select, read in pages of the export's own size.

Datasette's `.csv` stops silently at `max_returned_rows` (2,000) unless `_stream=on` is given: a researcher asking
for `/tnl/territories.csv` got 2,000 of 36,258 rows. Every `.csv` request is therefore streamed, unless it asks for
one page explicitly (`_next`, Datasette's pagination token). A stream reads the table in pages of `max_returned_rows`
whatever the client's `_size`: `_size=1` made one export run 36,258 queries. The result of a SQL query is not
paginated by Datasette and stays limited to 2,000 rows; its page says so (the translated query template,
tnl/site/french/french_templates.py) and the API page documents it.
"""
from urllib.parse import parse_qsl, urlencode


def wrap(app):
    async def complete(scope, receive, send):
        if scope["type"] == "http" and scope["path"].endswith(".csv") and not scope["path"].startswith("/-/"):
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            if "_next" not in {k for k, _ in query}:
                if all(v == "max" or (v.isdigit() and int(v) > 0) for k, v in query if k == "_size"):  # else Datasette's 400
                    query = [(k, v) for k, v in query if k not in ("_stream", "_size")] + [("_stream", "on"), ("_size", "max")]
                else:
                    query = [(k, v) for k, v in query if k != "_stream"] + [("_stream", "on")]
                scope = dict(scope, query_string=urlencode(query).encode("latin-1"))
        await app(scope, receive, send)

    return complete
