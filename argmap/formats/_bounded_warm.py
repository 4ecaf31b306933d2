"""Imported only by the forkserver of :mod:`argmap._child`: builds the Argdown grammar's parser
once there, so that every import's child starts with it (building it costs about 0.3 s)."""

from argmap.formats.argdown import _lark

_lark()
