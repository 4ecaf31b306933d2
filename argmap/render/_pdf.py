"""HTML to PDF through WeasyPrint, reading nothing from the network or the disk.

Our documents are an HTML string plus, optionally, images argmap made in the same process
(``resources``: ``{"argmap:page/1": (b"<svg…", "image/svg+xml")}``), and, for documents that
are also served as web pages (briefings), ``data:`` URIs and the files of one folder of ours
(their templates). The URL fetcher serves exactly those and refuses every other URL: no text
in a map (a hostile ``url(file:///etc/passwd)``, an ``<img src=…>`` that escaped somewhere) can
make the renderer read a file or call a server.

Why pages as images and not inline ``<svg>``: WeasyPrint parses inline SVG with its pure-Python
HTML tokenizer and runs the CSS cascade over every SVG node; as an image the same SVG goes
through ElementTree's C parser. For a 1,000-item timeline that is about 40 % of the time.

>>> from argmap.render._pdf import html_to_pdf
>>> html_to_pdf("<p>Привет</p>")[:5]                     # doctest: +SKIP
b'%PDF-'
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

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


def own_only_fetcher(
    resources: dict[str, tuple[bytes, str]] | None = None, *, folder: Path | None = None, data_uris: bool = False,
):
    """A WeasyPrint URL fetcher that serves ``resources`` by exact URL, ``data:`` URIs when
    ``data_uris``, and files inside ``folder`` (resolved, so neither ``..`` nor a symlink leads
    out), and refuses anything else before opening it.

    What it served and refused is kept in ``.served`` and ``.refused`` (tests read them).

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
            self.refused: list[str] = []
            self.served: list[str] = []

        def fetch(self, url, headers=None):
            if resources and url in resources:
                body, media_type = resources[url]
                self.served.append(url)
                return urls.URLFetcherResponse(url, body, {"Content-Type": media_type})
            scheme = url.split(":", 1)[0].lower()
            if data_uris and scheme == "data":
                self.served.append(url[:40])
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
                fetcher=None, base_url: str | None = None, variant: str | None = None) -> bytes:
    """Render ``html`` (and the in-process ``resources`` it names) to PDF bytes.

    ``variant`` is WeasyPrint's ``pdf_variant`` (``"pdf/ua-1"``: tagged, for screen readers).
    """
    weasyprint = _weasyprint()
    fetcher = fetcher if fetcher is not None else own_only_fetcher(resources)
    doc = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    if title:
        doc.metadata.title = title
    doc.metadata.generator = "argmap"
    return doc.write_pdf(pdf_variant=variant)
