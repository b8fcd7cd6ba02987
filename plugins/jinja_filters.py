"""Template filters shared by our pages."""
from datasette import hookimpl

from tnl.peers import KIND_LABELS


def nature(kind: str) -> str:
    """French label of a territory kind: « etablissement_public » -> « établissement public »."""
    return KIND_LABELS.get(kind, kind or "")


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["nature"] = nature
