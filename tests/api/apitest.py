"""Constants and assertions shared by the API tests (imported by name: tests/ is no package)."""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "seeds" / "peace-plan.yaml"
MAP = "peace-plan"
TOKEN, READ_TOKEN = "write-secret", "read-secret"
WRITE = {"Authorization": f"Bearer {TOKEN}"}


def snapshot(client) -> bytes:
    """The whole seed map as the API exports it: what a refused write must leave alone."""
    r = client.get(f"/maps/{MAP}.json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    return r.content


def assert_error(response, status: int, error: str, field: str | None = None) -> dict:
    """The response is our JSON error with this status and code (and a problem at ``field``)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    if field is not None:
        assert field in [p["field"] for p in body["problems"]], body
    return body


def assert_refused(client, method: str, url: str, status: int, error: str, field: str | None = None, **kwargs) -> dict:
    """The write is refused with this error, and the map is exactly as it was before."""
    before = snapshot(client)
    body = assert_error(client.request(method, url, **kwargs), status, error, field)
    assert snapshot(client) == before, f"{method} {url} was refused but changed the map"
    return body
