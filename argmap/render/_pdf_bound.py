"""Imported first by the forkserver that typesets PDFs (``argmap.render._pdf``): it ties the
forkserver's life to the thread that started it, so that whatever ends the server (SIGKILL
included), the forkserver ends too, even while it is still importing WeasyPrint (seconds, when
a running forkserver would notice its parent's end). Start it from a thread that lives as long
as the process (the server's event loop: :func:`argmap.render._pdf.start_forkserver`)."""

from argmap.render._pdf import die_with_parent

die_with_parent()
