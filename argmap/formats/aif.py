"""AIF JSON in and out: AIFdb nodesets, OVA files and the xAIF wrapper.

I nodes are statements, RA nodes supports, CA nodes attacks or undercuts, MA and PA relations;
locutions give speakers and dates; what AIF has and argmap does not goes to ``extras["aif"]``,
and what argmap has and AIF does not rides in ``"argmap"`` members (docs/ARCHITECTURE.md,
"Interchange"). Bad input raises one error listing every problem by node or edge.

>>> m = loads(b'{"nodes": [{"nodeID": 1, "text": "P.", "type": "I"}, {"nodeID": 2, "text": "C.", "type": "I"}, {"nodeID": 3, "text": "Default Inference", "type": "RA"}], "edges": [{"edgeID": 1, "fromID": 1, "toID": 3}, {"edgeID": 2, "fromID": 3, "toID": 2}]}', map_id="w")
>>> [(a.kind, a.premises, a.target) for a in loads(dumps(m), map_id="w").arguments]
[('support', ['1'], '2')]
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections import Counter, defaultdict
from typing import Any

import msgspec

from argmap.errors import FormatError, InvalidInput, Problem, from_validation_error
from argmap.formats._common import IdAllocator, Imported, is_id, make_id, raise_problems
from argmap.model import Argument, Map, Relation, Speaker, Statement, check_map, partial_date

__all__ = [
    "CANode",
    "Edge",
    "MAX_AIF_RATIO",
    "INode",
    "LNode",
    "Locution",
    "MANode",
    "Node",
    "Nodeset",
    "PANode",
    "Participant",
    "RANode",
    "TANode",
    "YANode",
    "dumps",
    "loads",
    "read",
    "said_from_start",
    "start_from_said",
    "to_map",
]

NodeId = str | int


class _Node(msgspec.Struct, tag_field="type", kw_only=True):
    nodeID: NodeId
    text: str = ""
    timestamp: str | None = None
    scheme: str | None = None
    schemeID: str | int | None = None
    argmap: dict[str, Any] | None = None
    """What argmap's model has and AIF has no field for (see :data:`KEPT`); other readers ignore it."""


class INode(_Node, tag="I"):
    """A proposition: an argmap statement."""


class RANode(_Node, tag="RA"):
    """Rule application (inference): a support argument."""


class CANode(_Node, tag="CA"):
    """Conflict application: an attack (on an I node) or an undercut (on an RA or CA node)."""


class MANode(_Node, tag="MA"):
    """Rephrase (AIF's "preference"-free reformulation): a rephrase relation."""


class PANode(_Node, tag="PA"):
    """Preference application: a preference relation."""


class LNode(_Node, tag="L"):
    """A locution: what someone said, in their words."""


class YANode(_Node, tag="YA"):
    """An illocutionary connection (asserting, questioning, …) from a locution to its content."""


class TANode(_Node, tag="TA"):
    """A transition between locutions in a dialogue."""


Node = INode | RANode | CANode | MANode | PANode | LNode | YANode | TANode


class Edge(msgspec.Struct, kw_only=True):
    fromID: NodeId
    toID: NodeId
    edgeID: NodeId | None = None
    formEdgeID: Any = None


class Locution(msgspec.Struct, kw_only=True):
    """Who said an L node and when (``start``); ``timestamp`` is when it was annotated."""

    nodeID: NodeId
    personID: NodeId | None = None
    timestamp: str | None = None
    start: str | None = None
    end: str | None = None
    source: Any = None


class Participant(msgspec.Struct, kw_only=True):
    participantID: NodeId
    firstname: str | None = None
    surname: str | None = None
    argmap: dict[str, Any] | None = None
    """The speaker's ``role`` and ``affiliation`` (and ``name`` when first and last name do not
    give it back), which AIF has no field for."""


class Nodeset(msgspec.Struct, kw_only=True):
    """An AIF JSON document as AIFdb serves it (unknown top-level fields are ignored)."""

    nodes: list[Node] = []
    edges: list[Edge] = []
    locutions: list[Locution] = []
    participants: list[Participant] = []
    argmapModel: dict[str, Any] | None = None
    """The map's own fields that AIF has no place for: ``id``, ``title``, ``description``,
    ``sources`` and ``extras`` (see :data:`KEPT`)."""


class _Document(Nodeset, kw_only=True):
    # Either a nodeset, or the xAIF wrapper {"AIF": nodeset, "text": ...}.
    AIF: Nodeset | None = None
    text: Any = None


_decoder = msgspec.json.Decoder(_Document)

