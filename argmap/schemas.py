"""JSON Schemas of argmap's documents, generated from the model's Structs.

``argmap schema`` writes them to ``schemas/``; a test fails when the checked-in files differ
from what the code generates. Each document type's description is written here for readers
of the schema, not taken from the Struct's docstring (which is for Python readers and whose
whitespace depends on how msgspec formats docstrings).

>>> from argmap.schemas import generate
>>> sorted(generate())[:2]
['argument', 'map']
"""

from __future__ import annotations

import msgspec

from argmap.model import Argument, Map, MapInfo, Quote, Relation, Source, Speaker, Statement
from argmap.schemes._catalogue import Catalogue, Premise, Question, Scheme, Unmappable

__all__ = ["DESCRIPTIONS", "DOCUMENTS", "generate"]

DOCUMENTS: dict[str, type] = {
    "map": Map,
    "map-info": MapInfo,
    "speaker": Speaker,
    "source": Source,
    "statement": Statement,
    "argument": Argument,
    "relation": Relation,
    "scheme-catalogue": Catalogue,
}

DESCRIPTIONS: dict[type, str] = {
    Map: "A whole argument map: its title and description, and the speakers, sources, statements, "
    "arguments and relations it holds. A map is loaded or refused as a whole.",
    MapInfo: "A map's own fields (id, title, description), without its content.",
    Speaker: "Someone who says things. An unnamed speaker (an adviser, a spokesperson) has a role "
    "and no name.",
    Source: "Where statements are reported: an article, a transcript, a communiqué. Its optional "
    "text is what quote spans point into. In a map file, text_file may name a UTF-8 file beside "
    "the map file instead of text.",
    Quote: "A span [start, end) of character offsets into the statement's source text. text, when "
    "given, must equal that span.",
    Statement: "A proposition (an AIF I-node): a claim someone asserts, an event a source reports, "
    "or a derived conclusion that stands only while one of its supports stands. said is when it "
    "was said or happened; date_source names the source that gives that date when it is not "
    "source itself.",
    Argument: "An inference (an AIF RA or CA node): its premises jointly support or attack its "
    "target. The target is a statement for support and attack (a rebuttal), and an argument for "
    "undercut (which denies that the premises lead to the conclusion).",
    Relation: "A link that neither supports nor attacks: a rephrase (AIF MA node: target restates "
    "the statements in sources) or a preference (AIF PA node: each of sources is preferred to "
    "target).",
    Catalogue: "argmap's catalogue of argument schemes (argmap/schemes/catalogue.yaml): the works "
    "its texts paraphrase, the names found in interchange files that name no scheme (with why), and "
    "the schemes with their premise roles, conclusion form and critical questions.",
    Scheme: "An argument scheme: id, name, short badge, the aliases other tools spell it with, its "
    "premise roles, the form of its conclusion, where it is set out, and its critical questions.",
    Question: "A critical question of a scheme. An assumption holds until someone questions it; an "
    "exception counts only when someone asserts it.",
    Premise: "One premise of a scheme: the role a premise statement may name (an argument's roles map "
    "premise ids to roles), and the premise's form.",
    Unmappable: "A name found in interchange files (AIF, OVA) that names no argument scheme, and why.",
}
"""What each document type means, for readers of the published schemas."""

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def generate() -> dict[str, bytes]:
    """Every document type's JSON Schema.

    Returns
    -------
    dict
        ``{name: schema as pretty JSON bytes}``, the contents of ``schemas/{name}.schema.json``.
    """
    by_name = {t.__name__: text for t, text in DESCRIPTIONS.items()}
    out = {}
    for name, typ in DOCUMENTS.items():
        schema = msgspec.json.schema(typ)
        for def_name, definition in schema.get("$defs", {}).items():
            definition.pop("description", None)
            if def_name in by_name:
                definition = {"title": definition.get("title", def_name), "description": by_name[def_name], **definition}
                schema["$defs"][def_name] = definition
        schema = {"$schema": _DRAFT, "title": f"argmap {name}", **schema}
        out[name] = msgspec.json.format(msgspec.json.encode(schema), indent=2) + b"\n"
    return out
