"""``argmap.render._pdf``: every PDF is typeset in a child process with a deadline and a memory
limit; past either the caller gets LimitExceeded, the child is gone, and the next render works."""

from __future__ import annotations

import io
import multiprocessing.forkserver
import signal
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from argmap.errors import ArgmapError, LimitExceeded
from argmap.render import _pdf

# WeasyPrint breaks a word it may break anywhere in time that grows with the square of its
# length: 4,000 letters take ~0.15 s, so 40,000 take ~15 s, far past the deadlines below.
SLOW = ('<html lang="en"><style>p { overflow-wrap: anywhere }</style><p>' + "x" * 40_000 + "</p></html>")


def _state(pid: int) -> str | None:
    """The process's state letter (R, S, Z…) from /proc, or None when it no longer exists."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def _forkserver_children() -> list[int]:
    """Processes (zombies included) whose parent is the forkserver that forks our renders."""
    server = multiprocessing.forkserver._forkserver._forkserver_pid
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == server:
            found.append(int(stat.parent.name))
    return found


@pytest.fixture
def children(monkeypatch) -> list[int]:
    """The pids of the render children started during the test."""
    started: list[int] = []
    real = _pdf._Child.start

    def start(self):
        real(self)
        started.append(self.pid)

    monkeypatch.setattr(_pdf._Child, "start", start)
    return started


def _assert_gone(pids: list[int]) -> None:
    assert pids, "no render child was started: the test proves nothing"
    for pid in pids:
        assert _state(pid) is None, f"render child {pid} is still there ({_state(pid)})"
    assert _forkserver_children() == []


def test_a_render_makes_a_pdf_in_a_child_that_is_gone_afterwards(children):
    pdf = _pdf.html_to_pdf("<p>Привет, мир</p>", title="Hello")
    reader = PdfReader(io.BytesIO(pdf))
    assert "Привет, мир" in reader.pages[0].extract_text() and reader.metadata.title == "Hello"
    _assert_gone(children)


def test_a_render_past_its_deadline_is_limit_exceeded_and_the_child_is_killed(children):
    t = time.monotonic()
    with pytest.raises(LimitExceeded) as e:
        _pdf.html_to_pdf(SLOW, timeout=0.5, field="timeline", advice="narrow it with a date range")
    assert time.monotonic() - t < 5, "the caller waited for the render instead of killing it"
    assert e.value.field == "timeline"
    assert "longer than 0.5 s" in e.value.reason and e.value.reason.endswith("narrow it with a date range")
    _assert_gone(children)
    # the next render is not disturbed
    assert _pdf.html_to_pdf("<p>next</p>", timeout=30).startswith(b"%PDF")


@pytest.mark.slow
def test_a_child_its_parent_cannot_kill_is_stopped_by_the_kernel_soon_after_its_deadline(children, monkeypatch):
    # The parent's kill is the first line; the child's CPU limit (deadline + 5 s) the second,
    # for when the parent is gone. Here the kill does nothing and the parent just waits.
    monkeypatch.setattr(_pdf._Child, "kill", lambda self: None)
    codes: list[int | None] = []
    real_join = _pdf._Child.join

    def join(self, timeout=None):
        real_join(self, 120)
        codes.append(self.exitcode)

    monkeypatch.setattr(_pdf._Child, "join", join)
    with pytest.raises(LimitExceeded):
        _pdf.html_to_pdf(SLOW, timeout=0.5)
    assert codes == [-signal.SIGXCPU]
    _assert_gone(children)


def test_a_caller_interrupted_while_waiting_leaves_no_child(children):
    class Interrupted(Exception):
        pass

    def interrupt(*_):
        raise Interrupted

    old = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(Interrupted):
            _pdf.html_to_pdf(SLOW, timeout=60)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    _assert_gone(children)


def test_a_render_over_its_memory_limit_is_limit_exceeded_and_the_next_one_works(children, monkeypatch):
    # 64 MiB of address space is less than WeasyPrint and its libraries already map (~300 MiB):
    # the child lives on what its heap has free, and a 48 MB document needs more than that.
    monkeypatch.setattr(_pdf, "MEMORY_LIMIT", 64 * 2**20)
    with pytest.raises(LimitExceeded) as e:
        _pdf.html_to_pdf("<p>" + "word " * 10_000_000 + "</p>", field="briefing", advice="use a focus")
    assert e.value.field == "briefing" and "64 MiB" in e.value.reason and "use a focus" in e.value.reason
    _assert_gone(children)
    monkeypatch.setattr(_pdf, "MEMORY_LIMIT", 3 * 2**30)
    assert _pdf.html_to_pdf("<p>next</p>").startswith(b"%PDF")


def test_a_failure_in_the_child_comes_back_as_our_error_not_a_traceback(children):
    rules = _pdf.FetchRules(folder=12345)  # not a path: building the fetcher fails in the child
    with pytest.raises(ArgmapError) as e:
        _pdf._run(_pdf._Job("<p>x</p>", None, None, None, rules), 30, "timeline", "narrow it")
    assert type(e.value) is ArgmapError and e.value.field == "timeline"
    assert "TypeError" in e.value.reason and "Traceback" not in e.value.reason
    _assert_gone(children)


def test_refusals_happen_in_the_child_and_it_opens_no_file_and_no_socket(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-41")
    folder = tmp_path / "assets"
    folder.mkdir()
    (folder / "style.css").write_text("p { color: #123456 }")
    fetcher = _pdf.own_only_fetcher(folder=folder)
    html = (f'<link rel="stylesheet" href="{(folder / "style.css").as_uri()}">'
            f'<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><img src="{secret.as_uri()}">'
            f'<img src="https://example.com/p.png"><p style="background: url(file:///etc/passwd)">x</p>')
    pdf = _pdf.html_to_pdf(html, fetcher=fetcher)
    assert b"TOP-SECRET-41" not in pdf
    assert sorted(fetcher.refused) == sorted(["http://127.0.0.1:9/x.css", secret.as_uri(),
                                              "https://example.com/p.png", "file:///etc/passwd"])
    assert fetcher.served == [(folder / "style.css").as_uri()]
    # The child's own record of what Python opened: the allowed file, never the refused ones.
    assert str(folder / "style.css") in fetcher.files
    assert not [f for f in fetcher.files if f in (str(secret), "/etc/passwd")]
    assert fetcher.network == [] and fetcher.passed_on == []


def test_children_fork_from_a_warm_single_threaded_server_without_the_database():
    _pdf.html_to_pdf("<p>x</p>")
    server = multiprocessing.forkserver._forkserver._forkserver_pid
    # one thread: forking it copies no lock held by another (DuckDB, imported by argmap.store,
    # starts a thread: the package imports it lazily, and the server never does)
    assert len(list(Path(f"/proc/{server}/task").iterdir())) == 1
    maps = Path(f"/proc/{server}/maps").read_text()
    assert "duckdb" not in maps
    # warm: the warm-up render left the fonts our documents use open, for every child to share
    assert "DejaVuSerif.ttf" in maps and "DejaVuSans-Bold.ttf" in maps


def test_the_fetcher_cannot_be_pickled_but_its_rules_can():
    import pickle

    fetcher = _pdf.own_only_fetcher({"argmap:page/1": (b"<svg/>", "image/svg+xml")}, data_uris=True)
    assert pickle.loads(pickle.dumps(fetcher.rules)) == fetcher.rules
    with pytest.raises((AttributeError, pickle.PicklingError, TypeError)):
        pickle.dumps(fetcher)
