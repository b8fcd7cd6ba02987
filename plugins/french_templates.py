"""Datasette's own templates, translated into French as they load (no copies in templates/)."""
from datasette import hookimpl

from tnl.site.french import french_templates


@hookimpl
def prepare_jinja2_environment(env, datasette):
    french_templates.install(env, datasette)
