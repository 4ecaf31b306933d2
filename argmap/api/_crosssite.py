"""What keeps other web sites out of a local argmap: Host, Origin and JSON-only bodies.

Three guards for a server without a token: :func:`host_refusal` (DNS rebinding),
:func:`origin_refusal` (cross-site writes) and :func:`json_body_guard` (bodies another site's
page can send without a preflight). What each stops: docs/ARCHITECTURE.md, "The HTTP layer".

>>> allowed = AllowedHosts.parse("127.0.0.1,argmap.example.org")
>>> allowed.admits("argmap.example.org:8000"), allowed.admits("evil.example"), allowed.admits("localhost:8000")
(True, False, True)
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler

__all__ = ["AllowedHosts", "host_refusal", "json_body_guard", "origin_refusal"]

_SAFE = {"GET", "HEAD", "OPTIONS"}
_PROBES = {"/healthz", "/readyz"}  # a load balancer's probe may name the machine any way; they tell nothing
_LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
_WILDCARDS = {"0.0.0.0", "::", ""}  # noqa: S104 - names of "every address", compared, not bound


class AllowedHosts:
    """The host names a server answers to: the configured ones and the localhost names; with a
    wildcard bind address (``0.0.0.0``, ``::``) also any IP literal (a rebinding attack needs a
    name), and with ``*`` anything."""

    def __init__(self, names: list[str]):
        self.any_host = "*" in names
        self.any_ip = any(n in _WILDCARDS for n in names)
        self.names = {_bare(n) for n in names if n and n not in _WILDCARDS and n != "*"} | set(_LOCAL_NAMES)

    @classmethod
    def parse(cls, spec: str | None) -> AllowedHosts | None:
        """From ``ARGMAP_ALLOWED_HOSTS`` (comma-separated); ``None`` when unset (no check)."""
        if spec is None:
            return None
        return cls([n.strip().lower() for n in spec.split(",")])

    def admits(self, host_header: str) -> bool:
        if self.any_host:
            return True
        host = _bare(_host_of(host_header))
        if host in self.names or host.endswith(".localhost"):
            return True
        if self.any_ip:
            try:
                ipaddress.ip_address(host)
            except ValueError:
                return False
            return True
        return False


def _host_of(netloc: str) -> str:
    """The host of ``host[:port]`` (``[v6]:port`` too), lower case."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1:].split("]", 1)[0]
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


def _bare(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def host_refusal(scope, allowed: AllowedHosts | None) -> tuple[int, str, str, str] | None:
    """``(status, code, field, reason)`` when the request's ``Host`` is not one this server
    answers to, else None. HTTP/1.1 requires the header; without one there is nothing to rebind."""
    if allowed is None or scope.get("path") in _PROBES:
        return None
    host = _header(scope, b"host")
    if host is None or allowed.admits(host):
        return None
    return (400, "bad_request", "host",
            f"this server does not answer to the host {host[:100]!r}; start it with "
            "--allowed-host NAME (or ARGMAP_ALLOWED_HOSTS) to serve under that name")


def origin_refusal(scope, allowed: AllowedHosts | None) -> tuple[int, str, str, str] | None:
    """``(status, code, field, reason)`` for a write sent by a page of another site, else None.

    A write (any method but GET, HEAD, OPTIONS) that carries ``Origin`` must come from this
    server's own origin (the host and port of its ``Host`` header) or from an allowed host;
    ``Origin: null`` (sandboxed frames, local files) is refused. ``Sec-Fetch-Site: cross-site``
    is refused too, for browsers that send it without ``Origin``.
    """
    if scope.get("method", "GET") in _SAFE:
        return None
    origin = _header(scope, b"origin")
    if origin is None:
        if _header(scope, b"sec-fetch-site") == "cross-site":
            return (403, "forbidden", "origin", "a write from a page of another site is refused")
        return None
    own = (_header(scope, b"host") or "").strip().lower()
    netloc = urlsplit(origin.strip()).netloc.lower() if origin.strip() != "null" else None
    if netloc and (netloc == own or (allowed is not None and not allowed.any_host
                                      and _bare(_host_of(netloc)) in allowed.names - set(_LOCAL_NAMES))):
        return None
    return (403, "forbidden", "origin",
            f"a write from a page of another site ({origin[:100]!r}) is refused: argmap takes writes "
            "from its own pages and from clients that are not browsers")


def _takes_json(handler: BaseRouteHandler) -> bool:
    """Whether ``handler`` decodes a JSON body (its ``data`` is a JSON Body), worked out once and
    kept in the handler's own ``opt`` (handlers live as long as their app)."""
    known = handler.opt.get("_argmap_takes_json")
    if known is None:
        data = handler.parsed_fn_signature.parameters.get("data")
        kwarg = data.kwarg_definition if data is not None else None
        known = data is not None and getattr(kwarg, "media_type", RequestEncodingType.JSON) == \
            RequestEncodingType.JSON and data.annotation not in (bytes, str)
        handler.opt["_argmap_takes_json"] = known
    return known


def is_json_media_type(content_type: str | None) -> bool:
    """``application/json`` or a ``+json`` type (``application/merge-patch+json``), any parameters."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def json_body_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Refuse (415) a write to a route that takes a JSON body unless the body says it is JSON.

    A page of another site can send ``text/plain`` and form bodies anywhere without asking;
    ``application/json`` it can send only after a CORS preflight, which argmap never grants.
    """
    if connection.scope.get("method", "GET") in _SAFE or not _takes_json(handler):
        return
    content_type = connection.headers.get("content-type")
    if not is_json_media_type(content_type):
        raise HTTPException(
            status_code=415,
            detail=f"this route takes JSON: send Content-Type: application/json (got {content_type or 'none'!s:.100})",
        )