MAX_AIF_RATIO = 16
""":func:`dumps` of a map writes at most this many bytes per byte of the map as a (compact) map
document, plus a few hundred: the worst cases are a statement that has only a date (an I node,
an L node, a YA node, two edges and a locution for ``"said":"2025"``: about 14×) and an argument's
premises (an edge for each 4-byte ``"id",``: about 12×). ``POST /maps/import`` takes AIF documents
of up to this many times the request body limit, so that any map a client may send comes back
from its own AIF export; a test holds the ratio on generated worst cases."""

NODE_TYPES = ("I", "RA", "CA", "MA", "PA", "L", "YA", "TA")
DEFAULT_TEXT = {"RA": "Default Inference", "CA": "Default Conflict", "MA": "Default Rephrase", "PA": "Default Preference"}
UNNAMED = "(unnamed) "
"""How :attr:`Speaker.label` starts for a speaker known only by a role; read back as the role."""
ASSERTING = {"text": "Asserting", "scheme": "Asserting", "schemeID": "74"}
"""The YA node an export puts between a locution and its statement (AIFdb's scheme 74)."""
KEPT = {
    "I": ("id", "kind", "tags", "note", "source", "date_source", "quote", "extras"),
    "RA": ("id", "note", "roles", "question", "extras"), "CA": ("id", "note", "roles", "question", "extras"),
    "MA": ("id", "note", "extras"), "PA": ("id", "note", "extras"),
    "participant": ("name", "role", "affiliation"),
    "map": ("id", "title", "description", "sources", "extras"),
}
"""What argmap's model has and AIF has no field for, written beside the AIF it belongs to: an
``"argmap"`` member of each I, RA, CA, MA and PA node and of each participant, and a top-level
``"argmapModel"`` member for the map (its sources among them). Readers of AIF ignore members
they do not know (arguebuf and AIFdb do); :func:`read` takes these back, so a map's AIF export
imports to the same map. What AIF does say (text, premises, speaker, date) is read from AIF."""


def read(data: bytes | str, *, map_id: str | None = None, fallback_id: str = "aif",
         title: str | None = None) -> Imported:
    """Decode AIF JSON (a nodeset or xAIF) and translate it; see the module docstring.

    The map's id is ``map_id``, else the one argmap's export wrote (``argmapModel.id``), else
    ``fallback_id``; its title is ``title``, else the exported one, else the id.
    """
    try:
        doc = _decoder.decode(data)
    except msgspec.ValidationError as e:
        err = from_validation_error(e)
        field, reason = err.field, err.reason
        if field.endswith(".type") and reason.startswith("Invalid value"):
            reason = f"{reason.split(' ', 2)[2]} is not an AIF node type (known: {', '.join(NODE_TYPES)})"
        raise FormatError(field, reason) from None
    except msgspec.DecodeError as e:
        raise FormatError("$", f"not AIF JSON: {e}") from None
    except RecursionError:  # msgspec recurses into nested values, even ones it then ignores
        raise FormatError("$", "not AIF JSON: nested too deeply") from None
    if doc.AIF is not None:
        if doc.nodes or doc.edges:
            raise FormatError("$.AIF", "a document is either a nodeset or an xAIF wrapper, not both")
        nodeset, path = doc.AIF, "$.AIF"
    else:
        nodeset, path = doc, "$"
    imported = to_map(nodeset, map_id=map_id, fallback_id=fallback_id, title=title, path=path)
    if doc.AIF is not None and doc.text is not None:
        imported.map.extras = {**imported.map.extras, "aif": {"xaif_text": doc.text}}
    return imported


def loads(data: bytes | str, *, map_id: str | None = None, fallback_id: str = "aif",
          title: str | None = None) -> Map:
    """The map in an AIF JSON document (:func:`read` without the report)."""
    return read(data, map_id=map_id, fallback_id=fallback_id, title=title).map


def to_map(nodeset: Nodeset, *, map_id: str | None = None, fallback_id: str = "aif", title: str | None = None,
           path: str = "$") -> Imported:
    """Translate decoded AIF into a checked :class:`~argmap.model.Map` (a pure function)."""
    return _Reader(nodeset, path).run(map_id, fallback_id, title)


