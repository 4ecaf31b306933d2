"""GraphML for yEd, Gephi and draw.io: statements and arguments as nodes with their attributes.

Written by networkx. Each argument is a node of its own (as in AIF): an edge runs from each
premise to it (``role`` premise) and one from it to its target (``role`` target: a statement,
or the argument an undercut denies). Text is kept whole; characters XML cannot carry become
U+FFFD. With ``evaluate``, every node carries its ``status`` (in, out, undec).
"""

from __future__ import annotations

import io
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from argmap.exports import Export, Job
from argmap.render._text import xml_safe

__all__ = ["EXPORTS", "GraphmlParams", "graph"]


class GraphmlParams(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    evaluate: Annotated[Literal["grounded", "complete", "preferred", "stable"] | None, Meta(
        description="Give every node its status (in, out, undec) under this semantics, on the whole map.")] = None


def graph(job: Job):
    """The scoped map as a ``networkx.DiGraph`` (node and edge attributes are strings)."""
    import networkx as nx  # lazily: 0.7 s of start-up that every other export would pay

    m, labels = job.map, job.labels or {}
    speakers = {s.id: s for s in m.speakers}
    g = nx.DiGraph(id=m.id, title=xml_safe(m.title))
    for s in m.statements:
        attrs = {"type": "statement", "kind": s.kind, "label": xml_safe(s.text), "text": xml_safe(s.text),
                 "speaker": s.speaker, "speaker_name": xml_safe(speakers[s.speaker].label) if s.speaker in speakers else None,
                 "said": s.said, "source": s.source, "tags": ";".join(s.tags) or None, "status": labels.get(s.id)}
        g.add_node(s.id, **{k: v for k, v in attrs.items() if v is not None})
    for a in m.arguments:
        attrs = {"type": "argument", "kind": a.kind, "label": a.kind, "scheme": xml_safe(a.scheme) if a.scheme else None,
                 "note": xml_safe(a.note) if a.note else None, "status": labels.get(a.id)}
        g.add_node(a.id, **{k: v for k, v in attrs.items() if v is not None})
        for p in a.premises:
            g.add_edge(p, a.id, role="premise", kind=a.kind)
        g.add_edge(a.id, a.target, role="target", kind=a.kind)
    return g


def _make(job: Job) -> bytes:
    import networkx as nx  # lazily, as in graph()

    out = io.BytesIO()
    nx.write_graphml(graph(job), out, encoding="utf-8")
    return out.getvalue()


EXPORTS = [
    Export(name="graph", suffix="graphml", media_type="application/graphml+xml", make=_make, options=GraphmlParams,
           evaluate=lambda o: o.evaluate, label="GraphML", note="for yEd, Gephi, draw.io", group="Graph",
           disposition="attachment",
           summary="The map as GraphML (yEd, Gephi, draw.io): statements and arguments as nodes with their attributes"),
]
