"""PATCH bodies: a Struct whose every field may be left out, built from the full Struct.

>>> from argmap.model import Speaker
>>> SpeakerPatch = partial(Speaker)
>>> merge(Speaker(id="a", name="A"), msgspec.json.decode(b'{"role": "envoy"}', type=SpeakerPatch))
Speaker(id='a', name='A', role='envoy', affiliation=None)

A left-out field keeps its value; ``null`` clears an optional one. The patch type documents
the body in the OpenAPI schema and refuses unknown fields; the merged whole is validated as
the full Struct, so a patch can never store what a PUT could not.
"""

from __future__ import annotations

from functools import lru_cache

import msgspec

from argmap.errors import from_validation_error

__all__ = ["merge", "partial"]


@lru_cache(maxsize=None)
def partial(struct: type[msgspec.Struct]) -> type[msgspec.Struct]:
    fields = [(f.name, f.type | msgspec.UnsetType, msgspec.UNSET) for f in msgspec.structs.fields(struct)]
    return msgspec.defstruct(
        f"{struct.__name__}Patch", fields, kw_only=True, forbid_unknown_fields=True, module=struct.__module__
    )


def merge(current: msgspec.Struct, patch: msgspec.Struct) -> msgspec.Struct:
    """``current`` with the fields ``patch`` sets, validated as ``current``'s type."""
    changes = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}
    try:
        return msgspec.convert({**msgspec.to_builtins(current), **msgspec.to_builtins(changes)}, type=type(current))
    except msgspec.ValidationError as e:
        raise from_validation_error(e) from None
