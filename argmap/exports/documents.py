"""Whole-map documents: the map file (JSON, YAML), AIF JSON and Argdown, at ``/maps/{map}.{suffix}``."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from argmap import mapfile
from argmap.exports import Export, Job
from argmap.formats import aif, argdown

__all__ = ["AifParams", "EXPORTS"]


class AifParams(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    xaif: Annotated[bool, Meta(description='Wrap the nodeset as xAIF ({"AIF": …, "text": …}).')] = False


def _aif(job: Job) -> bytes:
    return aif.dumps(job.map, xaif=job.options.xaif)


_WHOLE = dict(whole_map=True, scoped=False, group="The whole map")

EXPORTS = [
    Export(name="map", suffix="yaml", media_type="application/yaml", label="Map file", note="YAML, for argmap load",
           make=lambda job: mapfile.dumps(job.map, format="yaml"),
           summary="The whole map as a map file that `argmap load` and POST /maps read back", **_WHOLE),
    Export(name="map", suffix="json", media_type="application/json",
           make=lambda job: mapfile.dumps(job.map, format="json"),
           summary="The whole map as a map file that `argmap load` and POST /maps read back", **_WHOLE),
    Export(name="aif", suffix="aif.json", media_type="application/json", options=AifParams, make=_aif,
           label="AIF", note="Argument Interchange Format (JSON)",
           summary="The whole map as AIF JSON (an AIFdb nodeset) that `argmap import` reads back", **_WHOLE),
    Export(name="argdown", suffix="argdown", media_type="text/plain; charset=utf-8", label="Argdown", note="text",
           make=lambda job: argdown.dumps(job.map).encode("utf-8"),
           summary="The whole map as an Argdown document that Argdown's tools and `argmap import` read", **_WHOLE),
]
