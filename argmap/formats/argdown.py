"""Argdown in and out: the plain-text argument syntax of https://argdown.org (version 1.7).

Reading parses (Lark, block by block), models the document as Argdown does, then translates it
to statements and arguments; :func:`dumps` writes Argdown that ``argdown`` and :func:`loads`
read back to the same map. Untrusted text is bounded (docs/ARCHITECTURE.md, "Interchange").

>>> m = loads("[Tax]: Soft drugs should be taxed.\\n  + <Revenue>: The state needs the money.", map_id="d")
>>> [(a.kind, a.premises, a.target) for a in m.arguments]
[('support', ['Revenue'], 'Tax')]
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import Counter, defaultdict
from functools import lru_cache
from importlib import resources
from typing import Any

import msgspec
import yaml
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from argmap.errors import FormatError, LimitExceeded, Problem, from_validation_error
from argmap.formats._common import IdAllocator, Imported, MAX_ID, is_id, make_id
from argmap.model import Map, Relation, Source, Speaker, check_map

__all__ = ["ArgdownRelation", "Document", "MAX_ARGDOWN_RATIO", "dumps", "loads", "parse", "read", "to_map"]

RELATION_TYPES = ("support", "attack", "undercut", "contrary", "contradictory", "entails")
MAX_ARGDOWN_RATIO = 3
""":func:`dumps` of a map writes at most about twice the bytes of the map as a (compact) map
document: text escaped character by character (``[`` → ``\\[``) and an attack's premises as a
numbered premise-conclusion structure are the worst cases (a test holds the ratio below this).
``POST /maps/import`` takes Argdown of up to this many times the request body limit, so that
the export of any map a client may send imports back."""
PARSE_SECONDS = 20
"""Longest time reading one document may take (LimitExceeded beyond): the grammar's searches
are bounded, but a hostile document can still be slow."""


def read(data: bytes | str, *, map_id: str | None = None, fallback_id: str = "argdown",
         title: str | None = None) -> Imported:
    """Parse, model and translate an Argdown document; see the module docstring.

    The map's id is ``map_id``, else the front matter's ``argmap: {id: …}``, else ``fallback_id``.
    """
    return to_map(parse(data), map_id=map_id, fallback_id=fallback_id, title=title)


def loads(data: bytes | str, *, map_id: str | None = None, fallback_id: str = "argdown",
          title: str | None = None) -> Map:
    """The map in an Argdown document (:func:`read` without the report)."""
    return read(data, map_id=map_id, fallback_id=fallback_id, title=title).map


class ArgdownRelation(msgspec.Struct, kw_only=True):
    """A relation as Argdown models it, between titles of statements and arguments.

    ``source_kind``/``target_kind``: ``statement``, ``argument`` or ``inference`` (of the
    argument named; ``step`` counts its inferences from 1).
    """

    type: str
    source: str
    source_kind: str
    target: str
    target_kind: str
    step: int | None = None
    line: int


class Document(msgspec.Struct, kw_only=True):
    """An Argdown document as Argdown's model sees it (step 2 of reading)."""

    front_matter: dict[str, Any] = {}
    statements: dict[str, dict] = {}
    """title → {"text", "tags", "data", "section", "line", "top_level", "conclusion", "premise"}"""
    arguments: dict[str, dict] = {}
    """title → {"text", "tags", "data", "section", "line", "pcs": [{"title", "inference"}]}"""
    relations: list[ArgdownRelation] = []

    def counts(self) -> dict[str, int]:
        """Statements, arguments and relations by type: what ``argdown json`` reports."""
        by_type = Counter(r.type for r in self.relations)
        return {
            "statements": len(self.statements), "arguments": len(self.arguments),
            **{f"{t} relations": by_type[t] for t in RELATION_TYPES if by_type[t]},
        }


def parse(data: bytes | str) -> Document:
    """Steps 1 and 2: the document as Argdown models it, or FormatError listing every error."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise FormatError("$", f"Argdown must be UTF-8 text ({e.reason} at byte {e.start})") from None
    if "\x00" in data:
        raise FormatError("$", "Argdown text must not contain NUL characters")
    problems: list[Problem] = []
    front, blocks = _parse_blocks(data.lstrip("\ufeff"), problems)
    model = _Model(front, problems)
    model.source = data.lstrip("\ufeff")
    for tree, first_line in blocks:  # each block is modelled as it is parsed, then let go
        model.block(tree, first_line)
    if problems:
        raise FormatError(problems=sorted(problems, key=_line_of))
    return model.finish()


def _line_of(p: Problem) -> int:
    return int(p.field.split()[1]) if p.field.startswith("line ") else 0


def to_map(doc: Document, *, map_id: str | None = None, fallback_id: str = "argdown",
           title: str | None = None) -> Imported:
    """Step 3: translate Argdown's model into a checked argmap Map (a pure function)."""
    return _Translator(doc).run(map_id, fallback_id, title)


def dumps(m: Map) -> str:
    """Write ``m`` as an Argdown document; see the module docstring."""
    return _Writer(m).run()


# -- Implementation details: parsing -----------------------------------------------------------


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("argmap.formats").joinpath("argdown.lark").read_text(encoding="utf-8")
    return Lark(grammar, start="block", parser="lalr", lexer="basic", postlex=_Lines(),
                propagate_positions=True, maybe_placeholders=False)


class _Lines:
    """Argdown's line rules on the token stream: runs of line breaks (comments between them
    vanish) become one NL or one EMPTYLINE; a relation or list item indented deeper than the
    one before opens an _INDENT, shallower closes _DEDENTs; a blank line, a numbered statement
    and an inference close them all (as ``emitRemainingDedentTokens`` does in Argdown)."""

    always_accept = ("EMPTYLINE", "FRONT_MATTER", "NL")

    def process(self, stream):
        deadline = time.monotonic() + PARSE_SECONDS
        stack = [0]
        pending: Token | None = None  # a line break, held until we know whether more follow

        def close_all(tok):
            while len(stack) > 1:
                stack.pop()
                yield Token.new_borrow_pos("_DEDENT", "", tok)

        for tok in stream:
            if time.monotonic() > deadline:
                raise LimitExceeded(f"line {tok.line}", f"reading this Argdown took over {PARSE_SECONDS} s; "
                                    "split the document")
            if tok.type in ("NL", "EMPTYLINE"):
                if pending is None or (tok.type == "EMPTYLINE" and pending.type == "NL"):
                    pending = tok
                continue
            if pending is not None:
                if pending.type == "EMPTYLINE":
                    yield from close_all(pending)
                yield pending
                pending = None
            if tok.type in ("REL", "ITEM"):
                width = len(tok.value) - len(tok.value.lstrip(" \t")) + (1 if tok.type == "ITEM" else 0)
                if width > stack[-1]:
                    stack.append(width)
                    yield Token.new_borrow_pos("_INDENT", "", tok)
                else:
                    while len(stack) > 1 and width < stack[-1]:
                        stack.pop()
                        yield Token.new_borrow_pos("_DEDENT", "", tok)
            elif tok.type in ("NUM", "INFERENCE"):
                yield from close_all(tok)
            yield tok
        if pending is not None and pending.type == "NL":
            yield pending
        if stack[1:]:
            last = pending or Token("NL", "", line=1, column=1)
            yield from close_all(last)


_WHAT = {
    "REL": "relation (+, -, _, <+, +>, …)", "NUM": "numbered statement (1)", "INFERENCE": "inference line (----)",
    "HEADING": "heading", "ITEM": "list item", "DATA": "{data}", "S_DEF": "statement definition [Title]:",
    "S_REF": "statement reference [Title]", "A_DEF": "argument definition <Title>:",
    "A_REF": "argument reference <Title>", "_INDENT": "indented relation", "_DEDENT": "end of an indented block",
    "NL": "line break", "TAG": "#tag", "FREE": "text", "CTRL": "punctuation", "$END": "end of the block",
}


def _describe(names) -> str:
    described = sorted({_WHAT.get(n, "text") for n in names})
    return ", ".join(described[:6]) + (" …" if len(described) > 6 else "")


def _unclosed_comment(text: str) -> Problem | None:
    # Each unclosed opener would make the lexer search to the end of the text: refused up front.
    for opener, closer in (("<!--", "-->"), ("/*", "*/")):
        last_close = text.rfind(closer)
        at = text.find(opener, last_close + len(closer) if last_close >= 0 else 0)
        if at >= 0:
            return Problem(f"line {text.count(chr(10), 0, at) + 1}",
                           f"the comment opened here ({opener}) is never closed ({closer})")
    return None


def _parse_blocks(text: str, problems: list[Problem]):
    """The front matter, and the blocks of the text (split at blank lines) parsed with the
    grammar one at a time, as an iterator: lexing and parsing go along with the caller's
    modelling, so that the tokens and trees of the whole document are never held at once
    (a 3.6 MB document of escaped text held 600 MB of them). Problems go to ``problems``; a
    character the lexer cannot read is the only problem reported, as it makes the rest
    unreadable."""
    lark = _lark()
    if (unclosed := _unclosed_comment(text)) is not None:
        problems.append(unclosed)
        return {}, iter(())
    tokens = _lexed(lark, text, problems)
    front: dict = {}
    try:
        first = next(tokens, None)
        while first is not None and first.type in ("NL", "EMPTYLINE"):
            first = next(tokens, None)
    except _Unreadable:  # before the first block: nothing to parse
        return front, iter(())
    if first is not None and first.type == "FRONT_MATTER":
        front = _front_matter(first, problems)
        first = None
    head = [first] if first is not None else []
    return front, _parsed(lark, itertools.chain(head, tokens), problems)


def _lexed(lark, text: str, problems: list[Problem]):
    try:
        yield from lark.lex(text)
    except UnexpectedCharacters as e:
        problems.clear()  # what came before is moot: the document cannot be read past here
        problems.append(Problem(f"line {e.line}", f"column {e.column}: unexpected character {text[e.pos_in_stream]!r}"))
        raise _Unreadable from None


class _Unreadable(Exception):
    """The lexer stopped (its problem is in the list): no further block is parsed or modelled."""


def _blocks(tokens, problems: list[Problem]):
    current: list[Token] = []
    for tok in itertools.chain(tokens, [Token("EMPTYLINE", "")]):
        if tok.type == "FRONT_MATTER":
            problems.append(Problem(f"line {tok.line}", "front matter (=== … ===) may only open the document"))
        elif tok.type == "EMPTYLINE":
            start = 0
            while start < len(current) and current[start].type == "NL":
                start += 1
            if start < len(current):
                yield current[start:]
            current = []
        else:
            current.append(tok)


def _parsed(lark, tokens, problems: list[Problem]):
    try:
        for block in _blocks(tokens, problems):
            try:
                interactive = lark.parse_interactive("")
                for tok in block:
                    interactive.feed_token(tok)
                tree = interactive.feed_eof(block[-1])
            except UnexpectedToken as e:
                if block[0].type == "_INDENT" and len(block) > 1 and block[1].type == "REL":
                    problems.append(Problem(f"line {block[1].line}", "a relation must directly follow the statement or "
                                            "argument it belongs to, without a blank line between"))
                    continue
                got = "end of the block" if e.token.type == "$END" else f"{_WHAT.get(e.token.type, 'text')} {e.token.value.strip()!r}"
                line = e.token.line if e.token.type != "$END" else block[-1].end_line
                problems.append(Problem(f"line {line}", f"unexpected {got}; expected {_describe(e.expected)}"))
                continue
            except UnexpectedInput as e:  # pragma: no cover - other Lark errors name a line too
                problems.append(Problem(f"line {getattr(e, 'line', block[0].line)}", str(e).splitlines()[0]))
                continue
            yield tree, block[0].line
    except _Unreadable:
        return


class _NoAliases(yaml.SafeLoader):
    """YAML without anchors and aliases: an alias bomb cannot make a small document huge."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.YAMLError(f"aliases (*{event.anchor}) are not accepted")
        return super().compose_node(parent, index)


def _yaml(text: str, line: int, what: str, problems: list[Problem]) -> dict:
    try:
        value = yaml.load(text, Loader=_NoAliases)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = line + (mark.line if mark else 0)
        problems.append(Problem(f"line {where}", f"{what} is not valid YAML: {getattr(e, 'problem', None) or e}"))
        return {}
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(Problem(f"line {line}", f"{what} must be a mapping (key: value), not {type(value).__name__}"))
        return {}
    try:
        return msgspec.json.decode(msgspec.json.encode(value))  # plain JSON values only
    except (msgspec.EncodeError, TypeError) as e:
        problems.append(Problem(f"line {line}", f"{what} holds a value JSON cannot carry: {e}"))
        return {}


def _front_matter(tok: Token, problems: list[Problem]) -> dict:
    body = re.sub(r"^=+|=+$", "", tok.value.strip())
    return _yaml(body, tok.line, "front matter", problems)


_EMPH_END_NEXT = set(" \t\r\n)}_.,!?;:-*")
_UNESCAPE = re.compile(r"\\([^\r\n])")


def _text(tokens: list[Token], source: str | None, remove_tags: bool) -> tuple[str, list[str], str]:
    """The text of a content node as Argdown builds it, its tags, and the text without tags.

    Emphasis markers (``**bold**``, ``_italic_``) are dropped like Argdown drops them; a marker
    that opens nothing and closes nothing stays as text."""
    parts: list[str] = []
    tag_at: list[int] = []
    tags: list[str] = []
    opened: list[tuple[str, int]] = []
    for i, tok in enumerate(tokens):
        t, v = tok.type, tok.value
        if t == "ESC":  # a run of escapes: each backslash gives the character after it
            parts.append(_UNESCAPE.sub(r"\1", v))
        elif t == "LINK":
            label = v[1:v.index("](")]
            parts.append(label + (" " if v.endswith((" ", "\t")) else ""))
        elif t == "TAG":
            tag = v.strip()[1:]
            tags.append(tag[1:-1] if tag.startswith("(") else tag)
            if not remove_tags:
                tag_at.append(len(parts))
                parts.append(v)
        elif t == "NL":
            parts.append(" ")
        elif t == "EMPH":
            marker = v.rstrip(" \t")
            following = v[len(marker):len(marker) + 1] or (
                source[tok.end_pos] if source is not None and tok.end_pos < len(source) else "\n"
            )
            if opened and opened[-1][0] == marker and following in _EMPH_END_NEXT:
                opened.pop()
                parts.append(v[len(marker):])
            elif following not in " \t\r\n":
                opened.append((marker, len(parts)))
                parts.append("")
            else:
                parts.append(v)
        else:
            parts.append(v)
    for marker, at in opened:  # never closed: plain text after all
        parts[at] = marker
    untagged = [" " if i in tag_at else p for i, p in enumerate(parts)]
    return " ".join("".join(parts).split()), tags, " ".join("".join(untagged).split())


# -- Implementation details: Argdown's model -----------------------------------------------------


class _Node:
    """An equivalence class, an argument or an inference, with the relations touching it."""

    def __init__(self, kind: str, title: str, line: int):
        self.kind, self.title, self.line = kind, title, line
        self.members: list[dict] = []
        self.tags: list[str] = []
        self.data: dict = {}
        # The relations touching it, in order (a dict: removing one costs O(1)), and how many
        # of them go to each (target, type) and come from each (source, type): Argdown's
        # duplicate checks look these up instead of scanning, so that a node with n relations
        # costs O(n), not O(n²) (a hostile document gives one statement 100,000 attackers).
        self.relations: dict[_Rel, None] = {}
        self.by_target: Counter = Counter()
        self.by_source: Counter = Counter()
        self.pcs: list[dict] = []  # arguments: {"title", "inference": _Node | None, "line"}
        self.section: str | None = None
        self.owner: _Node | None = None  # inferences: their argument
        self.step = 0
        self.rules: list[str] = []


class _Rel:
    def __init__(self, type_: str, source: _Node | None, target: _Node | None, line: int):
        self.type, self.source, self.target, self.line = type_, source, target, line
        self.homes: list[_Node] = []  # the nodes whose .relations hold it

    def attach(self, node: _Node) -> None:
        node.relations[self] = None
        node.by_target[self.target, self.type] += 1
        node.by_source[self.source, self.type] += 1
        self.homes.append(node)

    def detach(self, node: _Node) -> None:
        del node.relations[self]
        node.by_target[self.target, self.type] -= 1
        node.by_source[self.source, self.type] -= 1
        self.homes.remove(node)

    def move(self, *, source: _Node | None = None, target: _Node | None = None) -> None:
        """Give it another source or target, keeping its homes' counts true."""
        for node in self.homes:
            node.by_target[self.target, self.type] -= 1
            node.by_source[self.source, self.type] -= 1
        self.source, self.target = source or self.source, target or self.target
        for node in self.homes:
            node.by_target[self.target, self.type] += 1
            node.by_source[self.source, self.type] += 1


_REL_TYPES = {
    "+>": ("support", "parent"), "->": ("attack", "parent"), "><": ("contradictory", "parent"),
    "_>": ("undercut", "parent"), "+": ("support", "child"), "<+": ("support", "child"),
    "-": ("attack", "child"), "<-": ("attack", "child"), "_": ("undercut", "child"), "<_": ("undercut", "child"),
}


class _Model:
    """Argdown's ModelPlugin, walked over our parse trees in document order."""

    def __init__(self, front: dict, problems: list[Problem]):
        self.front = front
        self.problems = problems
        model = front.get("model") if isinstance(front.get("model"), dict) else {}
        self.strict = model.get("mode") == "strict"
        self.remove_tags = bool(model.get("removeTagsFromText", False))
        self.statements: dict[str, _Node] = {}
        self.arguments: dict[str, _Node] = {}
        self.relations: list[_Rel] = []
        self.untitled = 0
        self.section: str | None = None
        self.inference: _Node | None = None  # Argdown never resets it: see _relation
        self.previous: _Node | None = None  # the argument a following PCS belongs to
        self.source: str | None = None

    def bad(self, line: int, reason: str) -> None:
        self.problems.append(Problem(f"line {line}", reason))

    def new_title(self) -> str:
        self.untitled += 1
        return f"Untitled {self.untitled}"

    def ec(self, title: str, line: int) -> _Node:
        if title not in self.statements:
            self.statements[title] = _Node("statement", title, line)
        return self.statements[title]

    def argument_node(self, title: str, line: int) -> _Node:
        if title not in self.arguments:
            self.arguments[title] = _Node("argument", title, line)
        return self.arguments[title]

    # -- blocks ---------------------------------------------------------------------------

    def block(self, tree: Tree, line: int) -> None:
        (node,) = tree.children
        previous, self.previous = self.previous, None
        if node.data == "heading":
            self.heading(node)
        elif node.data == "statement":
            self.statement(node, role="top-level")
        elif node.data == "argument":
            self.previous = self.argument(node)
        elif node.data == "pcs":
            self.pcs(node, previous)
        else:
            for item in node.children:
                child = item.children[1]
                (self.statement if child.data == "statement" else self.argument)(child, role="list-item")

    def heading(self, node: Tree) -> None:
        tokens = node.children[1].children
        self.section = _text(tokens, self.source, self.remove_tags)[2]
        if len(node.children) > 2:
            self.data(node.children[2])  # checked; Argdown's group settings are not modelled

    def data(self, node: Tree) -> dict:
        tok = node.children[0]
        return _yaml(tok.value, tok.line, "{data}", self.problems)

    def statement(self, node: Tree, *, role: str) -> dict:
        """A statement (Argdown's STATEMENT exit): its member joins the equivalence class."""
        member = self._member(node, role, "S_DEF", "S_REF", lambda m: self.ec(m["title"], m["line"]))
        self._join(self.ec(member["title"], member["line"]), member)
        return member

    def argument(self, node: Tree, *, role: str = "top-level") -> _Node:
        """An argument's description (Argdown's ARGUMENT exit): it joins the argument of its title."""
        member = self._member(node, role, "A_DEF", "A_REF", lambda m: self.argument_node(m["title"], m["line"]))
        arg = self.argument_node(member["title"], member["line"])
        self._join(arg, member)
        return arg

    def _member(self, node: Tree, role: str, definition: str, reference: str, owner) -> dict:
        member = {"title": None, "text": "", "untagged": "", "tags": [], "reference": False, "role": role,
                  "line": node.meta.line, "data": {}, "section": self.section}
        for child in node.children:
            if isinstance(child, Token):
                if child.type == definition:
                    member["title"] = child.value[1:-2]
                elif child.type == reference:
                    member["title"], member["reference"] = child.value[1:-1], True
                elif child.type == "TAG":
                    member["tags"].append(_tag(child.value))
            elif child.data == "content":
                member["text"], tags, member["untagged"] = _text(child.children, self.source, self.remove_tags)
                member["tags"] += tags
            elif child.data == "data":
                member["data"] = self.data(child)
            elif child.data == "relations":
                if member["title"] is None:  # numbered before its children, as Argdown numbers it
                    member["title"] = self.new_title()
                self.relations_of(owner(member), child)
        if member["title"] is None:
            member["title"] = self.new_title()
        return member

    @staticmethod
    def _join(node: _Node, member: dict) -> None:
        node.members.append(member)
        node.tags += [t for t in member["tags"] if t not in node.tags]
        node.data = _merge(node.data, member["data"])
        if node.section is None and not member["reference"]:
            node.section = member["section"]

    def relations_of(self, parent: _Node, node: Tree) -> None:
        for relation in node.children:
            rel_tok, child = relation.children
            symbol = rel_tok.value.strip()
            type_, from_end = _REL_TYPES[symbol]
            if parent.kind == "inference" and symbol not in ("_", "<_"):
                self.bad(rel_tok.line, f"below an inference only undercuts (<_) may follow, not {symbol!r}")
                continue
            if type_ == "contradictory" and child.data != "statement":
                self.bad(rel_tok.line, "a contradiction (><) links two statements, not an argument")
                continue
            if child.data == "statement":
                member = self.statement(child, role="relation")
                other = self.ec(member["title"], member["line"])
            else:
                other = self.argument(child, role="relation")
            target_parent = parent
            if type_ == "undercut" and from_end == "child" and parent.kind == "statement" and self.inference is not None:
                # Argdown 1.7 sends an undercut below a statement to the last inference it
                # has seen (its currentInference is never reset); we read what it reads.
                target_parent = self.inference
            rel = _Rel(type_, parent, other, rel_tok.line) if from_end == "parent" else _Rel(
                type_, other, target_parent, rel_tok.line)
            self.add(rel)

    def add(self, rel: _Rel) -> None:
        # A relation already there (one of rel.source's with the same target and type), or a
        # contradiction already stated the other way round, is not added again.
        src = rel.source
        if src.by_target[rel.target, rel.type] or (
                rel.type == "contradictory" and src.by_source[rel.target, rel.type]
                and any(o.source is rel.target and o.target is src and o.type == rel.type for o in src.relations)):
            return
        self.relations.append(rel)
        rel.attach(rel.source)
        if rel.target is not rel.source:
            rel.attach(rel.target)

    def pcs(self, node: Tree, previous: _Node | None) -> None:
        arg = previous if previous is not None else self.argument_node(self.new_title(), node.meta.line)
        if arg.pcs:
            self.bad(node.meta.line, f"argument <{arg.title}> already has a premise-conclusion structure "
                     f"(line {arg.pcs[0]['line']}); an argument has one")
            return
        if arg.section is None:
            arg.section = self.section
        items: list[dict] = []
        inference: _Node | None = None
        steps = 0
        for child in node.children:
            if child.data == "inference":
                tok = child.children[0]
                if inference is not None:
                    self.bad(tok.line, "two inference lines in a row; a conclusion goes between them")
                if not items:
                    self.bad(tok.line, "an inference needs premises above it")
                inference = _Node("inference", arg.title, tok.line)
                inference.owner = arg
                inference.rules, inference.data = self.inference_text(tok)
                self.inference = inference
                for sub in child.children:
                    if isinstance(sub, Tree) and sub.data == "relations":
                        self.relations_of(inference, sub)
            else:
                num, statement = child.children
                member = self.statement(statement, role="pcs")
                items.append({"title": member["title"], "inference": inference, "line": num.line})
                if inference is not None:
                    steps += 1
                    inference.step = steps
                inference = None
        if inference is not None:
            self.bad(inference.line, f"the inference of <{arg.title}> has no conclusion below it")
            return
        if not items or items[-1]["inference"] is None:
            line = items[-1]["line"] if items else node.meta.line
            self.bad(line, f"the premise-conclusion structure of <{arg.title}> must end with a conclusion "
                     "below an inference line (----)")
            return
        arg.pcs = items

    def inference_text(self, tok: Token) -> tuple[list[str], dict]:
        body = tok.value.strip()
        body = body[2:].rstrip("-")
        data: dict = {}
        lark = _lark()
        data_pattern = lark.get_terminal("DATA").pattern.to_regexp()
        comment = lark.get_terminal("COMMENT").pattern.to_regexp()
        body = re.sub(comment, "", body)
        if m := re.search(r"(?<!\\)" + data_pattern, body):  # an escaped \{ is text, not data
            data = _yaml(m[0], tok.line, "{data}", self.problems)
            body = body[: m.start()] + body[m.end():]
        # Rules are separated by commas; a backslash escapes any character (as in Argdown).
        rules = [" ".join(re.sub(r"\\(.)", r"\1", r).split()) for r in re.split(r"(?<!\\),", body)]
        return [r for r in rules if r], data

    # -- Argdown's transformations ------------------------------------------------------------

    def finish(self) -> Document:
        # transformArgumentRelations: a reconstructed argument's relations start at its
        # conclusion, and an undercut of it targets its last inference.
        kept = []
        for rel in self.relations:
            keep = True
            if rel.source.kind == "argument" and rel.source.pcs:
                if rel in rel.source.relations:
                    rel.detach(rel.source)
                ec = self.statements[rel.source.pcs[-1]["title"]]
                rel.move(source=ec)
                if ec.by_target[rel.target, rel.type]:  # ec has such a relation already
                    if rel in rel.target.relations:
                        rel.detach(rel.target)
                    keep = False
                elif rel not in ec.relations:
                    rel.attach(ec)
            if keep and rel.type == "undercut" and rel.target.kind == "argument" and rel.target.pcs:
                if rel in rel.target.relations:
                    rel.detach(rel.target)
                rel.move(target=rel.target.pcs[-1]["inference"])
                if rel.target.by_source[rel.source, rel.type]:  # the inference is undercut so already
                    keep = False
                elif rel not in rel.target.relations:
                    rel.attach(rel.target)
            if keep:
                kept.append(rel)
        self.relations = kept
        if self.strict:  # transformStatementRelations
            kept = []
            # (node, {its two ends' titles}) of each contrary relation a node holds, kept up to date
            contrary = Counter((node, frozenset((o.source.title, o.target.title)))
                               for node in {*self.statements.values(), *self.arguments.values()}
                               for o in node.relations if o.type == "contrary")
            for rel in self.relations:
                if rel.source.kind == rel.target.kind == "statement":
                    if rel.type == "support":
                        rel.type = "entails"
                    elif rel.type == "attack":
                        ends = frozenset((rel.source.title, rel.target.title))
                        if contrary[rel.source, ends]:
                            continue
                        rel.type = "contrary"
                        contrary.update((node, ends) for node in rel.homes)
                kept.append(rel)
            self.relations = kept
        # removeRedundantEC2ARelations: "[s] attacks <a>" is dropped when s already attacks
        # (or contradicts) one of a's premises.
        kept = []
        opposed: dict[_Node, set[str]] = {}  # statement → the statements it attacks, contradicts or is contrary to

        def opposed_by(node: _Node) -> set[str]:
            if node not in opposed:
                opposed[node] = {
                    other.title for o in node.relations
                    if (other := (o.target if o.source is node else o.source)).kind == "statement"
                    and ((o.type == "attack" and o.source is node) or o.type in ("contradictory", "contrary"))}
            return opposed[node]

        for rel in self.relations:
            if rel.source.kind == "statement" and rel.type == "attack" and rel.target.kind == "argument" and rel.target.pcs:
                premises = {it["title"] for it in rel.target.pcs if it["inference"] is None}
                if not opposed_by(rel.source).isdisjoint(premises):
                    continue
            kept.append(rel)
        self.relations = kept
        return Document(
            front_matter=self.front,
            statements={t: self._statement_dict(ec) for t, ec in self.statements.items()},
            arguments={t: self._argument_dict(a) for t, a in self.arguments.items()},
            relations=[self._relation(r) for r in self.relations],
        )

    def _canonical(self, node: _Node) -> dict | None:
        defined = [m for m in node.members if not m["reference"]]
        return next((m for m in reversed(defined) if m["data"].get("isCanonical")), defined[-1] if defined else None)

    def _statement_dict(self, ec: _Node) -> dict:
        canonical = self._canonical(ec)
        first = canonical or (ec.members[0] if ec.members else {"line": ec.line})
        return {
            "text": canonical["text"] if canonical else "", "untagged": canonical.get("untagged", "") if canonical else "",
            "tags": ec.tags, "data": ec.data, "section": ec.section,
            "line": first["line"], "top_level": any(m["role"] == "top-level" for m in ec.members),
        }

    def _argument_dict(self, arg: _Node) -> dict:
        canonical = self._canonical(arg)
        pcs = []
        for it in arg.pcs:
            inf = it["inference"]
            pcs.append({"title": it["title"], "line": it["line"],
                        "inference": None if inf is None else {"rules": inf.rules, "data": inf.data, "line": inf.line}})
        return {
            "text": canonical["text"] if canonical else "", "untagged": canonical.get("untagged", "") if canonical else "",
            "tags": arg.tags, "data": arg.data, "section": arg.section,
            "line": (canonical or {"line": arg.line})["line"], "pcs": pcs,
        }

    def _relation(self, rel: _Rel) -> ArgdownRelation:
        def end(node: _Node) -> tuple[str, str, int | None]:
            if node.kind == "inference":
                return node.owner.title, "inference", node.step
            return node.title, node.kind, None

        (source, source_kind, _), (target, target_kind, step) = end(rel.source), end(rel.target)
        return ArgdownRelation(type=rel.type, source=source, source_kind=source_kind, target=target,
                               target_kind=target_kind, step=step, line=rel.line)


def _tag(value: str) -> str:
    tag = value.strip()[1:]
    return tag[1:-1] if tag.startswith("(") else tag


def _merge(a: dict, b: dict) -> dict:
    """lodash.merge of two data objects: nested objects merge, everything else is replaced."""
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


# -- Implementation details: translation ---------------------------------------------------------

_VERB = {"support": "supports", "attack": "attacks", "undercut": "undercuts"}
_KIND_OF = {"support": "support", "attack": "attack", "undercut": "undercut", "entails": "support",
            "contrary": "attack", "contradictory": "attack"}
"""Argdown's relation types as argmap argument kinds (contrary and contradictory: one attack each way)."""


class _StatementMeta(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    # What dumps() writes in a statement's {argmap: …} data.
    kind: str | None = None
    speaker: str | None = None
    said: str | None = None
    source: str | None = None
    date_source: str | None = None
    note: str | None = None
    role: str | None = None
    tags: list[str] = []


class _FrontMeta(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    id: str | None = None
    description: str | None = None
    speakers: list[Speaker] = []
    sources: list[Source] = []
    relations: list[Relation] = []


class _Translator:
    def __init__(self, doc: Document):
        self.doc = doc
        self.ids = IdAllocator()
        self.notes: Counter[str] = Counter()
        self.problems: list[Problem] = []
        self.origin: dict[str, list[str]] = {"statements": [], "arguments": []}

    def run(self, map_id: str | None, fallback_id: str, title: str | None) -> Imported:
        doc = self.doc
        front = doc.front_matter
        try:
            meta = msgspec.convert(front.get("argmap") or {}, type=_FrontMeta)
        except msgspec.ValidationError as e:
            err = from_validation_error(e)
            raise FormatError(f"front matter argmap{err.field[1:]}", err.reason) from None
        conclusions = {it["title"] for a in doc.arguments.values() for it in a["pcs"] if it["inference"] is not None}
        folded = self._folded()
        self.folded_relation = {r.source: r for r in doc.relations if r.source in folded and r.source_kind == "statement"}
        prose = self._prose()
        left_out = folded | prose
        # Ids in document order: statements, then arguments (which share the id space).
        self.statement_id = {t: self.ids.take(make_id(t, fallback="s")) for t in doc.statements if t not in left_out}
        self.gist_id: dict[str, str] = {}
        self.step_ids: dict[str, list[str]] = {}
        for t, a in doc.arguments.items():
            base = make_id(t, fallback="a")
            if not a["pcs"]:
                self.gist_id[t] = self.ids.take(base)
            else:
                steps = sum(1 for it in a["pcs"] if it["inference"] is not None)
                main = self.ids.take(base)
                self.step_ids[t] = [self.ids.take(f"{main[:MAX_ID - 4]}.{k}") for k in range(1, steps)] + [main]
        statements = [self._statement(t, s, t in conclusions, meta) for t, s in doc.statements.items()
                      if t not in left_out]
        statements += [self._gist(t, a) for t, a in doc.arguments.items() if not a["pcs"]]
        arguments = []
        for t, a in doc.arguments.items():
            arguments += self._steps(t, a, folded)
        arguments += self._relations(folded)
        if self.problems:
            raise FormatError(problems=self.problems)
        m_id = map_id or meta.id or fallback_id
        m_title = title or _plain(front.get("title")) or m_id
        description = meta.description or _plain(front.get("subTitle"))
        # title and subTitle became the map's own fields; the rest is kept to be written back.
        extras = {k: v for k, v in front.items() if k not in ("argmap", "title", "subTitle")}
        doc_map = {
            "id": m_id, "title": m_title, "description": description or None,
            "speakers": [msgspec.to_builtins(s) for s in meta.speakers],
            "sources": [msgspec.to_builtins(s) for s in meta.sources],
            "statements": statements, "arguments": arguments,
            "relations": [msgspec.to_builtins(r) for r in meta.relations],
            "extras": {"argdown": {"front_matter": extras}} if extras else {},
        }
        try:
            m = msgspec.convert(doc_map, type=Map)
        except msgspec.ValidationError as e:
            raise self._located(from_validation_error(e)) from None
        check_map(m)
        skipped = {"untitled statements without relations (prose)": len(prose)} if prose else {}
        return Imported(map=m, counts=doc.counts(), skipped=skipped,
                        notes=[f"{w} ({n}×)" for w, n in self.notes.items()])

    def _located(self, err):
        if m := re.match(r"^\$\.(statements|arguments)\[(\d+)\](.*)$", err.field):
            where = self.origin[m[1]][int(m[2])] if int(m[2]) < len(self.origin[m[1]]) else err.field
            return FormatError(where, f"{m[3].lstrip('.') + ': ' if m[3] else ''}{err.reason}")
        return FormatError(err.field, err.reason)

    def _prose(self) -> set[str]:
        """Untitled statements in no premise-conclusion structure and no relation: the prose
        paragraphs between the arguments, which Argdown's own map leaves out too (its
        ``excludeDisconnected``) unless their data says ``isInMap: true``."""
        used = {it["title"] for a in self.doc.arguments.values() for it in a["pcs"]}
        used |= {t for r in self.doc.relations for t, k in ((r.source, r.source_kind), (r.target, r.target_kind))
                 if k == "statement"}
        return {
            t for t, s in self.doc.statements.items()
            if t.startswith("Untitled ") and t not in used and s["data"].get("isInMap") is not True
        }

    def _folded(self) -> set[str]:
        """Conclusions that dumps() wrote to carry an attack or undercut with its own id."""
        touching: dict[str, list[ArgdownRelation]] = defaultdict(list)
        for r in self.doc.relations:
            for end, kind in ((r.source, r.source_kind), (r.target, r.target_kind)):
                if kind == "statement":
                    touching[end].append(r)
        in_pcs = Counter(it["title"] for a in self.doc.arguments.values() for it in a["pcs"])
        out = set()
        for a in self.doc.arguments.values():
            steps = [it for it in a["pcs"] if it["inference"] is not None]
            if len(steps) != 1 or a["pcs"][-1]["inference"] is None:
                continue
            c = a["pcs"][-1]["title"]
            role = (self.doc.statements[c]["data"].get("argmap") or {}).get("role")
            rels = touching[c]
            if (role in ("attack-conclusion", "undercut-conclusion") and in_pcs[c] == 1 and len(rels) == 1
                    and rels[0].source == c and _KIND_OF[rels[0].type] == role.split("-")[0]):
                out.add(c)
        return out

    def _statement(self, title: str, s: dict, is_conclusion: bool, meta: _FrontMeta) -> dict:
        self.origin["statements"].append(f"line {s['line']}")
        sid = self.statement_id[title]
        data = dict(s["data"])
        own = data.pop("argmap", None) or {}
        try:
            own = msgspec.convert(own, type=_StatementMeta)
        except msgspec.ValidationError as e:
            self.problems.append(Problem(f"line {s['line']}", f"{{argmap: …}} data: {from_validation_error(e)}"))
            own = _StatementMeta()
        # The #tags become tags; argmap's text is the statement without them.
        st: dict = {"id": sid, "text": s["untagged"] or title, "tags": _tags([*s["tags"], *own.tags])}
        if is_conclusion and not s["top_level"]:
            st["kind"] = "derived"
        for field in ("kind", "speaker", "said", "source", "date_source", "note"):
            if getattr(own, field) is not None:
                st[field] = getattr(own, field)
        extras = {k: v for k, v in (("title", title if title != sid else None), ("data", data),
                                    ("section", s["section"])) if v}
        if extras:
            st["extras"] = {"argdown": extras}
        return st

    def _gist(self, title: str, a: dict) -> dict:
        self.origin["statements"].append(f"line {a['line']}")
        extras = {"argument": title}
        for k in ("data", "section"):
            if a[k]:
                extras[k] = a[k]
        return {"id": self.gist_id[title], "text": a["untagged"] or title, "tags": _tags(a["tags"]),
                "extras": {"argdown": extras}}

    def _steps(self, title: str, a: dict, folded: set[str]) -> list[dict]:
        if not a["pcs"]:
            return []
        out, since = [], []
        ids = self.step_ids[title]
        for it in a["pcs"]:
            inf = it["inference"]
            if inf is None:
                since.append(it["title"])
                continue
            last = len(out) == len(ids) - 1
            arg: dict = {"id": ids[len(out)], "kind": "support", "premises": [self.statement_id.get(p, p) for p in since]}
            self.origin["arguments"].append(f"line {inf['line']}")
            if it["title"] in folded:
                rel = self.folded_relation[it["title"]]
                arg["kind"] = _KIND_OF[rel.type]
                arg["target"] = self._end(rel.target, rel.target_kind, rel.step, rel.type)
            else:
                arg["target"] = self.statement_id[it["title"]]
            if inf["rules"]:
                arg["scheme"] = ", ".join(inf["rules"])
            extras: dict = {}
            inference_data = dict(inf["data"] or {})
            own = inference_data.pop("argmap", None)
            if isinstance(own, dict):
                arg.update({k: own[k] for k in ("roles", "question") if k in own})
            elif own is not None:
                inference_data["argmap"] = own
            if inference_data:
                extras["inference_data"] = inference_data
            if last:
                if a["untagged"]:
                    arg["note"] = a["untagged"]
                extras.update({k: v for k, v in (("title", title if title != ids[-1] else None), ("tags", a["tags"]),
                                                 ("data", a["data"]), ("section", a["section"])) if v})
            if extras:
                arg["extras"] = {"argdown": extras}
            out.append(arg)
            since = [it["title"]]
        return out

    def _end(self, title: str, kind: str, step: int | None, rel_type: str) -> str:
        if kind == "statement":
            return self.statement_id[title]
        if kind == "inference":
            return self.step_ids[title][(step or 1) - 1]
        if title in self.gist_id:
            return self.gist_id[title]
        return self.step_ids[title][-1]

    def _relations(self, folded: set[str]) -> list[dict]:
        out: list[dict] = []
        later = []  # undercuts of arguments without a PCS: they need those arguments' own arguments
        for rel in self.doc.relations:
            if rel.source in folded and rel.source_kind == "statement":
                continue
            ends = [((rel.source, rel.source_kind), (rel.target, rel.target_kind, rel.step))]
            if rel.type in ("contrary", "contradictory"):  # symmetric: an attack each way
                ends.append(((rel.target, rel.target_kind), (rel.source, rel.source_kind, None)))
            kind = _KIND_OF[rel.type]
            for (s, s_kind), (t, t_kind, step) in ends:
                premise = self.statement_id[s] if s_kind == "statement" else self.gist_id[s]
                if t_kind == "statement":
                    if kind == "undercut":
                        self.notes["an undercut of a statement is read as an attack on it"] += 1
                    target, k = self.statement_id[t], "attack" if kind == "undercut" else kind
                elif t_kind == "inference":
                    target, k = self.step_ids[t][(step or 1) - 1], kind
                elif t in self.gist_id:
                    if kind == "undercut":
                        later.append((premise, t, rel))
                        continue
                    target, k = self.gist_id[t], kind
                elif kind == "support":
                    self.notes["a support of a reconstructed argument is read as a support of its conclusion"] += 1
                    target, k = self.statement_id[self.doc.arguments[t]["pcs"][-1]["title"]], "support"
                else:
                    self.notes["an attack on a reconstructed argument is read as an undercut of its last inference"] += 1
                    target, k = self.step_ids[t][-1], "undercut"
                if premise == target:
                    self.notes["a relation of a statement to itself is left out"] += 1
                    continue
                out.append(self._relation_argument(premise, k, target, rel))
        made_from: dict[str, list[str]] = defaultdict(list)
        for a in out:
            made_from[a["premises"][0]].append(a["id"])
        for premise, t, rel in later:
            gist = self.gist_id[t]
            targets = made_from[gist]
            if not targets:
                self.notes["an undercut of an argument that argues for nothing is read as an attack on its gist"] += 1
                out.append(self._relation_argument(premise, "attack", gist, rel))
            for target in targets:
                out.append(self._relation_argument(premise, "undercut", target, rel))
        return out

    def _relation_argument(self, premise: str, kind: str, target: str, rel: ArgdownRelation) -> dict:
        self.origin["arguments"].append(f"line {rel.line}")
        arg = {"id": self.ids.take(relation_id(premise, kind, target)), "kind": kind, "premises": [premise], "target": target}
        if rel.type not in ("support", "attack", "undercut") or kind != rel.type:
            arg["extras"] = {"argdown": {"relation": rel.type}}
        return arg


def relation_id(premise: str, kind: str, target: str) -> str:
    """The id an Argdown relation gets: ``<premise>.<supports|attacks|undercuts>.<target>``."""
    half = (MAX_ID - len(_VERB[kind]) - 2) // 2
    return f"{premise[:half]}.{_VERB[kind]}.{target[:half]}"


def _tags(tags: list[str]) -> list[str]:
    out = []
    for tag in tags:
        t = re.sub(r"[\s,]+", "-", tag.strip()).lstrip("#")[:64]
        if t and t not in out:
            out.append(t)
    return out


def _plain(value) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


# -- Implementation details: writing ---------------------------------------------------------

# A mention (@[Title], @<Title>) stays one; any other markup character gets a backslash.
_TEXT_ESCAPE = re.compile(r"(@\[[^\]\r\n]+\]|@<[^>\r\n]+>)|([\\\[\]<>{}#*_]|/(?=[/*])|=(?===)|!(?=--)|[:.](?=\S{1,200}?[:.]))")  # "===" opens front matter
_RULE_ESCAPE = re.compile(r"([\\,{}\-])")


def _escape(text: str) -> str:
    """Text that Argdown reads back as it is: markup characters get a backslash."""
    return _TEXT_ESCAPE.sub(lambda m: m[1] or "\\" + m[2], " ".join(text.split()))


def _flow(value) -> str:
    """A value as YAML flow syntax that Argdown's {data} token cannot cut short: strings are
    JSON strings with their braces escaped."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(str(k))}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("{", "\\u007b").replace("}", "\\u007d")
    return json.dumps(value)


def _title_ok(title) -> bool:
    return isinstance(title, str) and bool(title.strip()) and not re.search(r"[\[\]<>\r\n]", title) and not title.startswith("-")


class _Writer:
    """Writes what the translation reads back: ids come back as they were (titles are written
    only where they slug to the same id), and what an Argdown import kept in ``extras`` (titles,
    #tags, {data}, headings, arguments without a PCS) is written the way it was."""

    def __init__(self, m: Map):
        self.m = m
        self.by_id = {s.id: s for s in m.statements}
        self.args = {a.id: a for a in m.arguments}
        self.title: dict[str, str] = {}
        used: set[str] = set()
        for item, key in [*((s, "argument" if "argument" in s.extras.get("argdown", {}) else "title") for s in m.statements),
                          *((a, "title") for a in m.arguments)]:
            wanted = item.extras.get("argdown", {}).get(key)
            ok = _title_ok(wanted) and wanted not in used and wanted.strip() == wanted and make_id(wanted) == item.id
            self.title[item.id] = wanted if ok else item.id
            used.add(self.title[item.id])
        # An Argdown relation carries no id, scheme or note: only an argument whose id is the
        # one loads() gives a relation can be written as one.
        candidates = {a.id for a in m.arguments if self._relation_like(a)}
        gists = {s.id for s in m.statements if "argument" in s.extras.get("argdown", {})}
        for a in m.arguments:  # a gist that a PCS would use must be written as a statement
            if a.id not in candidates:
                gists -= {*a.premises, a.target}
        outgoing: dict[str, list[str]] = defaultdict(list)
        for a in m.arguments:
            if len(a.premises) == 1 and a.premises[0] in gists:
                outgoing[a.premises[0]].append(a.id)
        # An undercut of an argument made from an Argdown argument without a PCS is written as
        # an undercut of that Argdown argument (loads() reads it back onto the same target);
        # any other undercut needs its target written as a PCS, to have a node to point at.
        self.undercut_via = {
            a.target: self.args[a.target].premises[0] for a in m.arguments
            if a.kind == "undercut" and a.target in candidates and len(outgoing.get(self.args[a.target].premises[0], [])) == 1
        }
        needs_node = {a.target for a in m.arguments if a.kind == "undercut"} - set(self.undercut_via)
        self.relation_form = candidates - needs_node
        self.chains = self._chains()
        self.sketched = gists

    def _relation_like(self, a) -> bool:
        x = a.extras.get("argdown", {})
        return (len(a.premises) == 1 and not a.scheme and not a.note and set(x) <= {"relation"}
                and not a.roles and a.question is None
                and a.id == relation_id(a.premises[0], a.kind, a.target))

    def _chains(self) -> dict[str, list]:
        """Multi-step PCS as loads() splits them: ``<id>.1``, ``<id>.2`` … then ``<id>``, each
        step starting from the conclusion before it. Written back as one PCS."""
        chains = {}
        for a in self.m.arguments:
            steps, k = [], 1
            while (step := self.args.get(f"{a.id}.{k}")) is not None and step.kind == "support" \
                    and step.id not in self.relation_form and not step.note:
                steps.append(step)
                k += 1
            if steps and a.kind == "support" and all(
                nxt.premises[0] == prev.target for prev, nxt in zip(steps, [*steps[1:], a])
            ):
                chains[a.id] = [*steps, a]
        return chains

    @staticmethod
    def section(item) -> str | None:
        sec = item.extras.get("argdown", {}).get("section")
        return sec if isinstance(sec, str) and sec.strip() else None

    def ref(self, sid: str) -> str:
        return f"<{self.title[sid]}>" if sid in self.sketched else f"[{self.title[sid]}]"

    def run(self) -> str:
        m = self.m
        # Blocks under their heading: those without one first (a heading cannot be left again),
        # then each section in the order it first appears.
        blocks: list[tuple[str | None, list[str]]] = [(self.section(s), [self.statement(s)]) for s in m.statements]
        in_chain = {step.id for chain in self.chains.values() for step in chain[:-1]}
        relations: dict[str, list[str]] = {}
        for a in m.arguments:
            if a.id in self.relation_form:
                relation = a.extras.get("argdown", {}).get("relation")
                if relation == "contradictory":
                    symbol = "><"  # written once per pair: Argdown merges the mirrored one itself
                elif a.kind == "undercut" and relation == "attack":
                    symbol = "<-"  # an attack on an argument, which loads() reads as this undercut
                else:
                    symbol = {"support": "<+", "attack": "<-", "undercut": "<_"}[a.kind]
                if a.kind != "undercut":
                    head = self.ref(a.target)
                elif a.target in self.undercut_via:
                    head = self.ref(self.undercut_via[a.target])
                else:
                    head = f"<{self.title[a.target]}>"
                relations.setdefault(head, []).append(f"  {symbol} {self.ref(a.premises[0])}")
            elif a.id not in in_chain:
                blocks.append((self.section(a), self.pcs(a)))
        order = {sec: i for i, sec in enumerate(dict.fromkeys(sec for sec, _ in blocks if sec))}
        out = [self.front_matter()]
        section = None
        for sec, texts in sorted(blocks, key=lambda b: -1 if b[0] is None else order[b[0]]):
            if sec != section:
                out.append(f"# {_escape(sec)}")
                section = sec
            out.extend(texts)
        for head, lines in relations.items():
            out.append("\n".join([head, *lines]))
        return "\n\n".join(out) + "\n"

    def front_matter(self) -> str:
        m = self.m
        kept: dict = dict(m.extras.get("argdown", {}).get("front_matter", {}))
        model = kept.pop("model", None)
        # Tags are written as #tags after the text, not inside it: Argdown must not read them
        # into the text again.
        front: dict = {"title": m.title, **kept, "model": {**(model if isinstance(model, dict) else {}),
                                                            "removeTagsFromText": True}}
        meta: dict = {"id": m.id}
        if m.description:
            meta["description"] = m.description
        for name, items in (("speakers", m.speakers), ("sources", m.sources), ("relations", m.relations)):
            if items:
                meta[name] = [
                    {k: v for k, v in msgspec.to_builtins(x).items() if v not in (None, [], {}) and k not in ("text", "text_file")}
                    for x in items
                ]
        front["argmap"] = meta
        text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)
        if any(mark in text for mark in ("==", "/*", "*/", "//", "<!--")):
            # "===" inside the YAML would end Argdown's front matter, and comment marks would
            # open comments. JSON is YAML, and in its strings (the only place these characters
            # can be) "\u003d" is "=": the values come back as they were.
            text = msgspec.json.encode(front).decode()
            for c in "=/*<":
                text = text.replace(c, f"\\u{ord(c):04x}")
            text += "\n"
        return "===\n" + text + "==="

    def statement(self, s) -> str:
        x = s.extras.get("argdown", {})
        data = dict(x.get("data", {}))
        own = {k: getattr(s, k) for k in ("speaker", "said", "source", "date_source", "note") if getattr(s, k) is not None}
        if s.kind != "claim":
            own = {"kind": s.kind, **own}
        if own:
            data["argmap"] = own
        line = f"{self.ref(s.id)}: {_escape(s.text)}" + _tags_text(s.tags, data)
        return line + (" " + _flow(data) if data else "")

    def pcs(self, a) -> list[str]:
        x = a.extras.get("argdown", {})
        data = dict(x.get("data", {}))
        head = f"<{self.title[a.id]}>" + (f": {_escape(a.note)}" if a.note else "") + _tags_text(x.get("tags", []), data)
        if data:
            head += " " + _flow(data)
        lines: list[str] = []
        steps = self.chains.get(a.id, [a])
        for i, step in enumerate(steps):
            for p in step.premises[1 if i else 0:]:
                lines.append(f"({len(lines) + 1}) {self.ref(p)}")
            lines.append(self.inference(step))
            if i < len(steps) - 1:
                lines.append(f"({len(lines)}) {self.ref(step.target)}")
        lines = [ln for ln in lines]
        n = sum(1 for ln in lines if ln.startswith("(")) + 1
        if a.kind == "support":
            lines.append(f"({n}) {self.ref(a.target)}")
        else:
            title = f"{a.id}.conclusion"
            if a.kind == "attack":
                text = f"Not: {_escape(self.by_id[a.target].text)}"
                relation = f"  -> {self.ref(a.target)}"
            else:
                text = f"The inference of @<{self.title[a.target]}> does not hold."
                relation = f"  _> <{self.title[a.target]}>"
            lines.append(f"({n}) [{title}]: {text} {_flow({'argmap': {'role': f'{a.kind}-conclusion'}})}\n{relation}")
        return [head, "\n".join(lines)]

    def inference(self, a) -> str:
        x = a.extras.get("argdown", {})
        inference_data = dict(x.get("inference_data") or {})
        # Scheme roles and the critical question raised (argmap.schemes) ride in the inference's
        # data, as {argmap: {roles: …, question: …}}; loads() takes them out again.
        own = {k: v for k, v in (("roles", a.roles), ("question", a.question)) if v}
        if own:
            inference_data["argmap"] = own
        if not (a.scheme or inference_data):
            return "----"
        rules = _RULE_ESCAPE.sub(r"\\\1", " ".join((a.scheme or "").split()))
        data = " " + _flow(inference_data) if inference_data else ""
        return f"--\n{rules}{data}\n--"


def _tags_text(tags: list[str], data: dict) -> str:
    """Tags as Argdown writes them; one with ")" (which "#(…)" cannot hold) travels in the data."""
    native = [t for t in tags if ")" not in t]
    if len(native) < len(tags):
        data.setdefault("argmap", {})["tags"] = [t for t in tags if ")" in t]
    return "".join(f" #{t}" if re.fullmatch(r"[A-Za-z0-9-]+", t) else f" #({t})" for t in native)
