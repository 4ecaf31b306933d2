"""Argument diagrams as a reader gets them: the SVG, PDF, PNG and DOT that come out of Graphviz.

Structure is read back from the SVG itself (element ids, titles, strokes, positions), so these
tests fail when a reader would see something wrong, not when an internal detail changes.
"""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import msgspec
import pydot
import pytest
from pypdf import PdfReader

import argmap.render.diagram as diagram
from argmap.errors import DanglingReference, InvalidInput, LimitExceeded
from argmap.mapfile import load
from argmap.model import Argument, Map, Source, Speaker, Statement
from argmap.render.diagram import CONVERSIONS, DiagramOptions, build_graph, dot_string, html_text, options_from, render, select

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"
# pydot's DOT parser (used here to read our DOT back) calls pyparsing names it has deprecated.
reads_dot = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SVG = "{http://www.w3.org/2000/svg}"
STROKES = {  # what a reader sees on each kind of line: colour and dash pattern
    "support": ("#1b7837", None),
    "attack": ("#d55e00", "5,2"),
    "undercut": ("#7b3294", "1,5"),
}


# -- reading an SVG back ---------------------------------------------------------------------


def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)


def groups(root: ET.Element, cls: str) -> dict[str, ET.Element]:
    return {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("class") == cls}


def title(g: ET.Element) -> str:
    # Graphviz writes a run of spaces as space + no-break spaces; a reader sees spaces.
    return (g.find(f"{SVG}title").text or "").replace("\xa0", " ")


