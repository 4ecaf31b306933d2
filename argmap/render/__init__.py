"""Renderers: pure functions from :mod:`argmap.model` Structs to documents (no SQL here)."""
