"""Named write tokens: ``ARGMAP_TOKENS`` names a file of ``name: token`` lines, so the change log
says who wrote (today's single ``ARGMAP_TOKEN`` stays valid, logged as ``token``).

>>> parse_tokens("# editors\\nann: s3cret-ann-token\\nbob: s3cret-bob-token\\n", "tokens.txt")
{'s3cret-ann-token': 'ann', 's3cret-bob-token': 'bob'}
"""

from __future__ import annotations

import re
from pathlib import Path

from argmap.errors import InvalidInput

__all__ = ["MIN_TOKEN", "load_tokens", "parse_tokens"]

MIN_TOKEN = 16
"""Shortest token accepted (characters): a short one is guessed."""

_NAME = re.compile(r"[\w.@+-]{1,64}")


def load_tokens(path: str | Path) -> dict[str, str]:
    """``{token: name}`` from the file at ``path`` (InvalidInput naming ARGMAP_TOKENS if it is unusable)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInput("ARGMAP_TOKENS", f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    return parse_tokens(text, str(path))


def parse_tokens(text: str, where: str) -> dict[str, str]:
    """``{token: name}`` from ``name: token`` lines; blank lines and ``#`` comments are skipped."""
    out: dict[str, str] = {}
    names: set[str] = set()
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, token = (part.strip() for part in line.partition(":"))
        if not sep or not name or not token:
            raise InvalidInput("ARGMAP_TOKENS", f"{where} line {n}: expected 'name: token'")
        if not _NAME.fullmatch(name):
            raise InvalidInput("ARGMAP_TOKENS", f"{where} line {n}: a name is 1-64 letters, digits or . _ @ + -")
        if len(token) < MIN_TOKEN or any(c.isspace() for c in token):
            raise InvalidInput("ARGMAP_TOKENS", f"{where} line {n}: a token is at least {MIN_TOKEN} characters "
                                                "without spaces")
        if name in names or token in out:
            raise InvalidInput("ARGMAP_TOKENS", f"{where} line {n}: {'name' if name in names else 'token'} repeated")
        names.add(name)
        out[token] = name
    return out
