"""Codes shown as French labels in the HTML, territories linked to their page, sources as links."""
from datasette import hookimpl

from tnl.site.french import value_labels


@hookimpl
def startup(datasette):
    async def load():
        await value_labels.load(datasette)
    return load


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    return value_labels.render_cell(datasette, row, value, column, table, database)


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.globals["fr_value"] = lambda table, column, value: value_labels.facet_label(datasette, table, column, value)
    env.globals["fr_facet_values"] = lambda request, table, facet, total: value_labels.facet_values(
        datasette, request, table, facet, total)


@hookimpl
def extra_template_vars(view_name, request, datasette):
    if view_name != "page" or request is None or request.path != "/glossaire":
        return {}
    return {"glossaire": value_labels.glossary(datasette)}
