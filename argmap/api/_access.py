"""Whether a token opens reads or writes on an app (for the guard, sign-in and the pages)."""

from __future__ import annotations

import hmac

from litestar import Litestar

__all__ = ["opens_reads", "opens_writes"]


def opens_reads(app: Litestar, given: str) -> bool:
    """Whether ``given`` is a token that opens reads on ``app`` (the read or the write token)."""
    return any(hmac.compare_digest(given.encode(), t.encode()) for t in app.state.read_tokens)


def opens_writes(app: Litestar, given: str) -> bool:
    """Whether ``given`` is a token that opens writes on ``app``."""
    return any(hmac.compare_digest(given.encode(), t.encode()) for t in app.state.write_tokens)
