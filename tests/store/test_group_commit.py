"""Group commit: writes that arrive together share a commit, and each stays its own.

A refused write in a group changes nothing and refuses no neighbour; a write returns only
after the commit that holds it; the write hooks (the change log's place) see each request's
changes inside its transaction.
"""

from __future__ import annotations

import contextlib
import threading

import pytest

from argmap.errors import DanglingReference, DuplicateId
from argmap.model import Argument, MapInfo, Source, Statement
from argmap.store import Store, WriteRecord
from argmap.store import _rows, _writer
from argmap.store._rows import _insert_now


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "argmap.duckdb") as s:
        s.create_map(MapInfo(id="m", title="Group"))
        s.add_statement("m", Statement(id="goal", text="Goal."))
        yield s


@contextlib.contextmanager
def holding(store):
    """A write that holds the writer until the block ends: writes made meanwhile queue behind it."""
    gate, entered = threading.Event(), threading.Event()

    def hold(_cur):
        entered.set()
        gate.wait(10)

    holder = threading.Thread(target=store.write, args=(hold,))
    holder.start()
    entered.wait(10)
    try:
        yield
    finally:
        gate.set()
        holder.join(10)


def held_group(store, writes):
    """Run ``writes`` (callables) from threads so that they queue behind one held commit and are
    then committed as one group; return each one's result or exception, in order."""
    results: list = [None] * len(writes)

    def run(i):
        try:
            results[i] = writes[i]()
        except Exception as e:  # noqa: BLE001 - handed to the test
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writes))]
    groups = []
    real = store._writer._run
    with holding(store):
        for i, t in enumerate(threads):
            t.start()
            while len(store._writer._queue) <= i:  # queued behind the held commit, in this order
                threading.Event().wait(0.002)
        store._writer._run = lambda group: (groups.append(len(group)), real(group))[1]
    for t in threads:
        t.join()
    store._writer._run = real
    return results, groups


def test_queued_writes_share_one_commit_and_a_refused_one_refuses_no_neighbour(store):
    writes = [
        lambda: store.add_statement("m", Statement(id="s1", text="One.")),
        lambda: store.add_argument("m", Argument(id="bad", kind="support", premises=["nowhere"], target="goal")),
        lambda: store.add_statement("m", Statement(id="s2", text="Two.")),
        lambda: store.add_statement("m", Statement(id="s1", text="One again.")),  # s1 is taken by the first
        lambda: store.add_argument("m", Argument(id="a1", kind="support", premises=["s1", "s2"], target="goal")),
    ]
    results, groups = held_group(store, writes)
    assert groups == [5], "the five queued writes were committed together"
    assert isinstance(results[1], DanglingReference)
    assert isinstance(results[3], DuplicateId)
    assert [r.id for i, r in enumerate(results) if i in (0, 2, 4)] == ["s1", "s2", "a1"]
    assert [s.id for s in store.list_statements("m")] == ["goal", "s1", "s2"]
    assert store.get_statement("m", "s1").text == "One."
    assert [a.id for a in store.list_arguments("m")] == ["a1"]
    assert store.check_integrity() == []


def test_a_write_that_fails_half_way_in_a_group_leaves_none_of_its_rows(store):
    def half(cur):
        store.add_statement("m", Statement(id="half", text="Written, then the write fails."))
        raise RuntimeError("no")

    writes = [
        lambda: store.add_statement("m", Statement(id="before", text="Before.")),
        lambda: store.write(half, touch="m"),
        lambda: store.add_statement("m", Statement(id="after", text="After.")),
    ]
    results, groups = held_group(store, writes)
    assert groups == [3]
    assert isinstance(results[1], RuntimeError)
    assert [s.id for s in store.list_statements("m")] == ["goal", "before", "after"]


def test_if_match_in_a_group_sees_the_version_an_earlier_write_gave_the_map(store):
    before = store.map_version("m")

    def conditional(cur):
        if store.map_version("m") != before:
            raise DuplicateId("if-match", "the map changed")
        store.add_statement("m", Statement(id="late", text="Late."))

    writes = [lambda: store.add_statement("m", Statement(id="first", text="First.")),
              lambda: store.write(conditional, touch="m")]
    results, groups = held_group(store, writes)
    assert groups == [2]
    assert isinstance(results[1], DuplicateId), "the second saw the first's change"
    assert store.map_version("m") != before


