"""Imported only by the forkserver of :mod:`argmap._child`: builds the Argdown grammar's parser
once there, so that no import's child pays for building it."""

from argmap.formats.argdown import _lark

_lark()
