"""HTML to PDF through WeasyPrint, in a child process with a hard deadline, reading nothing
from the network or the disk.

Children fork from a warmed forkserver, are killed at their deadline and run under an
address-space limit (:data:`MEMORY_LIMIT`), by :mod:`argmap._child` (which whole imports use too); the URL fetcher serves only our own images,
``data:`` URIs and one folder of ours. Why (and what it costs) is in docs/ARCHITECTURE.md and
benchmarks/briefing.py.

>>> html_to_pdf("<p>Привет</p>", timeout=30)[:5]                       # doctest: +SKIP
b'%PDF-'
"""

from __future__ import annotations

import mimetypes
import os
import sys
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from argmap import _child
from argmap._child import Child as _Child  # noqa: F401 - tests watch the children it starts
from argmap.errors import ArgmapError, LimitExceeded

__all__ = ["DEFAULT_TIMEOUT", "FetchRules", "MEMORY_LIMIT", "html_to_pdf", "own_only_fetcher", "warm_up"]

INSTALL_HINT = (
    "PDF output needs WeasyPrint and Pango: pip install weasyprint; "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
)

DEFAULT_TIMEOUT = 120.0
"""Seconds one PDF may take when the caller names no deadline (the CLI; the HTTP API allows 60).
The largest briefing allowed (1,000 statements, 124 pages) took 29 s on our 2-core machine
under moderate load and 65 s with a load average of 8; its timeline PDF, 11 s."""

MEMORY_LIMIT = 3 * 2**30
"""Bytes of address space a render may map (RLIMIT_AS). A child starts at about 300 MiB
(libraries and fonts, shared with the forkserver); the largest briefing allowed peaks at
750 MiB (580 MiB resident). Past the limit the render fails in the child (a MemoryError, or
GLib aborts) and the caller gets LimitExceeded."""


_child.preload("weasyprint", "argmap.render._pdf", "argmap.render._pdf_warm")


class FetchRules(NamedTuple):
    """What a render may fetch: what :func:`own_only_fetcher` is built from, in the child."""

    resources: dict[str, tuple[bytes, str]] | None = None
    folder: Path | None = None
    data_uris: bool = False


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as e:  # OSError: the Pango shared library is missing
        raise ArgmapError("pdf", f"{INSTALL_HINT} ({e})") from None
    return weasyprint


def own_only_fetcher(
    resources: dict[str, tuple[bytes, str]] | None = None, *, folder: Path | None = None, data_uris: bool = False,
):
    """A WeasyPrint URL fetcher that serves ``resources`` by exact URL, ``data:`` URIs when
    ``data_uris``, and files inside ``folder`` (resolved, so neither ``..`` nor a symlink leads
    out), and refuses anything else before opening it.

    What it served and refused is kept in ``.served`` and ``.refused``, and the URLs it handed
    to WeasyPrint's own fetcher (the only one that does I/O; ``data:`` URIs alone) in
    ``.passed_on``; tests read them. Given to :func:`html_to_pdf`, the fetcher is rebuilt from
    its ``.rules`` in the render's child, and these lists come back from there. There, too,
    ``.files`` and ``.network`` receive the files Python opened and the sockets it tried
    during the render (audit events, so whatever the fetcher or WeasyPrint did).

    >>> own_only_fetcher().fetch("http://example.com/x.png")
    Traceback (most recent call last):
    ...
    ValueError: argmap refuses to fetch 'http://example.com/x.png': documents are self-contained
    """
    urls = _weasyprint().urls
    root = Path(folder).resolve() if folder is not None else None

    class _OwnOnly(urls.URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("data",) if data_uris else ())
            self.rules = FetchRules(resources, folder, data_uris)
            self.refused: list[str] = []
            self.served: list[str] = []
            self.passed_on: list[str] = []
            self.files: list[str] = []
            self.network: list[str] = []

        def fetch(self, url, headers=None):
            if resources and url in resources:
                body, media_type = resources[url]
                self.served.append(url)
                return urls.URLFetcherResponse(url, body, {"Content-Type": media_type})
            scheme = url.split(":", 1)[0].lower()
            if data_uris and scheme == "data":
                self.served.append(url[:40])
                self.passed_on.append(url[:40])
                return super().fetch(url, headers)  # urllib's data: handler: no I/O
            if root is not None and scheme == "file" and urlsplit(url).netloc in ("", "localhost"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    self.served.append(url)
                    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return urls.URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})
            self.refused.append(url)
            raise ValueError(f"argmap refuses to fetch {url[:200]!r}: documents are self-contained")

    return _OwnOnly()


