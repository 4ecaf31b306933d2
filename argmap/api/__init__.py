"""The HTTP API: a Litestar app over one Store. See :func:`create_app`."""

from argmap.api.app import create_app

__all__ = ["create_app"]