def dumps(m: Map, *, xaif: bool = False, timestamp: _dt.datetime | None = None) -> bytes:
    """Write ``m`` as an AIFdb nodeset (or, with ``xaif``, the xAIF wrapper).

    Nodes whose annotation time is unknown (everything not imported from AIF) get
    ``timestamp``: by default ``$SOURCE_DATE_EPOCH`` when set (reproducible files), else now.
    """
    nodeset = _Writer(m, _timestamp(timestamp)).run()
    data = msgspec.to_builtins(nodeset)
    if xaif:
        data = {"AIF": data, "text": m.extras.get("aif", {}).get("xaif_text", "")}
    # One line: indentation alone would double the size of a large map's AIF (see MAX_AIF_RATIO).
    return msgspec.json.encode(data) + b"\n"


# -- Implementation details ----------------------------------------------------------------

_AIF_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<hm>\d{2}:\d{2})(?P<s>:\d{2})?(?:\.\d+)?(?P<zone>Z|[+-]\d{2}:?\d{2})?$"
)
_SPEAKER_COLON = re.compile(r"^\s*(?P<name>[^:\n]{1,200}?)\s+:\s+\S")
_SPEAKER_SAYS = re.compile(r"^\s*(?P<name>[^\n]{1,200}?)\s+says\s+['\"‘“]")


def said_from_start(start: str | None) -> str | None:
    """``locutions[].start`` as EDTF: ``2020-10-15 22:50:02`` → ``2020-10-15T22:50:02``.

    None for no date (and for MySQL's zero date ``0000-00-00 …``); an EDTF string (as an
    export writes for a date known only to the day or month) is taken as it is.
    """
    if start is None or not start.strip() or start.startswith("0000-00-00"):
        return None
    if m := _AIF_TIME.match(start.strip()):
        value = f"{m['date']}T{m['hm']}{m['s'] or ':00'}{m['zone'] or ''}"
    else:
        value = start.strip()
    partial_date(value)  # raises ValueError with a reason
    return value


