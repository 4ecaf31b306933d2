"""TimelineJS JSON (Knight Lab's TimelineJS3): a scoped map's dated statements as events.

Each dated statement is one event (``unique_id`` = its id) whose dates carry only the fields
its precision has, with our reading of the date as ``display_date``; every string is
HTML-escaped (TimelineJS renders them as HTML) and ``autolink`` is off. Undated statements are
listed on the title slide and under ``undated``, never dropped.

>>> import json; m = Map(id="m", title="T", statements=[Statement(id="a", text="<b>", said="2025-11")])
>>> json.loads(dumps(m))["events"][0]["text"]["headline"]
'&lt;b&gt;'
"""

from __future__ import annotations

import datetime as _dt
import html

import msgspec

from argmap.model import Map, PartialDate, Statement
from argmap.render._text import one_line, xml_safe
from argmap.render.timeline import TimelineOptions, select

__all__ = ["dumps"]


def dumps(m: Map, options: TimelineOptions | None = None, *, scoped: bool = False) -> bytes:
    """The TimelineJS JSON document for ``m`` filtered by ``options`` (``scoped``: ``m`` is
    the part to show already), as UTF-8 bytes."""
    sel = select(m, options, scoped=scoped)
    speakers = {s.id: s for s in m.speakers}
    sources = {s.id: s for s in m.sources}

    def group(st: Statement) -> str:
        if st.kind == "event":
            return "Events"
        return speakers[st.speaker].label if st.speaker in speakers else (st.speaker or "Unattributed")

    events = []
    for st in sel.dated:
        pd = st.date
        start, end = _dates(pd)
        event = {
            "unique_id": st.id,
            "start_date": start,
            "text": {"headline": _html(_headline(st.text)), "text": _html_lines(_body(st, group(st), pd, sources))},
            "group": _html(group(st)),
            "display_date": _html(pd.label()),
            "autolink": False,
        }
        if end is not None:
            event["end_date"] = end
        events.append(event)

    undated = [{"unique_id": st.id, "group": group(st), "text": st.text} for st in sel.undated]
    intro = [m.description or ""]
    if undated:
        intro.append(f"Undated ({len(undated)}):")
        intro.extend(f"• {u['group']}: {u['text']}" for u in undated)
    doc = {
        "title": {"text": {"headline": _html(m.title), "text": _html_lines([x for x in intro if x])}, "autolink": False},
        "events": events,
        "scale": "human",
        "undated": undated,
    }
    # No raw < > & anywhere (they only occur inside strings), so the JSON can be inlined in a
    # <script> element as TimelineJS pages often do, and "</script>" in a text cannot end it.
    data = msgspec.json.encode(doc)
    return data.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


def _dates(pd: PartialDate) -> tuple[dict, dict | None]:
    """TimelineJS ``start_date`` and ``end_date`` (None for a point) with only known fields."""
    low, high = pd.lower, pd.upper
    if pd.precision == "year":
        return {"year": low.year}, {"year": high.year, "month": 12, "day": 31}
    if pd.precision == "month":
        return {"year": low.year, "month": low.month}, {"year": high.year, "month": high.month, "day": high.day}
    if pd.precision == "interval":
        return _ymd(low), _ymd(high)
    if pd.precision == "time":
        stamp = _dt.datetime.fromisoformat(pd.edtf.rstrip("~?%"))
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(_dt.timezone.utc)
        out = {**_ymd(stamp.date()), "hour": stamp.hour, "minute": stamp.minute}
        if stamp.second:
            out["second"] = stamp.second
        return out, None
    return _ymd(low), None


def _ymd(d: _dt.date) -> dict:
    return {"year": d.year, "month": d.month, "day": d.day}


def _headline(text: str, limit: int = 90) -> str:
    """The text on one line, cut at a word (or at ``limit`` in a long word) with an ellipsis."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def _body(st: Statement, who: str, pd: PartialDate, sources) -> list[str]:
    lines = [st.text, f"{who} · {pd.label()}"]
    src = sources.get(st.source) if st.source else None
    if src is not None:
        lines.append("Source: " + ", ".join(x for x in (src.title, src.publisher, src.url) if x))
    if st.tags:
        lines.append("Tags: " + ", ".join(st.tags))
    return lines


def _html(text: str) -> str:
    """Text as HTML that shows exactly that text (controls TimelineJS cannot show become U+FFFD)."""
    return html.escape(xml_safe(text), quote=True)


def _html_lines(lines: list[str]) -> str:
    return "".join(f"<p>{_html(line)}</p>" for line in lines)
