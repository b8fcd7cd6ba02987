"""Template helpers shared by our pages."""
from datasette import hookimpl

from tnl.peers import KIND_LABELS


def nature(kind: str) -> str:
    """French label of a territory kind: « etablissement_public » -> « établissement public »."""
    return KIND_LABELS.get(kind, kind or "")


def number(value) -> str:
    """36000 -> « 36 000 » (narrow no-break space). A plain function: a template macro costs far more per call."""
    return f"{value:,}".replace(",", "\u202f")


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["nature"] = nature
    env.globals["number"] = number


@hookimpl
def extra_template_vars(view_name, datasette):
    """Datasette gives custom pages (templates/pages/) no `metadata`: they need the licence and attribution too."""
    return {"metadata": datasette.metadata()} if view_name == "page" else {}
