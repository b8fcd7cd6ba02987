"""Template helpers shared by our pages, and the synchronous environment that renders a territory page's content."""
from __future__ import annotations

import jinja2

from tnl.site.french.numbers import french_number
from tnl.site.french.value_labels import EPCI_TYPES
from tnl.site.http import sql_limits
from tnl.text import of
from tnl.vocabulary import KIND_LABELS


def nature(kind: str) -> str:
    """French label of a territory kind: « etablissement_public » -> « établissement public »."""
    return KIND_LABELS.get(kind, kind or "")


def capfirst(text: str) -> str:
    """« EPCI » stays « EPCI » (Jinja's capitalize would give « Epci »)."""
    return text[:1].upper() + text[1:]


def number(value) -> str:
    """36000 -> « 36 000 », 12.5 -> « 12,5 ». A plain function: a template macro costs far more per call."""
    return french_number(value)


def sql_error(message) -> str:
    """SQLite's « string or blob too big » (a value over sql_limits.MAX_VALUE_BYTES) said in French on the query page."""
    return sql_limits.VALUE_MESSAGE if str(message) == sql_limits.TOO_BIG else message


def install(env: jinja2.Environment) -> None:
    env.filters["sql_error"] = sql_error
    env.filters["nature"] = nature
    env.filters["capfirst"] = capfirst
    env.filters["de"] = of  # « Distinctions {{ name|de }} » -> « Distinctions d'Échirolles »
    env.filters["type_epci"] = lambda code: EPCI_TYPES.get(code, code)
    env.globals["number"] = number


class SynchronousTemplate(jinja2.Template):
    """A template Datasette's render_template() can take (it accepts a Template object, runs its hooks and builds its
    context per request as usual) but that renders synchronously: Datasette's environment is asynchronous, and every
    chunk of an asynchronous render climbs through one async generator per template level (a territory page pays
    about half a millisecond for it). Datasette 0.65's context holds one coroutine function, `menu_links`, which
    base.html calls: it is awaited here first."""

    async def render_async(self, *args, **kwargs):
        context = dict(*args, **kwargs)
        if callable(context.get("menu_links")):
            links = await context["menu_links"]()
            context["menu_links"] = lambda: links
        return self.render(context)


def synchronous_environment(env: jinja2.Environment) -> jinja2.Environment:
    """Datasette's environment (its loader with the French translations, its filters and globals) rendering
    synchronously: a territory page is about 1,500 chunks, and rendered synchronously it costs a third of the time."""
    synchronous = env.overlay(enable_async=False)
    synchronous.template_class = SynchronousTemplate
    return synchronous
