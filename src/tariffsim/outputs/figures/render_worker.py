"""A helper process that draws pickled figures (run as ``python -m tariffsim.outputs.figures.render_worker``).

It reads tasks from standard input and answers each on standard output, both as length-prefixed
pickles (:func:`send`, :func:`receive`): a task is ``(figure pickle, formats, stem, dpi,
rcParams)``, an answer ``{"warnings": [(category, message), ...], "error": None | (kind,
message, path)}``. The figure is drawn by :func:`~tariffsim.outputs.figures.style.save_figure`'s own
code under the caller's rcParams; it ends when standard input closes. Interrupts (Ctrl-C goes to
the whole process group) are left to the calling process, which stops its helpers.
Only :class:`~tariffsim.outputs.figures.writer.FigureWriter` talks to it: the pickles come from the
process that started it.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import warnings
from pathlib import Path
from typing import IO, Any

import matplotlib as mpl

from .style import figure_path, save_format

__all__ = ["receive", "send"]

_HEADER = struct.Struct("<Q")


def send(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError("stream closed")
    (n,) = _HEADER.unpack(head)
    data = stream.read(n)
    if len(data) < n:
        raise EOFError("stream closed")
    return pickle.loads(data)  # noqa: S301 - written by the process that started this one


def _draw(task: tuple) -> dict:
    payload, formats, stem, dpi, rc = task
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = Path(stem)
        try:
            fig = pickle.loads(payload)  # noqa: S301 - see receive
            with mpl.rc_context(rc):
                for fmt in formats:  # in order, from one figure, as save_figure draws them
                    path = figure_path(Path(stem), fmt)
                    save_format(fig, path, fmt, dpi=dpi)
        except Exception as exc:  # reported to the caller, which raises it  # noqa: BLE001
            error = (type(exc).__name__, str(exc), str(path))
    return {"warnings": [(w.category.__name__, str(w.message)) for w in caught], "error": error}


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            task = receive(stdin)
        except EOFError:  # the caller is done: leave without the interpreter's slow clean-up (every file is closed)
            stdout.flush()
            os._exit(0)
        send(stdout, _draw(task))


if __name__ == "__main__":
    sys.exit(main())
