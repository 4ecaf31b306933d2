"""Abstract argumentation frameworks (Dung 1995) over integer arrays.

An :class:`AF` numbers its ``n`` arguments ``0 .. n-1`` and keeps its attacks in CSR form both
ways (whom each attacks, who attacks it); names are looked up only at the edges. Labellings
are ``int8`` arrays of :data:`UNDEC`, :data:`IN` and :data:`OUT` (:data:`LABELS` names them).

>>> af = AF.from_names(["a", "b", "c"], [("a", "b"), ("b", "c")])
>>> af.n, af.m, af.attackers(af.index("c")).tolist(), af.name_list([0, 2])
(3, 2, [1], ['a', 'c'])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np

from argmap.errors import InvalidInput

__all__ = ["AF", "IN", "LABELS", "Label", "OUT", "UNDEC", "label_names"]

UNDEC, IN, OUT = 0, 1, 2
Label = Literal["in", "out", "undec"]
LABELS: tuple[Label, Label, Label] = ("undec", "in", "out")


class AF:
    """An argumentation framework: ``n`` arguments and a set of attacks ``(i, j)``, i attacks j.

    Build it with :meth:`from_edges` (integer arrays) or :meth:`from_names` (named arguments).
    Attacks are a set: duplicates are merged; self-attacks are kept (they matter).
    Instances are immutable by convention; the arrays are shared, never copied.
    """

    __slots__ = ("n", "names", "out_ptr", "out_idx", "in_ptr", "in_idx", "_index")

    def __init__(self, n: int, out_ptr, out_idx, in_ptr, in_idx, names: Sequence[str] | None):
        self.n = n
        self.out_ptr, self.out_idx = out_ptr, out_idx
        self.in_ptr, self.in_idx = in_ptr, in_idx
        self.names = names
        self._index: dict[str, int] | None = None

    # Construction -----------------------------------------------------------------------

    @classmethod
    def from_edges(cls, n: int, src, dst, names: Sequence[str] | None = None) -> AF:
        """Build from two equal-length integer arrays: ``src[k]`` attacks ``dst[k]``.

        ``names`` (optional) names argument ``i`` as ``names[i]``; without it, argument ``i``
        is called ``str(i + 1)``, as in the ICCMA 2023 format.
        """
        if n < 0:
            raise InvalidInput("n", "the number of arguments cannot be negative")
        if n >= 2**31 - 1:
            raise InvalidInput("n", f"{n} arguments is over the limit of 2**31 - 2")
        src = np.asarray(src, dtype=np.int64).ravel()
        dst = np.asarray(dst, dtype=np.int64).ravel()
        if src.shape != dst.shape:
            raise InvalidInput("attacks", "src and dst must have the same length")
        if src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
            raise InvalidInput("attacks", f"an attack names an argument outside 0..{n - 1}")
        if names is not None and len(names) != n:
            raise InvalidInput("names", f"{len(names)} names for {n} arguments")
        # Sorting the keys src*n+dst gives the set semantics and the out-CSR in one step;
        # the in-CSR is the same sort on dst*n+src. (np.sort, not np.unique: numpy 2.4's
        # unique is ~100x slower on 3M int64 keys, and argsort is ~15x slower than sort.)
        s, d = _unique_pairs(src, dst, n)
        t, r = _unique_pairs(dst, src, n)
        return cls(n, _pointers(s, n), d, _pointers(t, n), r, names)

    @classmethod
    def from_names(cls, names: Iterable[str], attacks: Iterable[tuple[str, str]]) -> AF:
        """Build from argument names and named attack pairs; an unknown name is refused.

        Errors name JSON paths into ``{"arguments": [...], "attacks": [[a, b], ...]}``.
        """
        names = list(names)
        index: dict[str, int] = {}
        for i, name in enumerate(names):
            if index.setdefault(name, i) != i:
                raise InvalidInput(f"$.arguments[{i}]", f"argument {name!r} is named twice")
        src, dst = [], []
        for k, (a, b) in enumerate(attacks):
            for j, name in enumerate((a, b)):
                if name not in index:
                    raise InvalidInput(f"$.attacks[{k}][{j}]", f"unknown argument {name!r}")
            src.append(index[a])
            dst.append(index[b])
        af = cls.from_edges(len(names), src, dst, names)
        af._index = index
        return af

    # Queries ---------------------------------------------------------------------------

    @property
    def m(self) -> int:
        """The number of (distinct) attacks."""
        return int(self.out_idx.size)

    def attacks(self, i: int) -> np.ndarray:
        """The arguments that ``i`` attacks."""
        return self.out_idx[self.out_ptr[i] : self.out_ptr[i + 1]]

    def attackers(self, i: int) -> np.ndarray:
        """The arguments that attack ``i``."""
        return self.in_idx[self.in_ptr[i] : self.in_ptr[i + 1]]

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """All attacks as ``(src, dst)`` arrays, sorted by source then target."""
        src = np.repeat(np.arange(self.n, dtype=np.int32), np.diff(self.out_ptr))
        return src, self.out_idx

    def name(self, i: int) -> str:
        return self.names[i] if self.names is not None else str(i + 1)

    def name_list(self, indices: Iterable[int]) -> list[str]:
        return [self.name(int(i)) for i in indices]

    def index(self, name: str) -> int:
        """The number of the argument called ``name``; :class:`InvalidInput` if none is."""
        if self.names is None:  # unnamed: "1" .. "n"
            if name.isascii() and name.isdigit() and 1 <= int(name) <= self.n:
                return int(name) - 1
        else:
            if self._index is None:
                self._index = {x: i for i, x in enumerate(self.names)}
            if name in self._index:
                return self._index[name]
        raise InvalidInput("arg", f"no argument is called {name!r}")

    def restrict(self, keep: np.ndarray) -> tuple[AF, np.ndarray]:
        """The sub-framework on the arguments where ``keep`` is true, and their old numbers.

        Attacks from or to dropped arguments are dropped. Returns ``(sub, old)`` where
        ``old[i]`` is the number in ``self`` of argument ``i`` of ``sub``.
        """
        old = np.flatnonzero(keep).astype(np.int32)
        new = np.full(self.n, -1, dtype=np.int64)
        new[old] = np.arange(old.size)
        src, dst = self.edges()
        mask = (new[src] >= 0) & (new[dst] >= 0)
        names = None if self.names is None else [self.names[i] for i in old]
        return AF.from_edges(old.size, new[src[mask]], new[dst[mask]], names), old

    def __repr__(self) -> str:
        return f"AF(n={self.n}, m={self.m})"


def label_names(labels: np.ndarray) -> list[Label]:
    """``int8`` label codes as their names: ``[IN, OUT, UNDEC]`` → ``['in', 'out', 'undec']``."""
    return [LABELS[c] for c in labels.tolist()]


def _unique_pairs(a: np.ndarray, b: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pairs (a[k], b[k]), sorted by a then b, as two int32 arrays."""
    keys = np.sort(a * n + b)
    if keys.size:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    first, second = np.divmod(keys, max(n, 1))
    return first.astype(np.int32), second.astype(np.int32)


def _pointers(sorted_keys: np.ndarray, n: int) -> np.ndarray:
    """CSR row pointers (length n + 1) for keys already sorted ascending."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(sorted_keys, minlength=n), out=ptr[1:])
    return ptr
