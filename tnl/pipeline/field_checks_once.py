"""A field descriptor that frictionless found valid is not checked against its JSON Schema again in the process.

frictionless 5 copies a resource's metadata each time it opens it (for its header, its rows, each lookup), and
each copy validates every field's descriptor against the field's JSON Schema again: about 750 such checks for one
validation of the small fixture package, 40 % of its CPU time, the same few dozen descriptors each time. A field's
check depends only on its class, its descriptor and the Data Package version its ancestors impose (the JSON Schema
is frictionless' own, built in), so its verdict can be kept: only « no error » is kept, keyed by that triple; a
descriptor with errors is checked again each time and its errors come from frictionless, as before. frictionless has
no setting to skip these checks, and no hook around them, hence this wrap of `Field.metadata_validate`, made once
per process with the original kept as `__wrapped__`.
"""
from __future__ import annotations

import json

from frictionless import Field

_valid: set[tuple] = set()


def check_each_field_once() -> None:
    """Wrap frictionless' Field.metadata_validate so that a descriptor found valid passes without a new check."""
    original = Field.metadata_validate.__func__
    if getattr(original, "__wrapped__", None):
        return

    def metadata_validate(cls, descriptor, *, context=None):
        key = _key(cls, descriptor, context)
        if key in _valid:
            return
        errors = list(original(cls, descriptor, context=context))
        if not errors and key is not None:
            _valid.add(key)
        yield from errors

    metadata_validate.__wrapped__ = original
    Field.metadata_validate = classmethod(metadata_validate)


def _key(cls, descriptor, context) -> tuple | None:
    """(class, descriptor as canonical JSON, imposed version); None for a descriptor JSON cannot hold as is."""
    try:
        text = json.dumps(descriptor, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return cls, text, getattr(context, "datapackage_version", None)
