"""HTML to PDF through WeasyPrint, reading nothing from the network or the disk.

Our documents are an HTML string plus, optionally, images argmap made in the same process
(``resources``: ``{"argmap:page/1": (b"<svg…", "image/svg+xml")}``). The URL fetcher serves
exactly those, by exact name, and refuses every other URL: no text in a map (a hostile
``url(file:///etc/passwd)``, an ``<img src=…>`` that escaped somewhere) can make the renderer
read a file or call a server.

Why pages as images and not inline ``<svg>``: WeasyPrint parses inline SVG with its pure-Python
HTML tokenizer and runs the CSS cascade over every SVG node; as an image the same SVG goes
through ElementTree's C parser. For a 1,000-item timeline that is about 40 % of the time.

>>> from argmap.render._pdf import html_to_pdf
>>> html_to_pdf("<p>Привет</p>")[:5]                     # doctest: +SKIP
b'%PDF-'
"""

from __future__ import annotations

from argmap.errors import ArgmapError

__all__ = ["html_to_pdf", "own_only_fetcher"]

INSTALL_HINT = (
    "PDF output needs WeasyPrint and Pango: pip install weasyprint; "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
)


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as e:  # OSError: the Pango shared library is missing
        raise ArgmapError("pdf", f"{INSTALL_HINT} ({e})") from None
    return weasyprint


def own_only_fetcher(resources: dict[str, tuple[bytes, str]] | None = None):
    """A WeasyPrint URL fetcher that serves ``resources`` by exact URL and refuses anything else.

    The refused URLs are kept in ``.refused`` (tests read it).
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _OwnOnly(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=())
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if resources and url in resources:
                body, media_type = resources[url]
                return URLFetcherResponse(url, body, {"Content-Type": media_type})
            self.refused.append(url)
            raise ValueError(f"argmap refuses to fetch {url[:200]!r}: documents are self-contained")

    return _OwnOnly()


def html_to_pdf(html: str, *, title: str | None = None, resources: dict[str, tuple[bytes, str]] | None = None,
                fetcher=None) -> bytes:
    """Render ``html`` (and the in-process ``resources`` it names) to PDF bytes."""
    weasyprint = _weasyprint()
    fetcher = fetcher if fetcher is not None else own_only_fetcher(resources)
    doc = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).render()
    if title:
        doc.metadata.title = title
    doc.metadata.generator = "argmap"
    return doc.write_pdf()
