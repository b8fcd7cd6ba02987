"""Copy-paste code offered to users: a badge linked to its territory page (HTML and Markdown), an iframe."""
from __future__ import annotations

from markupsafe import escape

from tnl.distinction_style import alternative_text

EMBED_HEIGHTS = {"carte": 450, "territoire": 300}


def iframe(src: str, title: str, height: int) -> str:
    """The code of an embed; pages show it as text, so the snippet shown is exactly this."""
    return (f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" height="{height}" '
            'style="border:0" loading="lazy"></iframe>')


def _markdown_text(text: str) -> str:
    """Brackets and backslashes would end a Markdown image's text early."""
    return "".join("\\" + c if c in "[]\\" else c for c in text)


def territory_snippets(territory: dict, url) -> dict:
    """Everything the territory page offers to copy; `url(path)` makes an absolute address."""
    page, badge = url(f"/territoire/{territory['id']}"), url(f"/territoire/{territory['id']}/badge.svg")
    alt = alternative_text(territory["name"], territory["latest"])
    return {
        "badge_url": f"/territoire/{territory['id']}/badge.svg",
        "alt": alt,
        "html": f'<a href="{escape(page)}"><img src="{escape(badge)}" alt="{escape(alt)}" height="28"></a>',
        "markdown": f"[![{_markdown_text(alt)}]({badge})]({page})",
        "iframe": iframe(url(f"/embed/territoire/{territory['id']}"), f"{territory['name']} — Territoire Numérique Libre",
                         EMBED_HEIGHTS["territoire"]),
        "feed": f"/territoire/{territory['id']}.atom",
    }
