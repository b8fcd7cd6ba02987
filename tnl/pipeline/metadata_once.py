"""What frictionless 5 works out again for every copy of a resource's metadata, worked out once per process.

frictionless 5 copies a resource's metadata each time it opens it (for its header, its rows, each lookup), and
each copy validates every field's descriptor against the field's JSON Schema again: about 750 such checks for one
validation of the small fixture package, 40 % of its CPU time, the same few dozen descriptors each time. A field's
check depends only on its class, its descriptor and the Data Package version its ancestors impose (the JSON Schema
is frictionless' own, built in), so its verdict can be kept: only « no error » is kept, keyed by that triple; a
descriptor with errors is checked again each time and its errors come from frictionless, as before. Each copy also
turns every property name of every field into snake case (three regular expressions a name: 15 % of the rest), a
function of the name alone, so its answers are kept too (bounded: the names are those of the Table Schema standard
and of the descriptor). frictionless has no setting to skip either, and no hook around them, hence these two wraps,
made once per process with the originals kept as `__wrapped__`.
"""
from __future__ import annotations

import functools
import json

from frictionless import Field
from frictionless.vendors import stringcase

_valid: set[tuple] = set()


def work_metadata_out_once() -> None:
    """Both wraps, once per process."""
    if not hasattr(Field.metadata_validate.__func__, "__wrapped__"):
        _check_each_field_once()
    if not hasattr(stringcase.snakecase, "__wrapped__"):
        stringcase.snakecase = functools.lru_cache(maxsize=4096)(stringcase.snakecase)


def _check_each_field_once() -> None:
    """Wrap frictionless' Field.metadata_validate so that a descriptor found valid passes without a new check."""
    original = Field.metadata_validate.__func__

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
