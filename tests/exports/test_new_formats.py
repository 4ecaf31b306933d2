"""GraphML, Mermaid and TikZ, each read back by an independent reader: networkx, Mermaid's own
parser (in Chromium), pdfLaTeX. Hostile text included (quotes, backslashes, braces, %, #, <,
unicode, a would-be Mermaid and LaTeX injection)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from argmap.exports import find, make, options_from
from argmap.mapfile import load
from argmap.model import Argument, Map, Source, Speaker, Statement

HERE = Path(__file__).resolve().parent
SEED = load(HERE.parents[1] / "seeds" / "peace-plan.yaml")
MERMAID_JS = HERE / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
CHROMIUM = Path("/usr/bin/chromium")

HOSTILE_TEXTS = [
    'He said "no" \\ and left; {braces} 100% #1 <b>bold</b> & more',
    "\"]) --> evil((\"x\")) %% click s0 call alert(1)",
    "\\end{tikzpicture}\\input{/etc/passwd} $x^2$ _under_ ~tilde~ [opt] |bar|",
    "Кремль заявил — «нет»… 😀 ½ ä ñ",
    "end graph subgraph style classDef ;;; ::: ``` '''",
]


def hostile_map() -> Map:
    statements = [Statement(id=f"h{i}", text=t, speaker="sp", said="2025-11-2" + str(i), source="src")
                  for i, t in enumerate(HOSTILE_TEXTS)]
    statements.append(Statement(id="end", text="An id Mermaid reserves", kind="event"))
    statements.append(Statement(id="c.1:x~y", text="Dots, colons and tildes in an id", kind="derived"))
    return Map(
        id="hostile", title='Title with "quotes" & {braces} % # \\',
        speakers=[Speaker(id="sp", name="O'Brien \"the\" {Speaker} %#")],
        sources=[Source(id="src", title="Src <i>")],
        statements=statements,
        arguments=[
            Argument(id="a1", kind="support", premises=["h0", "h1"], target="c.1:x~y"),
            Argument(id="a2", kind="attack", premises=["h2"], target="h0"),
            Argument(id="a3", kind="undercut", premises=["h3"], target="a1"),
            Argument(id="a4", kind="support", premises=["end", "h4"], target="h2"),
        ],
    )


MAPS = {"seed": SEED, "hostile": hostile_map()}


def export(name: str, suffix: str, m: Map, **params) -> bytes:
    e = find(name, suffix)
    scope, options = options_from(e, params)
    return make(e, m, scope, options)


# -- GraphML ---------------------------------------------------------------------------------


@pytest.mark.parametrize("which", MAPS)
def test_graphml_reads_back_with_every_node_and_edge(which):
    m = MAPS[which]
    g = nx.read_graphml(io.BytesIO(export("graph", "graphml", m)))
    assert set(g.nodes) == {s.id for s in m.statements} | {a.id for a in m.arguments}
    expected = {(p, a.id) for a in m.arguments for p in a.premises} | {(a.id, a.target) for a in m.arguments}
    assert set(g.edges) == expected
    for s in m.statements:
        assert g.nodes[s.id]["text"] == s.text and g.nodes[s.id]["kind"] == s.kind
    for a in m.arguments:
        assert g.nodes[a.id]["type"] == "argument" and g.nodes[a.id]["kind"] == a.kind
        assert g.edges[a.id, a.target]["role"] == "target"


def test_graphml_follows_the_scope_and_carries_the_evaluation():
    g = nx.read_graphml(io.BytesIO(export("graph", "graphml", SEED, focus="victims-silenced", depth=1,
                                          evaluate="grounded")))
    assert "victims-silenced" in g and "kallas-no-viable-plan" not in g
    assert {d["status"] for _, d in g.nodes(data=True)} <= {"in", "out", "undec"}


# -- Mermaid ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mermaid_parse():
    """Mermaid's own ``mermaid.parse`` in Chromium: None for a valid diagram, else its error."""
    if not MERMAID_JS.exists():
        pytest.skip("Mermaid is not installed: npm ci --prefix tests/exports (make setup does it)")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make setup)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(path=str(MERMAID_JS))

        def parse(text: str) -> str | None:
            return page.evaluate(
                "async (t) => { try { await mermaid.parse(t); return null } catch (e) { return String(e.message || e) } }",
                text)

        yield parse
        browser.close()


