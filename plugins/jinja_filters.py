"""Template helpers shared by our pages."""
from datasette import hookimpl

from tnl.site.french import templating


@hookimpl
def prepare_jinja2_environment(env):
    templating.install(env)
    env.auto_reload = False  # templates ship with the code: no stat() of every template on every page


@hookimpl
def extra_template_vars(view_name, datasette):
    """Datasette gives custom pages (templates/pages/) no `metadata`: they need the licence and attribution too."""
    return {"metadata": datasette.metadata()} if view_name == "page" else {}
