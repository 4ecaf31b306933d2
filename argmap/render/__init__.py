"""Renderers: pure functions from :mod:`argmap.model` Structs to pictures and print documents (no SQL here)."""