def test_the_write_hooks_see_each_requests_changes_inside_its_transaction(store):
    seen: list[WriteRecord] = []

    def hook(cur, record):
        seen.append(record)
        # Inside the transaction: what the request wrote is visible, and a write here commits with it.
        cur.execute("UPDATE maps SET description = $d WHERE id = 'm'", {"d": f"{len(seen)} writes"})

    store.write_hooks.append(hook)
    store.add_statement("m", Statement(id="s1", text="One."))
    store.update_statement("m", Statement(id="s1", text="One, changed."))
    store.delete_statement("m", "s1")
    with pytest.raises(DanglingReference):
        store.add_argument("m", Argument(id="bad", kind="support", premises=["nowhere"], target="goal"))
    assert [(r.map_id, [(c.kind, c.id, c.before and c.before.text, c.after and c.after.text) for c in r.changes])
            for r in seen] == [
        ("m", [("statement", "s1", None, "One.")]),
        ("m", [("statement", "s1", "One.", "One, changed.")]),
        ("m", [("statement", "s1", "One, changed.", None)]),
    ]
    assert all(r.version is not None for r in seen)
    assert seen[-1].version == store.map_version("m")
    assert store.get_map_info("m").description == "3 writes"


def test_a_group_is_at_most_max_group_requests(store, monkeypatch):
    monkeypatch.setattr(_writer, "MAX_GROUP", 2)
    writes = [lambda i=i: store.add_statement("m", Statement(id=f"s{i}", text=f"{i}.")) for i in range(5)]
    results, groups = held_group(store, writes)
    assert sorted(groups, reverse=True) == [2, 2, 1]
    assert not any(isinstance(r, Exception) for r in results)
    assert len(store.list_statements("m")) == 6


def test_the_change_log_keeps_one_version_per_request_of_a_group_and_none_for_a_refused_one(store):
    from argmap.store import _history

    before = [v.version for v in _history.versions(store, "m")]

    def as_(author, write):
        def run():
            with _history.context(author=author):
                return write()
        return run

    writes = [
        as_("ann", lambda: store.add_statement("m", Statement(id="s1", text="One."))),
        as_("bob", lambda: store.add_argument("m", Argument(id="bad", kind="support", premises=["x"], target="goal"))),
        as_("cy", lambda: store.add_statement("m", Statement(id="s2", text="Two."))),
    ]
    results, groups = held_group(store, writes)
    assert groups == [3] and isinstance(results[1], DanglingReference)
    log = _history.versions(store, "m")
    new = [v for v in log if v.version not in before]
    assert sorted((v.author, v.summary) for v in new) == [("ann", "added statement s1"), ("cy", "added statement s2")]
    assert len({v.version for v in log}) == len(log)


def test_a_later_write_of_a_group_reads_what_an_earlier_one_staged_and_the_log_says_so(store):
    from argmap.store import _history

    writes = [
        lambda: store.add_statement("m", Statement(id="s1", text="One.")),
        lambda: store.add_argument("m", Argument(id="a1", kind="support", premises=["s1"], target="goal")),
        lambda: store.update_statement("m", Statement(id="s1", text="One, changed.")),
        lambda: store.add_statement("m", Statement(id="a1", text="Taken by the argument.")),
        lambda: store.delete_argument("m", "a1"),
        lambda: store.add_argument("m", Argument(id="a2", kind="attack", premises=["s1"], target="goal")),
    ]
    results, groups = held_group(store, writes)
    assert groups == [6]
    assert isinstance(results[3], DuplicateId), "the argument staged by the second write holds the id"
    assert store.get_statement("m", "s1").text == "One, changed."
    assert [a.id for a in store.list_arguments("m")] == ["a2"]
    log = _history.versions(store, "m")[:5]  # newest first: the five accepted writes
    assert [v.summary for v in reversed(log)] == [
        "added statement s1", "added argument a1", "changed statement s1 (text)", "deleted argument a1",
        "added argument a2"]
    # Each version of the group reads back as the store was just after that write.
    first = log[-1].version
    assert [s.text for s in _history.map_at(store, "m", first).statements] == ["Goal.", "One."]
    assert [a.id for a in _history.map_at(store, "m", first + 1).arguments] == ["a1"]
    assert [a.premises for a in _history.map_at(store, "m", first + 4).arguments] == [["s1"]]
    assert store.check_integrity() == []


