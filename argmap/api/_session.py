"""Browser sessions: a signed cookie that stands for a token, and the CSRF token that goes with it.

``/ui/sign-in`` trades a token for a cookie (:func:`make_session`, :func:`read_session`) that
never holds the token; a write through a cookie also needs :func:`csrf_token` in
``X-CSRF-Token`` (or a form's ``csrf`` field), and :class:`SignInLimiter` counts failed
sign-ins. How the cookie is made, and why it cannot be forged or outlive its token:
docs/ARCHITECTURE.md, "The HTTP layer".
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections import deque

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "SESSION_COOKIE", "SESSION_SECONDS", "Session", "SignInLimiter",
           "client_address", "csrf_token", "is_https", "make_session", "read_session", "session_seconds",
           "trusted_proxies"]

SESSION_COOKIE = "argmap_session"
"""The cookie a browser signed in at ``/ui/sign-in`` sends instead of a token."""
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
SESSION_SECONDS = 12 * 3600
"""How long a session lasts unless ``$ARGMAP_SESSION_HOURS`` says otherwise."""


class Session:
    """A valid session cookie: whether it may write, when it ends, its CSRF token, and the token
    it was made with (kept in memory only: the change log names a write's author from it)."""

    __slots__ = ("writes", "expires", "csrf", "token")

    def __init__(self, writes: bool, expires: int, csrf: str, token: str | None = None):
        self.writes, self.expires, self.csrf, self.token = writes, expires, csrf, token


def session_seconds() -> int:
    raw = os.environ.get("ARGMAP_SESSION_HOURS")
    try:
        return max(60, int(float(raw) * 3600)) if raw else SESSION_SECONDS
    except ValueError:
        return SESSION_SECONDS


def _mac(token: str, message: str) -> str:
    return hmac.new(token.encode(), message.encode(), "sha256").hexdigest()


def make_session(token: str, writes: bool, seconds: int | None = None, now: float | None = None) -> str:
    """A cookie value for ``token`` (``writes``: it is a write token and the session may write)."""
    access = "w" if writes else "r"
    expires = int((now or time.time()) + (seconds or session_seconds()))
    nonce = secrets.token_hex(12)
    body = f"{access}.{expires}.{nonce}"
    return f"{body}.{_mac(token, 'argmap session|' + body)}"


def read_session(value: str | None, read_tokens: list[str], write_tokens: list[str],
                 now: float | None = None) -> Session | None:
    """The session ``value`` stands for, or None (forged, expired, or made with an old token)."""
    if not value or len(value) > 200:
        return None
    parts = value.split(".")
    if len(parts) != 4 or parts[0] not in ("r", "w") or not parts[1].isdigit():
        return None
    access, expires, _nonce, mac = parts
    if int(expires) < (now or time.time()):
        return None
    body = value.rpartition(".")[0]
    for token in (write_tokens if access == "w" else read_tokens):
        if hmac.compare_digest(mac.encode(), _mac(token, "argmap session|" + body).encode()):
            return Session(access == "w", int(expires), csrf_token(token, value), token)
    return None


def csrf_token(token: str, cookie: str) -> str:
    """The CSRF token of one session cookie (keyed by the token that made it)."""
    return _mac(token, "argmap csrf|" + cookie)


def trusted_proxies() -> list:
    """``$ARGMAP_TRUSTED_PROXIES``: addresses or networks (comma-separated) whose
    ``X-Forwarded-Proto`` and ``X-Forwarded-For`` are believed; nobody's by default."""
    out = []
    for item in (os.environ.get("ARGMAP_TRUSTED_PROXIES") or "").split(","):
        if item.strip():
            try:
                out.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                continue
    return out


def _from_proxy(peer: str | None, proxies: list) -> bool:
    if not peer or not proxies:
        return False
    try:
        ip = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def is_https(scope_scheme: str, peer: str | None, forwarded_proto: str | None, proxies: list) -> bool:
    """Whether the browser reached us over TLS: our own scheme, or a trusted proxy's word."""
    if scope_scheme == "https":
        return True
    if forwarded_proto and _from_proxy(peer, proxies):
        return forwarded_proto.split(",")[0].strip().lower() == "https"
    return False


def client_address(peer: str | None, forwarded_for: str | None, proxies: list) -> str:
    """The client's address: the peer, or (behind a trusted proxy) the last address it added."""
    if forwarded_for and _from_proxy(peer, proxies):
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        # The right-most hop not itself a trusted proxy is the one our proxies saw.
        for hop in reversed(hops):
            if not _from_proxy(hop, proxies):
                return hop
    return peer or "?"


class SignInLimiter:
    """Failed sign-ins allowed per client (``per_client``) and in all (``overall``) within ``window`` s."""

    def __init__(self, per_client: int = 5, overall: int = 50, window: float = 60.0):
        self.per_client, self.overall, self.window = per_client, overall, window
        self._by_client: dict[str, deque] = {}
        self._all: deque = deque()
        self._lock = threading.Lock()

    def _trim(self, q: deque, now: float) -> None:
        while q and q[0] <= now - self.window:
            q.popleft()

    def retry_after(self, client: str, now: float | None = None) -> int:
        """Seconds until ``client`` may try again (0: now)."""
        now = now or time.monotonic()
        with self._lock:
            waits = []
            q = self._by_client.get(client)
            if q is not None:
                self._trim(q, now)
                if len(q) >= self.per_client:
                    waits.append(q[0] + self.window - now)
                if not q:
                    del self._by_client[client]
            self._trim(self._all, now)
            if len(self._all) >= self.overall:
                waits.append(self._all[0] + self.window - now)
            return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, client: str, now: float | None = None) -> None:
        now = now or time.monotonic()
        with self._lock:
            if len(self._by_client) > 10_000:  # bounded memory under a spray of addresses
                self._by_client.clear()
            self._by_client.setdefault(client, deque()).append(now)
            self._all.append(now)
