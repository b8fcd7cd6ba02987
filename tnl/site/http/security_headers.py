"""Security headers on every response: a CSP that still lets the map tiles load, no MIME sniffing, framing rules,
a referrer policy that OpenStreetMap accepts; and a read-only site: any write method gets a 405 before reaching Datasette.

Datasette's own pages use inline scripts and styles, hence 'unsafe-inline'; everything else is same-origin
except OpenStreetMap tiles. Only the pages made for iframes, under /embed/ (the map and the territory cards), may be
framed by other sites; every other page keeps `frame-ancestors 'none'` and `X-Frame-Options: DENY`.
"""
from functools import wraps

TILES = "https://*.tile.openstreetmap.org"
EMBEDDABLE_PREFIXES = ("/embed/",)
READ_METHODS = ("GET", "HEAD", "OPTIONS")
# OpenStreetMap refuses tile requests without a Referer; Datasette alone sends `no-referrer`.
REFERRER_POLICY = b"strict-origin-when-cross-origin"


def content_security_policy(embeddable: bool) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: {TILES}",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors *" if embeddable else "frame-ancestors 'none'",
    ])


def security_headers(path: str) -> list[list[bytes]]:
    embeddable = path.startswith(EMBEDDABLE_PREFIXES)
    headers = [
        [b"content-security-policy", content_security_policy(embeddable).encode()],
        [b"x-content-type-options", b"nosniff"],
        [b"referrer-policy", REFERRER_POLICY],
    ]
    if not embeddable:
        headers.append([b"x-frame-options", b"DENY"])
    return headers


def wrap(app):
    """Headers added to every response (cached ones included); write methods answered 405 before reaching Datasette."""
    @wraps(app)
    async def with_headers(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        ours = security_headers(scope["path"])
        replaced = {name for name, _ in ours}

        async def send_with_headers(event):
            if event["type"] == "http.response.start":
                kept = [h for h in event.get("headers") or [] if bytes(h[0]).lower() not in replaced]
                event = dict(event, headers=kept + ours)
            await send(event)

        if scope["method"] not in READ_METHODS:  # a read-only site: no write reaches Datasette (its 404 for a POST is a 500)
            await send_with_headers({"type": "http.response.start", "status": 405, "headers": [
                [b"content-type", b"text/plain; charset=utf-8"], [b"allow", b"GET, HEAD, OPTIONS"]]})
            await send({"type": "http.response.body", "body": "Méthode non autorisée : ce site est en lecture seule.".encode()})
            return
        await app(scope, receive, send_with_headers)

    return with_headers