def test_staged_rows_the_database_refuses_refuse_only_the_write_that_staged_them(store):
    from argmap.store._rows import _insert_many, _statement_row

    def sneaky(cur):
        # Past the store's checks: a second row for 'goal', which only the primary key refuses.
        _insert_many(cur, "statements", [_statement_row("m", 99, Statement(id="goal", text="Again."))])

    writes = [
        lambda: store.add_statement("m", Statement(id="s1", text="One.")),
        lambda: store.write(sneaky, touch="m"),
        lambda: store.add_statement("m", Statement(id="s2", text="Two.")),
    ]
    results, groups = held_group(store, writes)
    assert isinstance(results[1], DuplicateId)
    assert [s.id for s in store.list_statements("m")] == ["goal", "s1", "s2"]
    assert store.get_statement("m", "goal").text == "Goal."


def test_what_one_transaction_learnt_holds_for_the_next_and_is_forgotten_with_its_map(store):
    store.add_statement("m", Statement(id="s1", text="One."))
    store.add_statement("m", Statement(id="s2", text="Two."))
    store.delete_statement("m", "s2")
    store.add_statement("m", Statement(id="s3", text="Three."))
    assert [s.id for s in store.list_statements("m")] == ["goal", "s1", "s3"]
    store.delete_map("m")
    store.create_map(MapInfo(id="m", title="Again"))
    store.add_statement("m", Statement(id="s1", text="One, in the new map."))
    assert [s.id for s in store.list_statements("m")] == ["s1"]
    from argmap.store import _history

    versions = [v.version for v in _history.versions(store, "m")]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert versions[0] - versions[-1] == len(versions) - 1, "no version skipped or repeated"


def test_text_that_looks_like_sql_is_stored_as_written_when_a_group_writes_it_as_literals(store, monkeypatch):
    # A group's staged rows go to DuckDB as SQL literals, in one call with the COMMIT (a script
    # that failed would run the group again, inserting each request's rows with parameters).
    bound = []
    for module in (_writer, _rows):
        monkeypatch.setattr(module, "_insert_now", lambda *a: (bound.append(a[1]), _insert_now(*a)))
    texts = ["It's 'quoted' '' and \\ back\\slashed \\' too.", "x'); DROP TABLE statements; --",
             "Two\nlines\r\n\ttabbed; COMMIT; ROLLBACK;", "$1 ? $m :name %s {} [] ::VARCHAR",
             "Ünïcödé — “curly” ‘quotes’ 😀 中文 \u200b"]
    store.add_source("m", Source(id="src", title="A 'source'", published="2025-11"))
    writes = [lambda i=i, t=t: store.add_statement("m", Statement(
        id=f"s{i}", text=t, said="2025-11-0" + str(i + 1), source="src", tags=["it's", "a;b", "--c"],
        note=t, extras={"k'": t})) for i, t in enumerate(texts)]
    writes.append(lambda: store.add_argument("m", Argument(id="ax", kind="support",
                                                          premises=["s0"], target="goal", note=texts[1])))
    results, groups = held_group(store, writes)
    assert groups == [len(writes)]
    assert not [r for r in results if isinstance(r, Exception)]
    assert bound == []
    got = {s.id: s for s in store.list_statements("m")}
    for i, t in enumerate(texts):
        s = got[f"s{i}"]
        assert (s.text, s.note, s.extras, s.tags, s.said) == (t, t, {"k'": t}, ["it's", "a;b", "--c"],
                                                              "2025-11-0" + str(i + 1))
    assert store.get_argument("m", "ax").note == texts[1]
    assert store.list_statements("m", date_from="2025-11-03", date_to="2025-11-03")[0].id == "s2"
    assert store.check_integrity() == []


