"""Territory pages rendered synchronously inside Datasette's page, with what Datasette adds to their context kept.

Datasette's Jinja environment is asynchronous: every chunk of output climbs through one async generator per template
level, and a territory page is about 1,500 chunks. Its render_template() also runs about fifteen plugin hooks per page
(scripts, style sheets, template variables, menu links) whose answers, for one template and a visitor without an
actor, never change. Both were about 0.5 ms of a cold territory page (issue 24).
"""
from __future__ import annotations

import weakref

import jinja2

CAPTURE = "_tnl_datasette_context"  # the page context's key through which render_async hands Datasette's context back
PER_REQUEST = ("request", "csrftoken", "show_messages")  # what Datasette 0.65 binds to the request in that context
_shared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # datasette -> {template name: its shared context}


class SynchronousTemplate(jinja2.Template):
    """A template Datasette's render_template() can take (it accepts a Template object, runs its hooks and builds its
    context as usual) but that renders synchronously: Datasette's environment is asynchronous, and every chunk of an
    asynchronous render climbs through one async generator per template level. Datasette 0.65's context holds one
    coroutine function, `menu_links`, which base.html calls: it is awaited here first."""

    async def render_async(self, *args, **kwargs):
        context = dict(*args, **kwargs)
        if callable(context.get("menu_links")):
            links = await context["menu_links"]()
            context["menu_links"] = lambda: links
        captured = context.pop(CAPTURE, None)
        if captured is not None:
            captured.update(context)
        return self.render(context)


async def render_page(datasette, template: SynchronousTemplate, context: dict, request) -> str:
    """`template` rendered as Datasette's render_template() would, with what Datasette adds to the context (its plugin
    hooks: scripts, style sheets, template variables, menu links; its URLs and settings) computed once per process
    for a visitor without an actor. For one template and no actor, Datasette and the site's plugins add the same
    values on every request but three it binds to the request (PER_REQUEST), which are bound again here: the first
    request of the process goes through render_template() and its context is kept; later ones reuse it. A request
    with an actor always goes through render_template(). tests/test_cheap_territory_page.py checks both ways give
    the same page. The hooks cost about a fifth of a millisecond per page, a tenth of a cold territory page."""
    shared = _shared.setdefault(datasette, {})
    if request.actor is None and template.name in shared:
        return template.render({**context, **shared[template.name], "request": request,
                                "csrftoken": request.scope["csrftoken"],
                                "show_messages": lambda: datasette._show_messages(request)})
    captured: dict = {}
    html = await datasette.render_template(template, {**context, CAPTURE: captured}, request=request)
    if request.actor is None:
        shared[template.name] = {key: value for key, value in captured.items()
                                 if key not in PER_REQUEST and (key not in context or value is not context[key])}
    return html


def synchronous_environment(env: jinja2.Environment) -> jinja2.Environment:
    """Datasette's environment (its loader with the French translations, its filters and globals) rendering
    synchronously: a territory page is about 1,500 chunks, and rendered synchronously it costs a third of the time."""
    synchronous = env.overlay(enable_async=False)
    synchronous.template_class = SynchronousTemplate
    return synchronous
