"""Imported first by the forkserver of :mod:`argmap._child`: it ties the forkserver's life to
the thread that started it, so that whatever ends the server (SIGKILL included), the forkserver
ends too, even while it is still importing what it preloads (seconds for WeasyPrint, when a
running forkserver would notice its parent's end). Start it from a thread that lives as long as
the process (the server's event loop: :func:`argmap._child.start_forkserver`)."""

from argmap._child import die_with_parent

die_with_parent()
