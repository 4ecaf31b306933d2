"""HTML to PDF through WeasyPrint, with every fetch refused.

Our documents are one HTML string with inline SVG and CSS; nothing in them needs the network
or the disk. A fetcher that refuses everything means that no text in a map (a hostile
``url(file:///etc/passwd)``, an ``<img src=...>`` that escaped somewhere) can make the renderer
read a file or call a server.

>>> from argmap.render._pdf import html_to_pdf
>>> html_to_pdf("<p>Привет</p>")[:5]                     # doctest: +SKIP
b'%PDF-'
"""

from __future__ import annotations

from argmap.errors import ArgmapError

__all__ = ["RefusingFetcher", "html_to_pdf"]

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


def RefusingFetcher():
    """A WeasyPrint URL fetcher that refuses every URL (and records what was asked, for tests)."""
    from weasyprint.urls import URLFetcher

    class _Refusing(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=())
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            self.refused.append(url)
            raise ValueError(f"argmap refuses to fetch {url[:200]!r}: documents are self-contained")

    return _Refusing()


def html_to_pdf(html: str, *, title: str | None = None, fetcher=None) -> bytes:
    """Render ``html`` to PDF bytes; nothing outside the string is read."""
    weasyprint = _weasyprint()
    fetcher = fetcher if fetcher is not None else RefusingFetcher()
    doc = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).render()
    if title:
        doc.metadata.title = title
    doc.metadata.generator = "argmap"
    return doc.write_pdf()