def shown(g: ET.Element) -> str:
    """The text drawn in an element, lines joined by spaces."""
    return " ".join((t.text or "").replace("\xa0", " ") for t in g.iter(f"{SVG}text"))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def centre(g: ET.Element) -> tuple[float, float]:
    xs, ys = bounds(g)
    return (xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2


def bounds(g: ET.Element) -> tuple[tuple[float, float], tuple[float, float]]:
    """The box around an element's outline (its first path, polygon or ellipse)."""
    shape = next(e for e in g if e.tag in (f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse"))
    if shape.tag == f"{SVG}ellipse":
        cx, cy, rx, ry = (float(shape.get(k)) for k in ("cx", "cy", "rx", "ry"))
        return (cx - rx, cx + rx), (cy - ry, cy + ry)
    nums = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d") or shape.get("points"))]
    xs, ys = nums[0::2], nums[1::2]
    return (min(xs), max(xs)), (min(ys), max(ys))


def stroke(edge: ET.Element) -> tuple[str, str | None]:
    path = edge.find(f"{SVG}path")
    return path.get("stroke"), path.get("stroke-dasharray")


def small_map(statements, arguments, **kw) -> Map:
    return Map(id="m", title=kw.pop("title", "A small map"), statements=statements, arguments=arguments, **kw)


@pytest.fixture(scope="module")
def seed() -> Map:
    return load(SEED)


@pytest.fixture(scope="module")
def seed_svg(seed) -> ET.Element:
    return parse(render(seed, "svg"))


# -- the seed map ----------------------------------------------------------------------------


def test_seed_every_statement_and_argument_is_an_element_with_its_id(seed, seed_svg):
    nodes = groups(seed_svg, "node")
    assert {s.id for s in seed.statements} <= nodes.keys()
    assert {a.id for a in seed.arguments} <= nodes.keys()
    for s in seed.statements:
        assert s.text in title(nodes[s.id]), s.id


def test_seed_edges_join_premises_through_the_inference_node_in_the_kind_s_style(seed, seed_svg):
    edges = groups(seed_svg, "edge")
    for a in seed.arguments:
        for p in a.premises:
            assert stroke(edges[f"{a.id}/premise/{p}"]) == STROKES[a.kind], (a.id, p)
        target = edges[f"{a.id}/target"]
        assert stroke(target) == STROKES[a.kind], a.id
        assert target.find(f"{SVG}polygon") is not None, f"{a.id}: the line to the target needs an arrowhead"
    n_edges = sum(len(a.premises) + 1 for a in seed.arguments)
    assert len([e for e in edges if not e.startswith("legend/")]) == n_edges


def test_seed_has_title_legend_and_no_link_or_script(seed, seed_svg):
    graph = next(iter(groups(seed_svg, "graph").values()))
    assert title(graph) == seed.title
    assert seed.title in shown(graph)
    legend = groups(seed_svg, "cluster")["legend/"]
    assert shown(legend) == "Legend"
    drawn = " ".join(shown(g) for i, g in groups(seed_svg, "node").items() if i.startswith("legend/"))
    for words in ("supports", "attacks", "undercuts", "claim", "event", "derived conclusion"):
        assert words in drawn
    assert_inert(seed_svg)


def test_undercut_ends_on_the_inference_node_it_denies(seed):
    undercut = next(a for a in seed.arguments if a.kind == "undercut")
    graph = build_graph(seed)
    ends = {(e.get_source().strip('"'), e.get_destination().strip('"'))
            for sub in graph.get_subgraphs() for e in sub.get_edges()}
    assert (undercut.id, undercut.target) in ends
    assert undercut.target in {a.id for a in seed.arguments}


# -- small hand-made maps --------------------------------------------------------------------


def two_reasons(linked: bool) -> Map:
    statements = [Statement(id=i, text=f"Statement {i}.") for i in ("c", "p1", "p2")]
    if linked:
        arguments = [Argument(id="a", kind="support", premises=["p1", "p2"], target="c")]
    else:
        arguments = [Argument(id="a1", kind="support", premises=["p1"], target="c"),
                     Argument(id="a2", kind="support", premises=["p2"], target="c")]
    return small_map(statements, arguments)


def test_linked_premises_meet_in_one_inference_node_and_separate_reasons_do_not():
    linked = parse(render(two_reasons(True), "svg"))
    separate = parse(render(two_reasons(False), "svg"))
    linked_edges, separate_edges = groups(linked, "edge"), groups(separate, "edge")
    assert {"a/premise/p1", "a/premise/p2", "a/target"} <= linked_edges.keys()
    assert {"a1/premise/p1", "a1/target", "a2/premise/p2", "a2/target"} <= separate_edges.keys()
    assert "a2" not in groups(linked, "node") and {"a1", "a2"} <= groups(separate, "node").keys()


def test_attack_is_dashed_vermillion_and_support_solid_green():
    m = small_map([Statement(id=i, text=i.upper()) for i in ("c", "p", "q")], [
        Argument(id="for", kind="support", premises=["p"], target="c"),
        Argument(id="against", kind="attack", premises=["q"], target="c"),
        Argument(id="cut", kind="undercut", premises=["q"], target="for"),
    ])
    edges = groups(parse(render(m, "svg")), "edge")
    assert stroke(edges["for/target"]) == STROKES["support"]
    assert stroke(edges["against/target"]) == STROKES["attack"]
    assert stroke(edges["cut/target"]) == STROKES["undercut"]
    # Greyscale and colour-blind readers get three different line patterns too.
    assert len({stroke(edges[e])[1] for e in ("for/target", "against/target", "cut/target")}) == 3


def test_statement_kinds_look_different_and_say_what_they_are():
    m = small_map([Statement(id="c", text="Claimed."), Statement(id="e", text="Happened.", kind="event"),
                   Statement(id="d", text="Follows.", kind="derived")], [])
    nodes = groups(parse(render(m, "svg")), "node")
    looks = {}
    for i in ("c", "e", "d"):
        shape = next(e for e in nodes[i] if e.tag in (f"{SVG}path", f"{SVG}polygon"))
        looks[i] = (shape.tag, shape.get("fill"), shape.get("stroke-dasharray"))
    assert len(set(looks.values())) == 3
    assert "EVENT" in shown(nodes["e"]) and "DERIVED" in shown(nodes["d"])
    assert "EVENT" not in shown(nodes["c"]) and "DERIVED" not in shown(nodes["c"])


def test_box_shows_speaker_and_date_at_its_precision_and_tooltip_names_the_source():
    m = small_map(
        [Statement(id="a", text="Said in a month.", speaker="k", said="2025-11", source="src"),
         Statement(id="b", text="Said about a day.", speaker="adv", said="2025-11-26~"),
         Statement(id="c", text="Undated.")],
        [],
        speakers=[Speaker(id="k", name="Kaja Kallas", role="High Representative"),
                  Speaker(id="adv", role="close adviser")],
        sources=[Source(id="src", title="Interfax report", publisher="Interfax-Ukraine", published="2025-11-24")],
    )
    nodes = groups(parse(render(m, "svg")), "node")
    assert "Kaja Kallas · Nov 2025" in shown(nodes["a"])
    assert "(unnamed) close adviser · c. 26 Nov 2025" in shown(nodes["b"])
    assert "·" not in shown(nodes["c"])
    tip = title(nodes["a"])
    assert "Source: Interfax report (Interfax-Ukraine, 2025-11-24)" in tip
    assert "Kaja Kallas (High Representative)" in tip and "(2025-11)" in tip


def test_long_text_is_cut_in_the_box_and_whole_in_the_tooltip():
    text = " ".join(f"word{i}" for i in range(400))
    node = groups(parse(render(small_map([Statement(id="s", text=text)], []), "svg")), "node")["s"]
    assert text in title(node)
    assert "…" in shown(node) and len(shown(node)) < len(text) // 2


def test_rankdir_puts_conclusions_first_top_down_or_left_to_right():
    m = two_reasons(True)
    top_down = groups(parse(render(m, "svg", DiagramOptions(rankdir="TB"))), "node")
    assert centre(top_down["c"])[1] < centre(top_down["a"])[1] < centre(top_down["p1"])[1]
    left_right = groups(parse(render(m, "svg", DiagramOptions(rankdir="LR"))), "node")
    assert centre(left_right["c"])[0] < centre(left_right["a"])[0] < centre(left_right["p1"])[0]


def test_group_by_speaker_frames_each_speaker_s_statements():
    m = small_map(
        [Statement(id="k1", text="One.", speaker="k", said="2025-11-20"), Statement(id="k2", text="Two.", speaker="k"),
         Statement(id="v1", text="Three.", speaker="v"), Statement(id="n", text="Nobody's.")],
        [Argument(id="a", kind="support", premises=["v1"], target="k1")],
        speakers=[Speaker(id="k", name="Kaja Kallas"), Speaker(id="v", name="David van Weel")],
    )
    root = parse(render(m, "svg", DiagramOptions(group_by_speaker=True)))
    clusters, nodes = groups(root, "cluster"), groups(root, "node")
    assert shown(clusters["speaker/k"]) == "Kaja Kallas" and shown(clusters["speaker/v"]) == "David van Weel"

    def inside(node, cluster):
        (x0, x1), (y0, y1) = bounds(clusters[cluster])
        (nx0, nx1), (ny0, ny1) = bounds(nodes[node])
        return x0 <= nx0 and nx1 <= x1 and y0 <= ny0 and ny1 <= y1

    assert inside("k1", "speaker/k") and inside("k2", "speaker/k") and inside("v1", "speaker/v")
    assert not inside("v1", "speaker/k") and not inside("n", "speaker/k") and not inside("n", "speaker/v")
    # The frame names the speaker, so the box keeps only the date.
    assert "Kaja Kallas" not in shown(nodes["k1"]) and "20 Nov 2025" in shown(nodes["k1"])
    ungrouped = parse(render(m, "svg"))
    assert not any(i.startswith("speaker/") for i in groups(ungrouped, "cluster"))
    assert "Kaja Kallas · 20 Nov 2025" in shown(groups(ungrouped, "node")["k1"])


def test_evaluation_labels_tint_and_name_the_boxes_and_hollow_out_inferences():
    m = two_reasons(False)
    labels = {"c": "in", "p1": "out", "p2": "undec", "a1": "out"}
    root = parse(render(m, "svg", DiagramOptions(labels=labels)))
    nodes = groups(root, "node")
    fills = {i: next(e for e in nodes[i] if e.tag == f"{SVG}path").get("fill") for i in ("c", "p1", "p2")}
    assert len(set(fills.values())) == 3 and "#ffffff" not in fills.values()
    assert "IN" in shown(nodes["c"]).split() and "OUT" in shown(nodes["p1"]).split()
    assert "UNDECIDED" in shown(nodes["p2"])
    inference = {i: nodes[i].find(f"{SVG}ellipse").get("fill") for i in ("a1", "a2")}
    assert inference == {"a1": "#ffffff", "a2": STROKES["support"][0]}
    assert "evaluated in" in " ".join(shown(g) for i, g in nodes.items() if i.startswith("legend/"))
    unlabelled = groups(parse(render(m, "svg")), "node")
    assert not any(i == "legend/in" for i in unlabelled)


def test_labels_naming_nothing_or_with_unknown_values_are_refused():
    with pytest.raises(DanglingReference) as e:
        build_graph(two_reasons(True), DiagramOptions(labels={"c": "in", "ghost": "out"}))
    assert e.value.field == "labels.ghost"
    with pytest.raises(InvalidInput) as e:
        build_graph(two_reasons(True), DiagramOptions(labels={"c": "accepted"}))
    assert "labels" in e.value.field


def test_title_and_legend_options():
    root = parse(render(two_reasons(True), "svg", DiagramOptions(title="Only this part", legend=False)))
    graph = next(iter(groups(root, "graph").values()))
    assert "Only this part" in shown(graph) and "A small map" not in shown(graph)
    assert "legend/" not in groups(root, "cluster")


# -- focus and depth -------------------------------------------------------------------------


def chain() -> Map:
    """d supports c supports b supports a; x attacks b (linked with y); u undercuts c→b."""
    ids = ["a", "b", "c", "d", "x", "y", "u", "far"]
    return small_map([Statement(id=i, text=f"{i}.") for i in ids], [
        Argument(id="ba", kind="support", premises=["b"], target="a"),
        Argument(id="cb", kind="support", premises=["c"], target="b"),
        Argument(id="dc", kind="support", premises=["d"], target="c"),
        Argument(id="xb", kind="attack", premises=["x", "y"], target="b"),
        Argument(id="ucb", kind="undercut", premises=["u"], target="cb"),
        Argument(id="far-d", kind="support", premises=["far"], target="d"),
    ])


@pytest.mark.parametrize("depth, statements, arguments", [
    (0, {"a"}, set()),
    (1, {"a", "b"}, {"ba"}),
    (2, {"a", "b", "c", "x", "y", "u"}, {"ba", "cb", "xb", "ucb"}),
    (3, {"a", "b", "c", "d", "x", "y", "u"}, {"ba", "cb", "xb", "ucb", "dc"}),
])
def test_focus_takes_the_statements_within_depth_arguments(depth, statements, arguments):
    got_s, got_a = select(chain(), "a", depth)
    assert ({s.id for s in got_s}, {a.id for a in got_a}) == (statements, arguments)


def test_focus_goes_both_ways_and_the_focus_is_drawn_heavier():
    root = parse(render(chain(), "svg", DiagramOptions(focus="c", depth=1)))
    nodes = groups(root, "node")
    assert {"b", "c", "d", "cb", "dc", "ucb", "u"} <= nodes.keys()
    assert "a" not in nodes and "far" not in nodes
    width = {i: next(e for e in nodes[i] if e.tag == f"{SVG}path").get("stroke-width") for i in ("c", "b")}
    assert float(width["c"]) > float(width["b"])
    graph = next(iter(groups(root, "graph").values()))
    assert "around c, at most 1 step away" in shown(graph)


def test_unknown_focus_is_a_dangling_reference_naming_the_field():
    with pytest.raises(DanglingReference) as e:
        render(chain(), "svg", DiagramOptions(focus="nowhere"))
    assert e.value.field == "$.focus" and "nowhere" in e.value.reason  # the scope's field name (argmap.scope)
    with pytest.raises(DanglingReference, match="an argument, not a statement"):
        render(chain(), "svg", DiagramOptions(focus="cb"))


@pytest.mark.parametrize("params, field", [
    ({"depth": "-1"}, "depth"), ({"depth": "many"}, "depth"), ({"rankdir": "BT"}, "rankdir"),
    ({"focus": 'x" onload="y'}, "focus"), ({"colour": "red"}, "colour"), ({"legend": "perhaps"}, "legend"),
])
def test_bad_options_are_refused_with_the_field(params, field):
    with pytest.raises(InvalidInput) as e:
        options_from(params)
    assert e.value.field == field


def test_options_from_reads_query_strings():
    o = options_from({"focus": "a", "depth": "3", "rankdir": "LR", "group_by_speaker": "true", "legend": "false"})
    assert (o.focus, o.depth, o.rankdir, o.group_by_speaker, o.legend) == ("a", 3, "LR", True, False)


def test_options_built_in_python_are_checked_too():
    with pytest.raises(InvalidInput):
        build_graph(chain(), DiagramOptions(depth=-5))


# -- formats ---------------------------------------------------------------------------------


@reads_dot
def test_every_format_comes_out_in_its_own_kind():
    assert set(CONVERSIONS) == {"svg", "pdf", "png", "dot"}
    m = two_reasons(True)
    assert render(m, "pdf").startswith(b"%PDF-")
    png = render(m, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 100 and height > 100
    graphs = pydot.graph_from_dot_data(render(m, "dot").decode())
    names = {n.get_name().strip('"') for n in graphs[0].get_nodes()} | {
        n.get_name().strip('"') for sub in graphs[0].get_subgraphs() for n in sub.get_nodes()}
    assert {"c", "p1", "p2", "a"} <= names
    with pytest.raises(InvalidInput, match="unknown diagram format"):
        render(m, "gif")


def test_png_of_a_large_map_is_scaled_to_a_bounded_bitmap():
    m = small_map([Statement(id=f"s{i}", text=f"Statement number {i} with some words in it.") for i in range(120)], [])
    png = render(m, "png")
    width, height = struct.unpack(">II", png[16:24])
    assert width <= 9600 and height <= 9600


# -- untrusted text --------------------------------------------------------------------------

HOSTILE = [
    'He said "no", then \'maybe\'.',
    "back\\slash \\N \\G \\L \\n \\\\ and one at the very end\\",
    '<b>bold</b> & <i>markup</i> <BR/> <IMG SRC="/etc/passwd"/> <TABLE><TR><TD>x</TD></TR></TABLE>',
    "]]> ]] } { [label=x]; -> -- ;",
    'digraph G { node [shape=box, URL="http://evil.example"] } subgraph strict edge graph',
    "<script>alert(1)</script>",
    "javascript:alert(document.cookie)",
    '<a xlink:href="https://evil.example/x.svg">click</a> href=x onload=alert(1)',
    '<svg onload="alert(1)"><image href="file:///etc/passwd"/><foreignObject/>',
    "&amp; &lt; &#60; &#x3C; &quot; &nbsp; &unknown;",
    "Україна: мирний план з 28 пунктів",
    "خطة السلام الأمريكية لأوكرانيا",
    "\u202ereversed\u202c text with bidi controls",
    "🕊️ peace 🇺🇦 👨‍👩‍👧 emoji",
    "controls \x01\x02\x1b[31m\x7f\x85 and \ufffe and \ud800 here",
    "tabs\tand\r\nnewlines\rand  double  spaces",
    "x" * 10_000,
    ("ten kilobytes " * 720).strip(),
]
_UNSHOWABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def faithful(text: str) -> str:
    """What a reader may fairly see of ``text``: unshowable characters as U+FFFD, any line end
    as a newline. Everything else must survive exactly."""
    return _UNSHOWABLE.sub("\ufffd", text).replace("\r\n", "\n").replace("\r", "\n")


def unchecked(struct, **fields):
    """``struct`` with ``fields`` set past the model's checks: the renderer must stay safe even
    for text the model refuses today (NUL, lone surrogates), as a second line of defence."""
    for name, value in fields.items():
        msgspec.structs.force_setattr(struct, name, value)
    return struct


@pytest.fixture(scope="module")
def hostile_map() -> Map:
    bad = HOSTILE
    return unchecked(Map(id="hostile", title="t"), title=bad[0] + " " + bad[5],
        speakers=[unchecked(Speaker(id=f"sp{i}", name="n", role="r"), name=t[:500], role=bad[(i + 1) % len(bad)][:500])
                  for i, t in enumerate(bad)],
        sources=[unchecked(Source(id="src", title="t", publisher="p"), title=bad[2], publisher=bad[7])],
        statements=[
            *(unchecked(Statement(id=f"h{i}", text="t", speaker=f"sp{i}", source="src"), text=t,
                        note=f"note\x00{t[:200]}")
              for i, t in enumerate(bad)),
            # DOT keywords as ids must stay ordinary node names.
            *(Statement(id=k, text=k) for k in ("graph", "node", "edge", "strict", "subgraph")),
        ],
        arguments=[
            unchecked(Argument(id="digraph", kind="support", premises=["h0", "h1"], target="h2"), scheme=bad[3],
                      note=bad[5]),
            unchecked(Argument(id="a:b", kind="attack", premises=["node", "edge"], target="graph"), note="\x00" + bad[6]),
            unchecked(Argument(id="u~1", kind="undercut", premises=["h8"], target="digraph"), scheme=bad[1]),
        ],
    )


def assert_inert(root: ET.Element) -> None:
    """No element or attribute that runs code or fetches anything, and no text in attributes."""
    for el in root.iter():
        tag = el.tag.removeprefix(SVG)
        assert tag not in {"script", "a", "image", "foreignObject", "use", "style", "iframe", "feImage"}, tag
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1]
            assert local != "href" and not local.startswith("on"), name
            assert "javascript:" not in value and "url(" not in value and "<" not in value, (name, value)


def test_hostile_text_parses_as_xml_stays_inert_and_is_shown_faithfully(hostile_map):
    svg = render(hostile_map, "svg", DiagramOptions(group_by_speaker=True))
    root = parse(svg)  # parses: no forbidden character, no broken markup
    assert_inert(root)
    assert b"<!DOCTYPE" not in svg and b"<!--" not in svg
    nodes, clusters = groups(root, "node"), groups(root, "cluster")
    for i, text in enumerate(HOSTILE):
        node = nodes[f"h{i}"]
        assert faithful(text) in title(node), i
        if len(text) <= diagram.MAX_SHOWN:
            assert squash(faithful(text)) in squash(shown(node)), i
        assert squash(faithful(text[:500])) in squash(shown(clusters[f"speaker/sp{i}"])), i
    assert faithful(HOSTILE[2]) in title(nodes["h0"])  # the source title
    assert {"graph", "node", "edge", "strict", "subgraph", "digraph", "a:b", "u~1"} <= nodes.keys()
    assert faithful(HOSTILE[5]) in title(nodes["digraph"]) and "\ufffd" + HOSTILE[6] in title(nodes["a:b"])
    graph = next(iter(groups(root, "graph").values()))
    assert title(graph) == hostile_map.title and hostile_map.title in shown(graph)


@reads_dot
def test_hostile_text_in_pdf_png_and_dot(hostile_map):
    pdf = PdfReader(io.BytesIO(render(hostile_map, "pdf")))
    assert "/OpenAction" not in pdf.trailer["/Root"] and "/Names" not in pdf.trailer["/Root"]
    for page in pdf.pages:
        assert "/Annots" not in page  # no links, so nothing to follow
    text = squash("".join(p.extract_text() for p in pdf.pages))
    for t in (HOSTILE[0], HOSTILE[5], HOSTILE[10]):
        assert squash(t) in text
    assert render(hostile_map, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    # Read back, the DOT holds exactly our nodes and edges: no text broke out of its string.
    graph = pydot.graph_from_dot_data(render(hostile_map, "dot", DiagramOptions(legend=False)).decode())[0]
    parts = [graph, *graph.get_subgraphs()]
    # Unquoted node/edge/graph are attribute defaults; our names are always quoted.
    names = {n.get_name().strip('"') for g in parts for n in g.get_nodes() if n.get_name().startswith('"')}
    assert names == {s.id for s in hostile_map.statements} | {a.id for a in hostile_map.arguments}
    assert sum(len(g.get_edges()) for g in parts) == sum(len(a.premises) + 1 for a in hostile_map.arguments)


@pytest.mark.parametrize("text", ["\x00", "a\x00b", "\x0b\x0c\x1f", "\ud800\udfff", "\ufffe\uffff"])
def test_characters_xml_forbids_become_replacement_characters(text):
    assert set(html_text(text)) - {"a", "b"} == {"\ufffd"}
    assert set(dot_string(text).strip('"')) - {"a", "b"} == {"\ufffd"}


def test_dot_string_never_leaves_a_raw_quote_or_backslash():
    for text in HOSTILE:
        inner = dot_string(text)[1:-1]
        assert '"' not in inner and "\\" not in inner and "\n" not in inner


def test_ids_that_are_not_ids_never_reach_dot():
    # A Map built in Python skips the model's id check; the renderer repeats it.
    m = small_map([Statement(id='x"] ; evil [label="', text="x")], [])
    with pytest.raises(InvalidInput, match="not a valid id"):
        build_graph(m)


# -- limits ----------------------------------------------------------------------------------


def test_too_many_statements_are_refused_before_layout_with_advice_to_focus(monkeypatch):
    m = small_map([Statement(id=f"s{i}", text="t") for i in range(diagram.MAX_STATEMENTS + 1)],
                  [Argument(id="a", kind="support", premises=["s1"], target="s0")])
    monkeypatch.setattr(diagram, "_run_dot", lambda *a: pytest.fail("dot ran on an over-limit map"))
    with pytest.raises(LimitExceeded) as e:
        render(m, "svg")
    assert e.value.field == "focus" and "focus" in e.value.reason
    monkeypatch.undo()
    part = parse(render(m, "svg", DiagramOptions(focus="s0", depth=1)))
    assert {"s0", "s1", "a"} <= groups(part, "node").keys()


def test_dot_over_its_time_limit_is_stopped_and_refused(seed):
    with pytest.raises(LimitExceeded) as e:
        render(seed, "svg", timeout=0.001)
    assert e.value.field == "timeout" and "focus" in e.value.reason


def test_missing_graphviz_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        render(two_reasons(True), "svg")


def test_focus_reaching_an_undercut_by_its_premise_also_shows_the_argument_it_undercuts():
    from argmap.model import Argument, Map, Statement
    from argmap.render.diagram import select

    m = Map(
        id="m", title="t",
        statements=[Statement(id=i, text=i) for i in "abc"],
        arguments=[
            Argument(id="x", kind="support", premises=["a"], target="b"),
            Argument(id="u", kind="undercut", premises=["c"], target="x"),
        ],
    )
    statements, arguments = select(m, "c", 1)
    assert {a.id for a in arguments} == {"u", "x"}
    assert {s.id for s in statements} == {"a", "b", "c"}


def test_every_seed_statement_can_be_the_focus():
    from pathlib import Path

    from argmap.mapfile import load
    from argmap.render.diagram import DiagramOptions, build_graph

    m = load(Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml")
    for s in m.statements:
        build_graph(m, DiagramOptions(focus=s.id, depth=1)).to_string()