class _Turn:
    """A stand-in for the group's condition that records each wait and lets ``arrive`` say how
    many writes come in during it."""

    def __init__(self, queue: list, arrive):
        self.queue, self.arrive, self.waits = queue, arrive, []

    def wait(self, timeout):
        self.waits.append(timeout)
        came = self.arrive(len(self.waits))
        self.queue.extend([object()] * came)
        return bool(came)


@pytest.mark.parametrize("queued, back", [(0, 0), (0, 3), (4, 4)])
def test_a_slow_group_waits_for_the_last_rounds_writers_then_no_longer_than_a_short_step(queued, back):
    # Where a commit takes tens of milliseconds (a lake) a group waits for the writers of the
    # last round: the last group's (answered at its commit, they write again) and those that
    # queued while it ran (``queued``). Once that many are queued, a wait with no new arrival
    # ends the gathering after a short step, not a quarter of a commit.
    group = _writer.GroupCommit(threading.RLock(), retries=1)
    group._last_group, group._last_took, group._writers = 4, 0.040, 4 + queued
    group._queue = [object()] * (4 + queued - back)
    group._turn = _Turn(group._queue, lambda n: 1 if n <= back else 0)
    group._gather()
    waits = group._turn.waits
    assert len(group._queue) == 4 + queued
    assert len(waits) == back + 1 and waits[-1] <= _writer.GATHER_STEP
    assert all(w == pytest.approx(0.010) for w in waits[:-1])  # a quarter of the last group's 40 ms


def test_writers_that_queue_while_a_group_runs_count_for_the_next_gathering(store, monkeypatch):
    seen = []
    gather = _writer.GroupCommit._gather
    monkeypatch.setattr(_writer.GroupCommit, "_gather", lambda self: (seen.append(self._writers), gather(self)))
    held_group(store, [lambda i=i: store.add_statement("m", Statement(id=f"q{i}", text="Queued.")) for i in range(3)])
    # The held group (one write) ended with three queued behind it: the next gathering expects four.
    assert seen[-1] == 4
    assert sorted(s.id for s in store.list_statements("m")) == ["goal", "q0", "q1", "q2"]


def test_a_fast_groups_gathering_is_unchanged_by_the_last_groups_size():
    group = _writer.GroupCommit(threading.RLock(), retries=1)
    group._last_group, group._last_took, group._writers = 4, 0.002, 8
    group._queue = [object()] * 4
    group._turn = _Turn(group._queue, lambda n: 1 if n <= 2 else 0)
    group._gather()
    assert group._turn.waits and all(w <= _writer.GATHER_STEP for w in group._turn.waits)
    assert len(group._turn.waits) == 3


@pytest.mark.parametrize("queued", [0, 3])
def test_a_fast_group_starts_as_soon_as_the_last_rounds_writers_are_back(queued):
    # Where a commit takes milliseconds (a file), waiting one more step for writers that are not
    # coming cost every group a millisecond; with fewer back, it waits in short steps.
    group = _writer.GroupCommit(threading.RLock(), retries=1)
    group._last_group, group._last_took, group._writers = 4, 0.004, 4 + queued
    group._queue = [object()] * (4 + queued)
    group._turn = _Turn(group._queue, lambda n: 0)
    group._gather()
    assert group._turn.waits == []
    group._queue = [object()] * 2
    group._turn = _Turn(group._queue, lambda n: 1 if n <= 2 + queued else 0)
    group._gather()
    assert len(group._queue) == 4 + queued and group._turn.waits == [_writer.GATHER_STEP] * (2 + queued)


def test_rows_past_the_literal_size_go_in_bound_and_are_stored_as_written(store, monkeypatch):
    monkeypatch.setattr(_rows, "LITERAL_BYTES", 200)  # a statement of literals at most 200 bytes
    bound = []
    for module in (_writer, _rows):
        monkeypatch.setattr(module, "_insert_now", lambda *a: (bound.append(a[1]), _insert_now(*a)))
    long = "A long text, with a 'quote'. " * 20
    writes = [lambda i=i: store.add_statement("m", Statement(id=f"s{i}", text=long + str(i))) for i in range(3)]
    writes.append(lambda: store.add_argument("m", Argument(id="a1", kind="support", premises=["s0"], target="goal")))
    results, groups = held_group(store, writes)
    assert groups == [len(writes)] and not [r for r in results if isinstance(r, Exception)]
    assert "statements" in bound
    assert [s.text for s in store.list_statements("m")][1:] == [long + str(i) for i in range(3)]
    assert store.get_argument("m", "a1").premises == ["s0"]


