"""tnl-opendata: the open data of the label Territoire Numérique Libre.

    tnl/pipeline/   sources -> validate -> load -> publish (the `tnl validate` and `tnl build` steps)
    tnl/importers/  the operator's importers: official lists and questionnaire exports into data/
    tnl/site/       what the served site computes; plugins/ holds only the Datasette hooks that call it
"""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