def html_to_pdf(html: str, *, title: str | None = None, resources: dict[str, tuple[bytes, str]] | None = None,
                folder: Path | None = None, data_uris: bool = False, fetcher=None, base_url: str | None = None,
                variant: str | None = None, timeout: float = DEFAULT_TIMEOUT, field: str = "pdf",
                advice: str = "make the document smaller", metadata: dict[str, str] | None = None) -> bytes:
    """Render ``html`` to PDF bytes in a child process that may take ``timeout`` seconds.

    Parameters
    ----------
    html
        The document; it may fetch only what the rules allow.
    resources, folder, data_uris
        What it may fetch (see :func:`own_only_fetcher`): in-process resources by exact URL,
        files inside ``folder``, ``data:`` URIs. Ignored when ``fetcher`` is given.
    fetcher
        An :func:`own_only_fetcher`, whose rules apply and whose ``served``, ``refused``,
        ``passed_on``, ``files`` and ``network`` receive what the child did.
    variant
        WeasyPrint's ``pdf_variant`` (``"pdf/ua-1"``: tagged, for screen readers).
    metadata
        Entries of the PDF's document information besides title, author and the rest, e.g.
        ``{"ArgmapMap": "peace-plan", "ArgmapVersion": "12"}`` (names of letters and digits);
        nothing else of the document's ``<meta>`` tags is added.
    timeout
        Seconds for the whole render, child start and transfer included; past them the child
        is killed.
    field, advice
        The error's field (what was too big: ``"briefing"``, ``"timeline"``) and what the
        reader can do about it, for :class:`~argmap.errors.LimitExceeded`.

    Raises
    ------
    LimitExceeded
        Past ``timeout`` or :data:`MEMORY_LIMIT`; the child is gone when this is raised.
    ArgmapError
        WeasyPrint is not installed, or it failed on this document.
    """
    rules = fetcher.rules if fetcher is not None else FetchRules(resources, folder, data_uris)
    job = _Job(html, title, base_url, variant, rules, tuple((metadata or {}).items()))
    answer = _run(job, timeout, field, advice)
    if fetcher is not None:
        for name in _SEEN:
            getattr(fetcher, name).extend(answer.seen[name])
    return answer.pdf


# -- Implementation details ------------------------------------------------------------------

_SEEN = ("served", "refused", "passed_on", "files", "network")


class _Job(NamedTuple):
    html: str
    title: str | None
    base_url: str | None
    variant: str | None
    rules: FetchRules
    metadata: tuple[tuple[str, str], ...] = ()


class _Done(NamedTuple):
    pdf: bytes
    seen: dict[str, list[str]]


def _render(job: _Job) -> _Done:
    """The render itself, in whatever process calls it (the child; the benchmark's baseline)."""
    weasyprint = _weasyprint()
    fetcher = own_only_fetcher(job.rules.resources, folder=job.rules.folder, data_uris=job.rules.data_uris)
    doc = weasyprint.HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render()
    if job.title:
        doc.metadata.title = job.title
    doc.metadata.generator = "argmap"
    doc.metadata.custom = dict(job.metadata)  # only ours, not every <meta> the page has (viewport)
    pdf = doc.write_pdf(pdf_variant=job.variant, custom_metadata=bool(job.metadata))
    return _Done(pdf, {name: getattr(fetcher, name) for name in _SEEN})


_WARM_UP = """<html lang="en"><head><style>
  @page { @bottom-right { content: counter(page) " / " counter(pages); font: 7pt "DejaVu Sans" } }
  body { font: 9pt "DejaVu Serif", "DejaVu Sans", serif; hyphens: auto; overflow-wrap: anywhere }
  h1 { font-family: "DejaVu Sans", sans-serif; bookmark-level: 1 } code { font-family: "DejaVu Sans Mono" }
</style></head><body><h1>Warm-up</h1><p>Typesetting <b>bold</b>, <i>italic</i>, <b><i>both</i></b>,
<code>mono</code>, hyphenation of internationalisation, «Київ», سلام, שלום.</p>
<img alt="" src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='40' height='20'%3E
%3Crect width='30' height='10' fill='none' stroke='black'/%3E
%3Ctext x='2' y='8' font-size='6'%3Ex%3C/text%3E%3C/svg%3E">
</body></html>"""


def warm_up() -> None:
    """One small render of what our documents use (fonts, hyphenation, SVG, PDF/UA), in the
    forkserver only (``_pdf_warm``): each child then starts with WeasyPrint's caches filled
    instead of filling them again, about 70 ms a render. It leaves no thread behind (a test
    checks): the server stays safe to fork. A failure here only costs that time."""
    try:
        _render(_Job(_WARM_UP, "warm-up", None, "pdf/ua-1", FetchRules(data_uris=True)))
    except Exception:  # noqa: BLE001 - a cold child still renders, or reports why it cannot
        pass


def _audited_render(job: _Job) -> _Done:
    """The render in its child (:func:`argmap._child.run`), noting the files Python opened and
    the sockets it tried meanwhile (audit events: whatever the fetcher or WeasyPrint did)."""
    files: list[str] = []
    network: list[str] = []

    def audit(event, args):  # the child dies after one render: the hook need never go
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            files.append(os.fsdecode(args[0]))
        elif event.startswith(("socket.connect", "socket.getaddrinfo")) or (
                event == "urllib.Request" and not str(args[0]).startswith("data:")):  # data: is no I/O
            network.append(f"{event} {args!r}"[:300])

    sys.addaudithook(audit)
    done = _render(job)
    done.seen["files"], done.seen["network"] = files, network
    return done


def start_forkserver() -> None:
    """Start the children's forkserver from this thread (:func:`argmap._child.start_forkserver`)."""
    _child.start_forkserver()


def _run(job: _Job, timeout: float, field: str, advice: str) -> _Done:
    try:
        return _child.run(_audited_render, job, timeout=timeout, memory=MEMORY_LIMIT, name="argmap-pdf")
    except _child.TimedOut:
        raise LimitExceeded(field, f"typesetting this {field} took longer than {timeout:g} s, the limit for "
                            f"one PDF; {advice}") from None
    except _child.Died as e:
        raise LimitExceeded(field, f"the PDF renderer stopped ({e.how()}), most likely past its "
                            f"{MEMORY_LIMIT // 2**20:,} MiB memory limit; {advice}") from None
    except _child.OutOfMemory:
        raise LimitExceeded(field, f"typesetting this {field} needs more than the {MEMORY_LIMIT // 2**20:,} MiB "
                            f"of memory one PDF may take; {advice}") from None
    except _child.Failed as e:
        raise ArgmapError(field, f"the PDF renderer failed on this {field}: {e}") from None