def test_awaited_writes_share_a_commit_with_blocked_ones_and_each_gets_its_own_answer(store, monkeypatch):
    # The HTTP create handlers await their write on the event loop (no thread waits for it): a
    # thread of the group commit leads while such writes are queued, and stops when idle.
    import asyncio

    monkeypatch.setattr(_writer, "LEADER_IDLE", 0.05)
    groups = []
    real = store._writer._run
    monkeypatch.setattr(store._writer, "_run", lambda group: (groups.append(len(group)), real(group))[1])

    async def main():
        with holding(store):
            awaited = asyncio.gather(
                store.add_async("statement", "m", Statement(id="s1", text="One.")),
                store.add_async("statement", "m", Statement(id="goal", text="Taken already.")),
                store.add_async("argument", "m", Argument(id="a1", kind="support", premises=["s1"], target="goal")),
                return_exceptions=True)
            blocked = asyncio.ensure_future(asyncio.to_thread(store.add_statement, "m", Statement(id="s2", text="Two.")))
            while len(store._writer._queue) < 4:  # all four queued behind the held commit
                await asyncio.sleep(0.002)
        return await asyncio.wait_for(asyncio.gather(awaited, blocked), 30)

    (one, taken, argument), two = asyncio.run(main())
    assert groups[1:] == [4]  # the held write's own group, then one commit for the four
    assert one.id == "s1" and two.id == "s2" and argument.premises == ["s1"]
    assert isinstance(taken, DuplicateId)
    assert [s.id for s in store.list_statements("m")] == ["goal", "s1", "s2"]
    assert store.get_statement("m", "goal").text == "Goal."
    deadline = threading.Event()
    for _ in range(100):
        if store._writer._leader is None:
            break
        deadline.wait(0.01)
    assert store._writer._leader is None  # the leading thread ended once idle


def test_a_group_whose_turn_cannot_be_taken_refuses_its_writes_and_none_waits_for_ever(store, monkeypatch):
    # A lake takes a turn (a PostgreSQL advisory lock) around each group; when that fails, every
    # write of the group gets the error, awaited ones included, and the next writes go on.
    import asyncio

    class Down(Exception):
        pass

    def down():
        raise Down("the catalog is unreachable")

    monkeypatch.setattr(store, "_write_turn", down)
    with pytest.raises(Down):
        store.add_statement("m", Statement(id="s1", text="One."))

    async def awaited():
        return await asyncio.wait_for(store.add_async("statement", "m", Statement(id="s2", text="Two.")), 30)

    with pytest.raises(Down):
        asyncio.run(awaited())
    monkeypatch.undo()
    store.add_statement("m", Statement(id="s3", text="Three."))
    assert asyncio.run(awaited()).id == "s2"
    assert [s.id for s in store.list_statements("m")] == ["goal", "s3", "s2"]


def test_a_write_that_fails_midway_leaves_the_writers_queries_optimized(store):
    # A group's literal statements run with DuckDB's optimizer off (it cannot improve them and
    # takes half their time); a script that fails midway must not leave it off for the writer's
    # next queries, which would then scan whole tables past their filters.
    def plan(cur):
        return cur.raw.execute("EXPLAIN SELECT id FROM statements WHERE map_id = 'm' AND id = 'goal'").fetchall()[0][1]

    before = store.write(plan)
    assert "Filters:" in before and "FILTER" not in before
    with pytest.raises(Exception, match="nowhere"):
        store.write(lambda cur: (cur.defer("UPDATE statements SET text = 'Changed.' WHERE map_id = 'm' AND id = 'goal'"),
                                 cur.defer("INSERT INTO nowhere VALUES (1)")))
    plan_text = store.write(plan)
    assert "Filters:" in plan_text and "FILTER" not in plan_text
    assert [s.text for s in store.list_statements("m")] == ["Goal."]  # the failed write left nothing
