"""Servers on one lake learn of each other's writes by a push (PostgreSQL LISTEN/NOTIFY) instead
of asking the catalog at every read, and stay correct when the push is lost or late.

The writing server is another process here (as another machine would be): a Store of this
process learns of this process's own commits at once, whichever Store made them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psycopg
import pytest

from argmap import query
from argmap.errors import NotFound
from argmap.model import MapInfo, Statement
from argmap.store import Store
from argmap.store._lake import _SnapshotVersions

WRITER = """
import sys
from argmap.model import Statement
from argmap.store import Store
with Store(lake=sys.argv[1], data_path=sys.argv[2]) as s:
    print("ready", flush=True)
    for line in sys.stdin:
        verb, sid, text = line.rstrip("\\n").split(" ", 2)
        (s.add_statement if verb == "add" else s.update_statement)("m", Statement(id=sid, text=text))
        print("ok", flush=True)
"""


class Writer:
    """Another server's process writing to the lake: :meth:`write` returns once it is acknowledged."""

    def __init__(self, lake: tuple[str, str]):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        self.proc = subprocess.Popen([sys.executable, "-c", WRITER, *lake], env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdout.readline().strip() == "ready"

    def write(self, sid: str, text: str) -> float:
        """Write statement ``sid`` (new, or, for s0, its text changed); the moment it was acknowledged."""
        self.proc.stdin.write(f"{'update' if sid == 's0' else 'add'} {sid} {text}\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "ok"
        return time.monotonic()

    def close(self) -> None:
        self.proc.stdin.close()
        assert self.proc.wait(60) == 0


@pytest.fixture
def shared(lake):
    """``(reader, writer)``: a Store of this process, and another process, on one lake holding map m."""
    with Store(lake=lake[0], data_path=lake[1]) as setup:
        setup.create_map(MapInfo(id="m", title="Shared"))
        setup.add_statement("m", Statement(id="s0", text="Before anything."))
    reader = Store(lake=lake[0], data_path=lake[1])
    writer = Writer(lake)
    yield reader, writer
    writer.close()
    reader.close()


def _pushed(store: Store, within: float = 10.0) -> bool:
    """Read until the store answers from the push (its listening thread connected and checked)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        query.statement(store, "m", "s0")
        if store._versions.pushed:
            return True
        time.sleep(0.02)
    return False


def _read_after(store: Store, acknowledged: float, sid: str) -> str:
    """The text the store answers for ``sid`` in the first read starting LEASE after the acknowledgement."""
    time.sleep(max(0.0, acknowledged + _SnapshotVersions.LEASE - time.monotonic()))
    return query.statement(store, "m", sid).text


def test_a_quiet_lake_answers_reads_from_the_push_without_asking_postgresql(shared, monkeypatch):
    reader, _ = shared
    assert _pushed(reader)
    asked = []
    real = _SnapshotVersions._latest
    monkeypatch.setattr(_SnapshotVersions, "_latest", lambda self: asked.append(1) or real(self))
    for _ in range(200):
        assert query.statement(reader, "m", "s0").text == "Before anything."
    assert len(asked) < 5, "reads asked PostgreSQL while the push was live"


def test_every_acknowledged_write_of_another_server_is_read_within_the_bound(shared):
    reader, writer = shared
    assert _pushed(reader)
    for i in range(5):
        # A new statement, then a changed one: neither an old answer nor a 404 may survive the bound.
        acknowledged = writer.write(f"n{i}", f"New {i}.")
        assert _read_after(reader, acknowledged, f"n{i}") == f"New {i}."
        acknowledged = writer.write("s0", f"Changed {i}.")
        assert _read_after(reader, acknowledged, "s0") == f"Changed {i}."


def test_the_push_makes_another_servers_write_visible_long_before_the_bound(shared):
    # The notification arrives in milliseconds; without it the periodic check would take up
    # to CHECK_EVERY. Reads spin from the acknowledgement until the new text shows.
    reader, writer = shared
    assert _pushed(reader)
    delays = []
    for i in range(7):
        query.statement(reader, "m", "s0")  # the old version, cached
        acknowledged = writer.write("s0", f"Pushed {i}.")
        while query.statement(reader, "m", "s0").text != f"Pushed {i}.":
            assert time.monotonic() - acknowledged < 5 * _SnapshotVersions.LEASE, "never seen"
        delays.append(time.monotonic() - acknowledged)
    assert sorted(delays)[3] < _SnapshotVersions.LEASE


def test_a_server_whose_push_connection_is_killed_still_reads_every_acknowledged_write(shared, postgres):
    reader, writer = shared
    assert _pushed(reader)
    for round_ in range(2):
        pid = reader._versions.listening_pid
        with psycopg.connect(f"host=127.0.0.1 port={postgres.port} user=postgres dbname=postgres",
                             autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
        acknowledged = writer.write(f"k{round_}", "Written while the push was down.")
        assert _read_after(reader, acknowledged, f"k{round_}") == "Written while the push was down."
        acknowledged = writer.write("s0", f"Changed while the push was down {round_}.")
        assert _read_after(reader, acknowledged, "s0") == f"Changed while the push was down {round_}."
        # It listens again (a new session) and answers from the push once more.
        assert _pushed(reader) and reader._versions.listening_pid not in (None, pid)


def test_a_server_that_cannot_listen_reads_every_acknowledged_write_at_once(shared, monkeypatch):
    reader, writer = shared
    monkeypatch.setattr(_SnapshotVersions, "_listening", lambda self: None)  # no push, ever
    reader._versions.forget()
    for i in range(3):
        writer.write(f"c{i}", f"Seen at once {i}.")
        assert query.statement(reader, "m", f"c{i}").text == f"Seen at once {i}."  # no wait at all
        writer.write("s0", f"At once {i}.")
        assert query.statement(reader, "m", "s0").text == f"At once {i}."
    assert not reader._versions.pushed


def test_a_catalog_whose_commits_are_not_announced_is_asked_at_every_read_until_a_server_starts(
        shared, lake):
    reader, writer = shared
    assert _pushed(reader)
    dsn = lake[0][len("postgres:"):]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE ducklake_snapshot DISABLE TRIGGER argmap_lake_notify")
    deadline = time.monotonic() + 10
    while reader._versions.pushed:  # the next check sees that commits are no longer announced
        assert time.monotonic() < deadline
        time.sleep(0.02)
    for i in range(3):
        writer.write(f"t{i}", f"Unannounced {i}.")
        assert query.statement(reader, "m", f"t{i}").text == f"Unannounced {i}."  # asked: at once
    Store(lake=lake[0], data_path=lake[1]).close()  # a server (re)starting puts it back
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert conn.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'argmap_lake_notify'").fetchall() == [("O",)]
    assert _pushed(reader)


def test_stores_of_one_process_read_each_others_writes_at_once(lake):
    with Store(lake=lake[0], data_path=lake[1]) as first, Store(lake=lake[0], data_path=lake[1]) as second:
        first.create_map(MapInfo(id="m", title="Shared"))
        first.add_statement("m", Statement(id="s0", text="First."))
        assert query.statement(second, "m", "s0").text == "First."
        assert _pushed(second)
        first.update_statement("m", Statement(id="s0", text="Second."))
        assert query.statement(second, "m", "s0").text == "Second."  # no wait: the same process
        first.delete_statement("m", "s0")
        with pytest.raises(NotFound):
            query.statement(second, "m", "s0")


def test_a_map_read_many_times_is_answered_whole_and_current_after_writes(lake):
    # Past Store.whole_map_after one-by-one reads a lake reads the whole version at once: the
    # answers stay those of the current version, before and after writes.
    with Store(lake=lake[0], data_path=lake[1]) as store:
        store.create_map(MapInfo(id="m", title="Many"))
        for i in range(0, 120, 40):
            store.write(lambda _c, i=i: [store.add_statement("m", Statement(id=f"s{j}", text=f"Text {j}."))
                                         for j in range(i, i + 40)], touch="m")
        expected = {f"s{j}": f"Text {j}." for j in range(120)}
        for round_ in range(3):
            for sid, text in expected.items():
                assert query.statement(store, "m", sid).text == text
            with pytest.raises(NotFound):
                query.statement(store, "m", "s999")
            store.update_statement("m", Statement(id="s7", text=f"Round {round_}."))
            expected["s7"] = f"Round {round_}."
            store.delete_statement("m", f"s{100 + round_}")
            del expected[f"s{100 + round_}"]
            with pytest.raises(NotFound):
                query.statement(store, "m", f"s{100 + round_}")
