"""``GET /maps/{map}/briefing.pdf`` and ``.html`` through Litestar's test client."""

from __future__ import annotations

import io

import pytest
from apitest import api, open_store, seed_map  # noqa: F401  (fixtures, found by name)
from pypdf import PdfReader



def test_briefing_pdf_of_a_focus(api):
    r = api.get("/maps/peace-plan/briefing.pdf", params={"focus": "ternopil-strike", "depth": 1, "paper": "letter"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert 'filename="peace-plan-briefing.pdf"' in r.headers["content-disposition"]
    pdf = PdfReader(io.BytesIO(r.content))
    assert round(float(pdf.pages[0].mediabox.width)) == 612
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Russian Kh-101 cruise missiles strike apartment blocks in Ternopil" in text


def test_briefing_html_is_the_same_content_for_the_web(api):
    r = api.get("/maps/peace-plan/briefing.html", params={"sections": "conclusions,corrections,sources", "from": "2025-11-20"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    html = r.text.split("<body", 1)[1]
    assert "<h2>Key conclusions</h2>" in html and "<h2>Corrections</h2>" in html
    assert "Statements by speaker" not in html
    assert "Statements dated 20 Nov 2025 – … (undated statements kept)." in html
    assert "Dmitriev" not in html.split("<h2>Sources</h2>")[0]  # his only statement is dated 17 Nov


@pytest.mark.parametrize(
    ("url", "params", "status", "field"),
    [
        ("/maps/nope/briefing.html", {}, 404, None),
        ("/maps/peace-plan/briefing.html", {"focus": "nope"}, 422, "$.focus"),  # the scope's names (argmap.scope)
        ("/maps/peace-plan/briefing.html", {"sections": "speakers,bogus"}, 422, "sections[1]"),
        ("/maps/peace-plan/briefing.html", {"to": "2025-02-30"}, 422, "$.to"),
        ("/maps/peace-plan/briefing.pdf", {"paper": "a5"}, 400, None),
        ("/maps/peace-plan/briefing.html", {"semantics": "fuzzy"}, 400, None),
    ],
)
def test_bad_requests_answer_the_error_shape(api, url, params, status, field):
    r = api.get(url, params=params)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error", "message", "problems"}
    if field is not None:
        assert body["problems"][0]["field"] == field


def test_openapi_documents_the_briefing_route(api):
    paths = api.get("/schema/openapi.json").json()["paths"]
    for ext in ("pdf", "html"):
        params = {p["name"] for p in paths[f"/maps/{{map_id}}/briefing.{ext}"]["get"]["parameters"]}
        assert {"sections", "focus", "depth", "from", "to", "paper", "semantics"} <= params
