"""Schemes where people look: the diagram's badges and pending questions, the briefing's key uncertainties."""

from __future__ import annotations

from pathlib import Path

from argmap.mapfile import load
from argmap.model import Argument, Map, Statement
from argmap.render import diagram

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"


def test_the_diagram_badges_each_schemed_argument_and_draws_open_questions_on_request():
    m = Map(id="m", title="t", statements=[Statement(id=x, text=x) for x in ("p", "q", "c", "d", "e")],
            arguments=[Argument(id="a1", kind="support", premises=["p"], target="c", scheme="ExpertOpinion"),
                       Argument(id="a2", kind="support", premises=["q"], target="d", scheme="Argument from stars"),
                       Argument(id="a3", kind="support", premises=["p"], target="e", scheme="Default Inference")])
    dot = diagram.render(m, "dot", diagram.DiagramOptions()).decode()
    assert 'taillabel=Expert' in dot or 'taillabel="Expert"' in dot
    assert "Argument from…?" in dot  # unknown names shortened and marked
    assert dot.count("taillabel") == 2  # a placeholder gets no badge
    assert "a1/questions" not in dot
    dot = diagram.render(m, "dot", diagram.DiagramOptions(questions=True)).decode()
    assert '"a1/questions"' in dot and "? 6 open" in dot and "[assumption] expertise:" in dot
    assert '"a2/questions"' not in dot  # no catalogued scheme, no questions


def test_raised_questions_are_not_drawn_as_pending():
    seed = load(SEED)
    svg = diagram.render(seed, "svg", diagram.DiagramOptions(questions=True, focus="plan-helps-ukraine-rebuild",
                                                            depth=1)).decode().replace("&#45;", "-")
    node = svg.split('id="s-100bn-usd-rebuild/questions"')[1].split("</g>")[0]
    assert "likelihood:" in node and "evidence:" in node
    assert "opposite:" not in node  # raised by the EU officials' undercut: not pending


def test_the_briefing_lists_key_uncertainties_under_its_key_conclusions():
    from argmap import exports
    from argmap.scope import Scope

    export = exports.find("briefing", "html")  # the catalogue finds the flips; the renderer only shows them
    out = exports.make(export, load(SEED), Scope(), export.options())
    html = out.decode() if isinstance(out, bytes) else out
    assert html.count("<h4>Key uncertainties</h4>") >= 3
    section = html.split('id="concl-2"')[1].split("</article>")[0]  # next-crisis-not-its-end, derived
    assert "It would fall if would-divide-ukraine-topple-president and" in section
    assert "Open question of s-aggression-next-crisis (cause-to-effect): How strong is the causal" in section