def start_from_said(said: str) -> str:
    """The inverse of :func:`said_from_start`: AIFdb's ``YYYY-MM-DD HH:MM:SS`` when the date
    has that precision and no zone, else the EDTF string itself (so no precision is invented)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", said):
        return said.replace("T", " ")
    return said


def _key(node_id: NodeId) -> str:
    return str(node_id)


def _speaker_name(l_text: str) -> str | None:
    m = _SPEAKER_COLON.match(l_text) or _SPEAKER_SAYS.match(l_text)
    return m["name"].strip() if m else None


class _Reader:
    def __init__(self, ns: Nodeset, path: str):
        self.ns, self.path = ns, path
        self.problems: list[tuple[Problem, bool]] = []
        self.skipped: Counter[str] = Counter()
        self.notes: Counter[str] = Counter()
        self.origin: dict[str, list[str]] = defaultdict(list)  # section → where each item came from
        self.used: set[str] = set()  # L and YA nodes whose content reached the map
        self.edges_used: set[int] = set()
        self.speaker_of: dict[tuple[str, str], str] = {}  # ("person", personID) or ("name", name) → id
        self.names: dict[str, Counter[str]] = defaultdict(Counter)
        self.speaker_ids = IdAllocator()
        self.participant_names = {
            _key(p.participantID): " ".join(x.strip() for x in (p.firstname, p.surname) if x and x.strip())
            for p in ns.participants
        }
        self.participant_kept = {_key(p.participantID): p.argmap for p in ns.participants if p.argmap}
        for p in ns.participants:  # participants first: their ids are the stable ones
            self.speaker(("person", _key(p.participantID), None))
        self.kept_from: dict[tuple[str, int], str] = {}  # (section, index) → where its argmap member was
        self.kept_keys: dict[tuple[str, int], set[str]] = {}  # (section, index) → the fields taken from it

    def bad(self, where: str, reason: str, *, ref: bool = False) -> None:
        self.problems.append((Problem(f"{self.path}.{where}", reason), ref))

    def run(self, map_id: str | None, fallback_id: str, title: str | None) -> Imported:
        ns = self.ns
        model = ns.argmapModel or {}
        map_id = map_id or (model.get("id") if isinstance(model.get("id"), str) else None) or fallback_id
        title = title or (model.get("title") if isinstance(model.get("title"), str) else None) or map_id
        self.index: dict[str, int] = {}
        for i, n in enumerate(ns.nodes):
            k = _key(n.nodeID)
            if not k.strip():
                self.bad(f"nodes[{i}].nodeID", "must not be empty")
            elif k in self.index:
                self.bad(f"nodes[{i}].nodeID", f"duplicate nodeID {k!r} (first at nodes[{self.index[k]}])")
            else:
                self.index[k] = i
        ids = IdAllocator()
        # An id argmap's export kept beside the node comes first (its nodeID is a short
        # number); then every other node's id from its nodeID.
        self.ids = {}
        for k, i in self.index.items():
            n = ns.nodes[i]
            own = n.argmap.get("id") if n.argmap and _tag(n) in KEPT else None
            if own is not None and not (isinstance(own, str) and is_id(own)):
                self.bad(f"nodes[{i}].argmap.id", f"{own!r} is not an argmap id (letters, digits and _ . : ~ -)")
            elif own is not None:
                self.ids[k] = ids.take(own)
        for k in self.index:
            if k not in self.ids:
                self.ids[k] = ids.take(make_id(k, fallback="n"))
        self._read_edges()
        self._read_locutions()
        statements, arguments, relations = [], [], []
        for i, n in enumerate(ns.nodes):
            if _key(n.nodeID) not in self.index or self.index[_key(n.nodeID)] != i:
                continue  # a duplicate, reported above
            if isinstance(n, INode):
                statements.append(self._statement(i, n))
            elif isinstance(n, (RANode, CANode)):
                arguments.append(self._argument(i, n))
            elif isinstance(n, (MANode, PANode)):
                relations.append(self._relation(i, n))
        for n in ns.nodes:
            if isinstance(n, (LNode, YANode, TANode)) and _key(n.nodeID) not in self.used:
                self.skipped[f"{_tag(n)} nodes"] += 1
        if unused := len(ns.edges) - len(self.edges_used):
            self.skipped["edges"] = unused
        raise_problems(self.problems)
        doc = {
            "id": map_id, "title": title, "speakers": self._speakers(), "statements": statements,
            "arguments": arguments, "relations": relations,
        }
        for k in ("description", "sources", "extras"):
            if k in model:
                doc[k] = model[k]
        try:
            m = msgspec.convert(doc, type=Map)
            check_map(m)
        except msgspec.ValidationError as e:
            raise self._located(from_validation_error(e)) from None
        except InvalidInput as e:
            raise self._located(e) from None
        counts = {f"{t} nodes": n for t, n in Counter(_tag(n) for n in ns.nodes).items()}
        counts["edges"] = len(ns.edges)
        return Imported(map=m, counts=counts, skipped=dict(self.skipped),
                        notes=[f"{w} ({n}×)" for w, n in self.notes.items()])

    def _located(self, err):
        # "$.statements[3].text" → the node it came from, so the user can find it in the file;
        # a field read from an "argmap" member is named inside it ("$.nodes[3].argmap.tags").
        for n, p in enumerate(err.problems):
            if m := re.match(r"^\$\.(statements|arguments|relations|speakers)\[(\d+)\](\.(\w+).*)?$", p.field):
                where = self.origin[m[1]][int(m[2])]
                if m[4] and m[4] in self.kept_keys.get((m[1], int(m[2])), ()):
                    where = f"{self.kept_from[m[1], int(m[2])]}"
                err.problems[n] = Problem(f"{self.path}.{where}{m[3] or ''}", p.reason)
            elif m := re.match(r"^\$\.(id|title|description|sources|extras)\b(.*)$", p.field):
                if m[1] in (self.ns.argmapModel or {}):
                    err.problems[n] = Problem(f"{self.path}.argmapModel.{m[1]}{m[2]}", p.reason)
        return err

    def type_of(self, k: str) -> str:
        return _tag(self.ns.nodes[self.index[k]])

    # -- edges and locutions --------------------------------------------------------------

    def _read_edges(self) -> None:
        self.ins: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.outs: dict[str, list[tuple[str, int]]] = defaultdict(list)
        seen: dict[tuple[str, str], int] = {}
        for j, e in enumerate(self.ns.edges):
            a, b = _key(e.fromID), _key(e.toID)
            missing = [(end, k) for end, k in (("fromID", a), ("toID", b)) if k not in self.index]
            for end, k in missing:
                self.bad(f"edges[{j}].{end}", f"no node has nodeID {k!r}", ref=True)
            if missing:
                continue
            if (a, b) in seen:
                self.bad(f"edges[{j}]", f"repeats edges[{seen[a, b]}] ({a!r} → {b!r})")
                continue
            seen[a, b] = j
            self.outs[a].append((b, j))
            self.ins[b].append((a, j))
            if self.type_of(a) == self.type_of(b) == "I":
                self.bad(f"edges[{j}]", f"an edge from I node {a!r} to I node {b!r} means nothing in AIF "
                         "(an RA, CA or MA node goes between two propositions)")

    def _read_locutions(self) -> None:
        self.locs: dict[str, tuple[int, Locution]] = {}
        self.saids: dict[str, str | None] = {}
        for i, loc in enumerate(self.ns.locutions):
            k = _key(loc.nodeID)
            if k not in self.index:
                self.bad(f"locutions[{i}].nodeID", f"no node has nodeID {k!r}", ref=True)
            elif self.type_of(k) != "L":
                self.bad(f"locutions[{i}].nodeID", f"node {k!r} is a {self.type_of(k)} node, not an L node")
            elif k in self.locs:
                self.notes["an L node with several locutions takes the first"] += 1
            else:
                self.locs[k] = (i, loc)
        for k in self.locs:
            self.said(k)  # every date is checked, used or not

    def said(self, l_key: str) -> str | None:
        if l_key not in self.locs:
            return None
        if l_key not in self.saids:
            i, loc = self.locs[l_key]
            try:
                self.saids[l_key] = said_from_start(loc.start)
            except ValueError as e:
                self.bad(f"locutions[{i}].start", str(e).removeprefix("date: "))
                self.saids[l_key] = None
            if self.saids[l_key] is None and loc.start and loc.start.startswith("0000"):
                self.notes["a zero date (0000-00-00) in locutions[].start is read as no date"] += 1
        return self.saids[l_key]

    # -- speakers -------------------------------------------------------------------------

    def speaker(self, person: tuple[str, str, str | None]) -> str:
        kind, key, name = person
        if (kind, key) not in self.speaker_of:
            self.speaker_of[kind, key] = self.speaker_ids.take(make_id(key, fallback="p"))
        sid = self.speaker_of[kind, key]
        if name:
            self.names[sid][name] += 1
        return sid

    def _speakers(self) -> list[dict]:
        out = []
        for (kind, key), sid in self.speaker_of.items():
            name = (self.participant_names.get(key) if kind == "person" else None) or (
                self.names[sid].most_common(1)[0][0] if self.names[sid] else None
            )
            self.origin["speakers"].append(f"participants[{key!r}]" if kind == "person" else f"L nodes of {key!r}")
            kept = self.participant_kept.get(key, {}) if kind == "person" else {}
            if kept and not self.participant_names.get(key):
                name = None  # argmap wrote this participant: no name is no name, whatever L texts say
            if kept:
                at = len(self.origin["speakers"]) - 1
                self.kept_keys["speakers", at] = set(kept) & set(KEPT["participant"])
                self.kept_from["speakers", at] = f"participants[{key!r}].argmap"
            if name and name.startswith(UNNAMED):  # an unnamed speaker, as export writes one
                speaker = {"id": sid, "role": name[len(UNNAMED):]}
            else:
                speaker = {"id": sid, "name": name} if name else {"id": sid, "role": f"AIF participant {key}"}
            speaker.update({k: kept[k] for k in KEPT["participant"] if k in kept})
            out.append(speaker)
        return out

    # -- nodes ----------------------------------------------------------------------------

    def _extras(self, n: _Node, default_text: str | None = None) -> dict:
        x: dict = {}
        # A node argmap numbered (its "argmap" member has the id) keeps no nodeID, timestamp or
        # edge ids: they were the export's, not the document's, and would make the map several
        # times larger than the one exported (a new export numbers and dates it afresh).
        if not _numbered(n) and self.ids[_key(n.nodeID)] != n.nodeID:  # an integer id, or one argmap cannot use
            x["nodeID"] = n.nodeID
        if not _numbered(n):
            x["timestamp"] = n.timestamp  # None too: export then writes none, as the file had none
        if n.schemeID is not None:
            x["schemeID"] = n.schemeID
        if default_text is not None and n.text != default_text:
            x["text"] = n.text
        return x

    def _statement(self, i: int, n: INode) -> dict:
        k = _key(n.nodeID)
        self.origin["statements"].append(f"nodes[{i}]")
        st: dict = {"id": self.ids[k], "text": n.text}
        extras = self._extras(n)
        if n.scheme:
            extras["scheme"] = n.scheme
        if (anchor := self._anchor(k)) is not None:
            said_by, locution = anchor
            if not _numbered(n):
                extras["locution"] = locution
            st.update(said_by)
        if extras:
            st["extras"] = {"aif": extras}
        return self._keep("statements", i, n, st)

    def _keep(self, section: str, i: int, n: _Node, item: dict) -> dict:
        """``item`` with what argmap's export kept in node ``n``'s ``argmap`` member (:data:`KEPT`);
        the model checks each value, and an error names it there."""
        if not n.argmap:
            return item
        at = len(self.origin[section]) - 1
        keys = [k for k in KEPT[_tag(n)] if k in n.argmap and k != "id"]  # the id: see run()
        self.kept_keys[section, at] = set(keys)
        self.kept_from[section, at] = f"nodes[{i}].argmap"
        for k in keys:
            if k == "extras" and isinstance(n.argmap[k], dict):  # what AIF itself says wins
                item["extras"] = {**{x: v for x, v in n.argmap[k].items() if x != "aif"}, **item.get("extras", {})}
            else:
                item[k] = n.argmap[k]
        return item

    def _anchor(self, k: str) -> tuple[dict, dict] | None:
        """Speaker and date of I node ``k`` from the locution L → YA → I that speaks it (the
        earliest, if several), and the L and YA nodes as they were, for export."""
        found = [
            (l_key, ya, e1, e2)
            for ya, e2 in self.ins[k] if self.type_of(ya) == "YA"
            for l_key, e1 in self.ins[ya] if self.type_of(l_key) == "L"
        ]
        if not found:
            return None
        if len(found) > 1:
            self.notes["a statement anchored by several locutions takes the earliest one's speaker and date"] += 1
        _, _, (l_key, ya, e1, e2) = min((self.said(f[0]) or "9999", i, f) for i, f in enumerate(found))
        self.used.update((l_key, ya))
        self.edges_used.update((e1, e2))
        l_node, ya_node = self.ns.nodes[self.index[l_key]], self.ns.nodes[self.index[ya]]
        loc = self.locs.get(l_key, (None, None))[1]
        said_by: dict = {}
        if loc is not None and loc.personID is not None:
            said_by["speaker"] = self.speaker(("person", _key(loc.personID), _speaker_name(l_node.text)))
        elif self.ns.argmapModel is None and (name := _speaker_name(l_node.text)):
            # AIFdb's convention, "Name : text". argmap's own export names a speaker only by
            # personID: its L text is the statement's, which may read "A : …" without one.
            said_by["speaker"] = self.speaker(("name", name, name))
        if said := self.said(l_key):
            said_by["said"] = said
        kept = {"L": _node_dict(l_node), "YA": _node_dict(ya_node),
                "edges": [self.ns.edges[e1].edgeID, self.ns.edges[e2].edgeID]}
        if loc is not None and loc.timestamp is not None:
            kept["timestamp"] = loc.timestamp
        return said_by, kept

    def _ends(self, i: int, n: _Node, allowed_in: tuple[str, ...], allowed_out: tuple[str, ...]):
        """The inputs and the one output of S-node ``n``, checking the node types at both ends."""
        k, tag = _key(n.nodeID), _tag(n)
        what = f"{tag} node {k!r}"
        inputs, outputs = [], []
        for src, j in self.ins[k]:
            t = self.type_of(src)
            if t in allowed_in:
                inputs.append((src, j))
            elif t not in ("YA", "CA", "PA"):
                # YA anchors this node in a dialogue; a CA or PA edge is read at that node.
                self.bad(f"edges[{j}]", f"an edge from a {t} node into {what} cannot be represented")
        for dst, j in self.outs[k]:
            t = self.type_of(dst)
            if t in allowed_out:
                outputs.append((dst, j))
            elif t != "PA":  # this node is preferred to something: read at the PA node
                self.bad(f"edges[{j}]", f"an edge from {what} to a {t} node cannot be represented")
        if not inputs:
            noun = "premise" if tag in ("RA", "CA") else "source"
            self.bad(f"nodes[{i}]", f"{what} has no {noun} (no edge into it from {' or '.join(allowed_in)} nodes)")
        if not outputs:
            noun = "conclusion" if tag == "RA" else "target"
            self.bad(f"nodes[{i}]", f"{what} has no {noun} (no edge from it to {' or '.join(allowed_out)} nodes)")
        elif len(outputs) > 1:
            self.bad(f"nodes[{i}]", f"{what} points to {len(outputs)} nodes "
                     f"({', '.join(repr(d) for d, _ in outputs)}); argmap gives it one target")
        self.edges_used.update(j for _, j in inputs + outputs[:1])
        target = outputs[0] if outputs else None
        edge_ids = [self.ns.edges[j].edgeID for _, j in inputs] + ([self.ns.edges[target[1]].edgeID] if target else [])
        return [self.ids[s] for s, _ in inputs], (target[0] if target else None), edge_ids

    def _argument(self, i: int, n: RANode | CANode) -> dict:
        self.origin["arguments"].append(f"nodes[{i}]")
        tag = _tag(n)
        premises, target, edge_ids = self._ends(i, n, ("I",), ("I",) if tag == "RA" else ("I", "RA", "CA"))
        kind = "support" if tag == "RA" else ("attack" if target is None or self.type_of(target) == "I" else "undercut")
        return self._keep("arguments", i, n, self._s_node(n, {"kind": kind, "premises": premises}, target, edge_ids, tag))

    def _relation(self, i: int, n: MANode | PANode) -> dict:
        self.origin["relations"].append(f"nodes[{i}]")
        tag = _tag(n)
        ends = ("I",) if tag == "MA" else ("I", "RA", "CA")
        sources, target, edge_ids = self._ends(i, n, ends, ends)
        return self._keep("relations", i, n, self._s_node(
            n, {"kind": "rephrase" if tag == "MA" else "preference", "sources": sources}, target, edge_ids, tag))

    def _s_node(self, n: _Node, item: dict, target: str | None, edge_ids: list, tag: str) -> dict:
        item = {"id": self.ids[_key(n.nodeID)], **item, "target": self.ids[target] if target else ""}
        if n.scheme:
            item["scheme"] = n.scheme
        extras = self._extras(n, n.scheme or DEFAULT_TEXT[tag])
        if not _numbered(n) and any(e is not None for e in edge_ids):
            extras["edges"] = edge_ids
        if extras:
            item["extras"] = {"aif": extras}
        return item


def _numbered(n: _Node) -> bool:
    """Whether argmap's export gave node ``n`` its nodeID (a number; the item's id is in its
    ``argmap`` member): an item read from AIF keeps the nodeID it had, and has no id there."""
    return n.argmap is not None and "id" in n.argmap


def _kept(item, fields: tuple[str, ...]) -> dict:
    """``item``'s values of ``fields`` that are given (not None, empty or a default), as JSON;
    ``extras`` without its ``aif`` member (which the AIF itself carries)."""
    out = {}
    for k in fields:
        v = getattr(item, k)
        if k == "extras":
            v = {x: y for x, y in v.items() if x != "aif"}
        if v is None or v == [] or v == {} or (k == "kind" and v == "claim"):
            continue
        out[k] = msgspec.to_builtins(v)
        if k == "sources":  # a source's fields not given are left out, as a map file leaves them
            out[k] = [{f: x for f, x in src.items() if x is not None} for src in out[k]]
        elif k == "quote":
            out[k] = {f: x for f, x in out[k].items() if x is not None}
    return out


def _tag(n: _Node) -> str:
    return type(n).__struct_config__.tag


def _node_dict(n: _Node) -> dict:
    return {k: v for k, v in msgspec.structs.asdict(n).items() if v is not None}


def _timestamp(when: _dt.datetime | None) -> str:
    if when is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        when = (
            _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch and epoch.isdigit()
            else _dt.datetime.now(_dt.timezone.utc)
        )
    return when.strftime("%Y-%m-%d %H:%M:%S")


class _Writer:
    def __init__(self, m: Map, ts: str):
        self.m, self.ts = m, ts
        self.node_ids: dict[str, NodeId] = {}
        self.taken_nodes: set[str] = set()
        self.next_node = 1
        kept_edges = [
            e
            for item in (*m.statements, *m.arguments, *m.relations)
            for e in [*item.extras.get("aif", {}).get("edges", []), *item.extras.get("aif", {}).get("locution", {}).get("edges", [])]
            if e is not None
        ]
        self.taken_edges = {_key(e) for e in kept_edges}
        self.next_edge = 1
        self.nodes: list[dict] = []
        self.edges: list[dict] = []

    def node_id(self, wanted: NodeId | None = None) -> NodeId:
        """The nodeID a file had (kept in extras), else the next free number: short, so that an
        edge costs the same whatever the length of the ids it joins (the item's own id is in its
        ``argmap`` member, once)."""
        if wanted is not None and _key(wanted) not in self.taken_nodes:
            self.taken_nodes.add(_key(wanted))
            return wanted
        while str(self.next_node) in self.taken_nodes:
            self.next_node += 1
        self.taken_nodes.add(str(self.next_node))
        return self.next_node

    def edge(self, a: NodeId, b: NodeId, kept: NodeId | None = None) -> None:
        if kept is None or (_key(kept) in self.used_edges):
            while str(self.next_edge) in self.taken_edges:
                self.next_edge += 1
            kept = str(self.next_edge)
            self.taken_edges.add(kept)
        self.used_edges.add(_key(kept))
        self.edges.append({"edgeID": kept, "fromID": a, "toID": b, "formEdgeID": None})

    def node(self, nid: NodeId, text: str, type_: str, x: dict, scheme: str | None = None,
             item: Statement | Argument | Relation | None = None) -> None:
        node = {"nodeID": nid, "text": text, "type": type_}
        if x.get("timestamp", self.ts) is not None:
            node["timestamp"] = x.get("timestamp", self.ts)
        if scheme is not None or x.get("scheme") is not None:
            node["scheme"] = scheme if scheme is not None else x["scheme"]
        if x.get("schemeID") is not None:
            node["schemeID"] = x["schemeID"]
        if item is not None and (kept := _kept(item, KEPT[type_])):
            if "aif" in item.extras:  # read from AIF: its nodeID is kept, and gives the id back
                kept.pop("id")
            if kept:
                node["argmap"] = kept
        self.nodes.append(node)

    def run(self) -> dict:
        m = self.m
        self.used_edges: set[str] = set()
        items = [*m.statements, *m.arguments, *m.relations]
        # Kept nodeIDs first, so that a generated one never takes an id the file had.
        for item in items:
            x = item.extras.get("aif")
            # An item read from AIF keeps its nodeID: the one in extras, else its id, which was it.
            wanted = None if x is None else x.get("nodeID", item.id)
            if wanted is not None:
                self.node_ids[item.id] = self.node_id(wanted)
        for item in items:
            if item.id not in self.node_ids:
                self.node_ids[item.id] = self.node_id()
        nid = self.node_ids
        for s in m.statements:
            self.node(nid[s.id], s.text, "I", s.extras.get("aif", {}), item=s)
        for a in m.arguments:
            x = a.extras.get("aif", {})
            tag = "RA" if a.kind == "support" else "CA"
            self.node(nid[a.id], x.get("text", a.scheme or DEFAULT_TEXT[tag]), tag, x, a.scheme, item=a)
            self._edges(a.id, a.premises, a.target, x.get("edges", []))
        for r in m.relations:
            x = r.extras.get("aif", {})
            tag = "MA" if r.kind == "rephrase" else "PA"
            self.node(nid[r.id], x.get("text", r.scheme or DEFAULT_TEXT[tag]), tag, x, r.scheme, item=r)
            self._edges(r.id, r.sources, r.target, x.get("edges", []))
        speakers = {sp.id: sp for sp in m.speakers}
        locutions = []
        for s in m.statements:
            kept = s.extras.get("aif", {}).get("locution")
            if kept is None and s.speaker is None and s.said is None:
                continue
            kept = kept or {}
            speaker = speakers.get(s.speaker) if s.speaker else None
            l_kept, ya_kept = kept.get("L", {}), kept.get("YA", {})
            l_id = self.node_id(l_kept.get("nodeID"))
            ya_id = self.node_id(ya_kept.get("nodeID"))
            # The speaker is the locution's personID; "Name : text" would repeat a name of up to
            # 500 characters in every L node, which no map-size limit would then bound.
            l_text = l_kept.get("text") or s.text
            self.node(l_id, l_text, "L", l_kept)
            ya = ya_kept or ASSERTING
            self.node(ya_id, ya["text"], "YA", ya)
            e1, e2 = (kept.get("edges") or [None, None])[:2]
            self.edge(l_id, ya_id, e1)
            self.edge(ya_id, nid[s.id], e2)
            if speaker is not None or s.said is not None:
                locutions.append({
                    "nodeID": l_id, "personID": speaker.id if speaker else None,
                    "timestamp": kept.get("timestamp") if kept else self.ts,
                    "start": start_from_said(s.said) if s.said else None, "end": None, "source": None,
                })
        participants = []
        for sp in m.speakers:
            first, _, last = (sp.name or "").partition(" ")
            participant = {"participantID": sp.id, "firstname": first, "surname": last}
            kept = _kept(sp, KEPT["participant"])
            if sp.name is not None and " ".join(x.strip() for x in (first, last) if x.strip()) == sp.name:
                kept.pop("name")  # first and last name give it back
            if kept:
                participant["argmap"] = kept
            participants.append(participant)
        out = {"nodes": self.nodes, "edges": self.edges, "locutions": locutions, "participants": participants}
        out["argmapModel"] = _kept(m, KEPT["map"])
        return out

    def _edges(self, owner: str, sources: list[str], target: str, kept: list) -> None:
        kept = [*kept, *[None] * (len(sources) + 1 - len(kept))]
        for p, e in zip(sources, kept):
            self.edge(self.node_ids[p], self.node_ids[owner], e)
        self.edge(self.node_ids[owner], self.node_ids[target], kept[len(sources)])