def test_the_parser_refuses_what_it_should(mermaid_parse):
    # The reader is real: a label that breaks out of its quotes is a parse error.
    assert mermaid_parse('flowchart TD\n  s0("a " b")\n') is not None
    assert mermaid_parse('flowchart TD\n  s0("a #quot; b") --> s1\n') is None


@pytest.mark.parametrize("which", MAPS)
def test_mermaid_parses_with_every_statement_and_argument(which, mermaid_parse):
    m = MAPS[which]
    text = export("diagram", "mmd", m).decode()
    assert mermaid_parse(text) is None, text
    nodes = [line.split("(")[0].split("[")[0].strip() for line in text.splitlines()
             if line.startswith("  ") and ("(\"" in line or "[\"" in line or "((" in line)]
    assert len(nodes) == len(set(nodes)) == len(m.statements) + len(m.arguments)
    edges = [line for line in text.splitlines() if any(f" {arrow} " in line for arrow in ("---", "-.-", "===", "-->", "-.->", "==>"))]
    assert len(edges) == sum(len(a.premises) + 1 for a in m.arguments)


def test_mermaid_text_never_escapes_its_label():
    import re

    text = export("diagram", "mmd", hostile_map()).decode()
    for line in (line for line in text.splitlines() if line.startswith("  s") and '"' in line):
        inside = line.split('"', 1)[1].rsplit('"', 1)[0]  # between the label's own quotes
        plain = re.sub(r"#\d+;", "", re.sub(r"</?(b|i)>|<br/>", "", inside))
        assert not set(plain) & set('"#<>;&\\{}[]|`'), line
    assert "alert" not in text.split("flowchart", 1)[1].replace("alert(1)", "") and "  click" not in text


# -- TikZ ------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", MAPS)
def test_tikz_compiles_with_pdflatex(which, tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdfLaTeX is not installed: apt-get install texlive-pictures texlive-latex-base (make setup)")
    m = MAPS[which]
    tex = export("diagram", "tex", m)
    (tmp_path / "d.tex").write_bytes(tex)
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "d.tex"],
                          cwd=tmp_path, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout.decode(errors="replace")[-3000:]
    pdf = (tmp_path / "d.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", str(tmp_path / "d.pdf"), "-"], capture_output=True, check=True).stdout.decode()
    squashed = "".join(text.split())
    for s in m.statements:
        assert s.id.replace("~", "\u02dc") in squashed  # every statement's box is on the page (~ prints as ˜)
    if which == "hostile":
        assert "/etc/passwd" in squashed and "root:" not in text  # \input was typeset, not run
        assert "100%#1" in squashed and "{braces}" in squashed and '"])-->evil' in squashed


def test_tikz_places_nodes_where_graphviz_does():
    tex = export("diagram", "tex", SEED).decode()
    nodes = [line for line in tex.splitlines() if line.startswith("\\node[")]
    assert len(nodes) == len(SEED.statements) + len(SEED.arguments)
    positions = {line.split(" at (")[1].split(")")[0] for line in nodes}
    assert len(positions) == len(nodes)  # no two nodes on one spot


# -- one file each -----------------------------------------------------------------------------


def test_each_new_format_is_in_the_api_cli_pages_and_openapi():
    from litestar.testing import TestClient

    from argmap.api import create_app
    from argmap.cli import cli
    from argmap.exports import CATALOGUE
    from argmap.web.context import View, downloads

    paths = {e.path for e in CATALOGUE.values()}
    assert {"/graph.graphml", "/diagram.mmd", "/diagram.tex"} <= paths
    links = {link.label for g in downloads("m", View(), paths) for link in g.links}
    assert {"GraphML", "Mermaid", "TikZ"} <= links
    commands = cli.commands["export"].commands
    assert "graph" in commands
    fmt = next(p for p in commands["diagram"].params if p.name == "fmt")
    assert {"mmd", "tex"} <= set(fmt.type.choices)
    with TestClient(app=create_app(db_path=":memory:")) as c:
        doc = c.get("/schema/openapi.json").json()
        for path, media in (("graph.graphml", "application/graphml+xml"), ("diagram.mmd", "text/vnd.mermaid"),
                            ("diagram.tex", "application/x-tex")):
            op = doc["paths"][f"/maps/{{map_id}}/{path}"]["get"]
            assert any(k.startswith(media) for k in op["responses"]["200"]["content"])
