"""Territory pages rendered synchronously inside Datasette's page, with what Datasette adds to their context kept, and
the page around their own parts (Datasette's base.html: head, header, footer, scripts) rendered once per process.

Datasette's Jinja environment is asynchronous: every chunk of output climbs through one async generator per template
level, and a territory page is about 1,500 chunks. Its render_template() also runs about fifteen plugin hooks per page
(scripts, style sheets, template variables, menu links) whose answers, for one template and a visitor without an
actor, never change. Both were about 0.5 ms of a cold territory page (issue 24). What was left of the page around
its content (base.html, its includes and imports) was still a fifth of a millisecond, for the same bytes on every
page but the title, a few lines of the head and the content: a "frame" (render_framed) keeps those bytes.
"""
from __future__ import annotations

import re
import weakref

import jinja2
from markupsafe import Markup

CAPTURE = "_tnl_datasette_context"  # the page context's key through which render_async hands Datasette's context back
PER_REQUEST = ("request", "csrftoken", "show_messages")  # what Datasette 0.65 binds to the request in that context
SLOT = "\x00slot:{}\x00"  # what stands for a slot while a frame is drawn: no template or datum writes a NUL
_shared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # datasette -> {template name: its shared context}
_frames: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # datasette -> {template name: Frame}


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


def _per_request(datasette, request) -> dict:
    return {"request": request, "csrftoken": request.scope["csrftoken"],
            "show_messages": lambda: datasette._show_messages(request)}


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
        return template.render({**context, **shared[template.name], **_per_request(datasette, request)})
    captured: dict = {}
    html = await datasette.render_template(template, {**context, CAPTURE: captured}, request=request)
    if request.actor is None:
        shared[template.name] = {key: value for key, value in captured.items()
                                 if key not in PER_REQUEST and (key not in context or value is not context[key])}
    return html


class Frame:
    """A page drawn once with a marker in each slot, cut at the markers: filled, it is the page those slots make."""

    def __init__(self, html: str, slots: dict):
        cut = re.split("\x00slot:([a-z_]+)\x00", html)
        self.pieces, self.order = cut[0::2], cut[1::2]
        if sorted(self.order) != sorted(slots):  # a slot written twice, or never (under a filter, in a condition)
            raise ValueError(f"each slot of the frame must be written once, as is: {self.order} for {sorted(slots)}")

    def fill(self, slots: dict) -> str:
        parts = [self.pieces[0]]
        for name, piece in zip(self.order, self.pieces[1:]):
            parts += (slots[name], piece)
        return "".join(parts)


async def render_framed(datasette, template: SynchronousTemplate, slots: dict[str, Markup], request) -> str:
    """render_page(template, slots) for a template whose every part but `slots` (Markup, written as they are) is
    the same on every page: the Datasette context kept by render_page(), and no message to show (Datasette's
    ds_messages cookie) nor actor. Such a page is its frame, drawn once per process and per template, filled with
    the slots; any other request is rendered in full by render_page(). tests/test_cheap_territory_page.py checks a
    framed page equals the same page rendered in full."""
    if request.actor is not None or getattr(request, "_messages", None):
        return await render_page(datasette, template, slots, request)
    frames = _frames.setdefault(datasette, {})
    frame = frames.get(template.name)
    if frame is None:
        shared = _shared.get(datasette, {}).get(template.name)
        if shared is None:  # the process's first page of this template: Datasette's context is not known yet
            return await render_page(datasette, template, slots, request)
        drawn = template.render({**shared, **_per_request(datasette, request),
                                 **{name: Markup(SLOT.format(name)) for name in slots}})
        frame = frames[template.name] = Frame(drawn, slots)
    return frame.fill(slots)


def synchronous_environment(env: jinja2.Environment) -> jinja2.Environment:
    """Datasette's environment (its loader with the French translations, its filters and globals) rendering
    synchronously: a territory page is about 1,500 chunks, and rendered synchronously it costs a third of the time.
    Its templates are not checked for changes on every use (auto_reload, one stat() per include): they are the
    release's, fixed for the life of the process."""
    synchronous = env.overlay(enable_async=False, auto_reload=False)
    synchronous.template_class = SynchronousTemplate
    return synchronous
