"""Writing a folder's figures in every format, drawn in helper processes when the machine has cores to spare.

A report writes nine figures in three formats, and drawing them (text layout, rasterising, font
subsetting for the PDFs) takes most of its time, one core at a time: matplotlib draws in the
calling thread. :class:`FigureWriter` pickles each finished figure once and hands it to helper
processes (``python -m tariffsim.outputs.figures.render_worker``), started when
the writer opens so that their imports overlap the computation before the first figure. Every
file is drawn by the same code as :func:`~tariffsim.outputs.figures.style.save_figure` with the
caller's matplotlib settings, so the bytes are those of an in-process save (tested). Warnings
raised while drawing are raised again in the caller.

The number of helpers is ``processes`` (default: two on a machine with at least two cores, else
none); the environment variable ``TARIFFSIM_FIGURE_PROCESSES`` overrides the default (``0`` draws
every figure in the calling process). A figure that does not pickle, and every figure when a
helper cannot be started, is drawn in the calling process.
"""

from __future__ import annotations

import builtins
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import matplotlib as mpl
from matplotlib.figure import Figure

from ...errors import UsageError
from ..files import check_formats
from . import render_worker as rw
from .style import FIGURE_FORMATS, figure_path, save_figure

__all__ = ["ENV_PROCESSES", "FigureWriter", "default_processes"]

log = logging.getLogger(__name__)

#: Environment variable: the number of helper processes that draw figures (0: none).
ENV_PROCESSES = "TARIFFSIM_FIGURE_PROCESSES"
_MAX_PROCESSES = 8
# rcParams that describe the session, not a drawing: not sent to the helpers
_SESSION_RC = ("backend", "backend_fallback", "interactive", "webagg.", "savefig.directory", "figure.hooks")


def default_processes() -> int:
    """Helper processes for figures: ``TARIFFSIM_FIGURE_PROCESSES`` when set (0 to 8), else two on a
    machine with at least two cores, else none."""
    raw = os.environ.get(ENV_PROCESSES, "").strip()
    if raw:
        try:
            n = int(raw)
        except ValueError:
            n = -1
        if not 0 <= n <= _MAX_PROCESSES:
            raise UsageError(f"{ENV_PROCESSES} must be a whole number from 0 to {_MAX_PROCESSES}, got {raw[:20]!r}")
        return n
    return 2 if (os.cpu_count() or 1) >= 2 else 0


def _changed(value: object, start: object) -> bool:
    try:
        return bool(value != start)
    except (TypeError, ValueError):  # values that do not compare plainly: sent
        return True


def _drawing_rc() -> dict:
    """The matplotlib settings this process changed since it started (a helper starts from the same
    matplotlibrc and defaults), without those that describe the session rather than a drawing."""
    start = mpl.rcParamsOrig
    return {
        k: v
        for k, v in mpl.rcParams.items()
        if not k.startswith(_SESSION_RC) and (k not in start or _changed(v, start[k]))
    }


class _Helper:
    """One helper process and the thread that feeds it tasks from the shared queue."""

    def __init__(self, tasks: queue.Queue, errors: list, warned: list, orphans: list) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", rw.__name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.dead = False
        self.thread = threading.Thread(target=self._serve, args=(tasks, errors, warned, orphans), daemon=True)
        self.thread.start()

    def _serve(self, tasks: queue.Queue, errors: list, warned: list, orphans: list) -> None:
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None and stdout is not None
        while True:
            task = tasks.get()
            try:
                if task is None:
                    return
                if errors:  # after a failure the rest is not drawn
                    continue
                if self.dead:  # drawn by the calling process
                    orphans.append(task)
                    continue
                try:
                    rw.send(stdin, task)
                    reply = rw.receive(stdout)
                except (OSError, EOFError, pickle.UnpicklingError) as exc:  # the helper stopped or never started
                    log.info("a figure helper process stopped (%s); its figures are drawn here", type(exc).__name__)
                    self.dead = True
                    orphans.append(task)
                    continue
                warned.extend(reply.get("warnings", []))
                if reply.get("error") is not None:
                    errors.append(tuple(reply["error"]))
            finally:
                tasks.task_done()

    def close(self, *, kill: bool) -> None:
        """End the process: killed (after a failure), else told to finish (its input closed)."""
        if kill:
            self.proc.kill()
        else:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            except OSError:
                pass

    def join(self) -> None:
        self.thread.join()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass


class FigureWriter:
    """Context manager: ``with FigureWriter(formats) as w: w.save(fig, stem)``; every file is written
    when the block ends (an error drawing any of them is raised there, and the rest is not drawn).

    ``save`` returns the paths it will write (``stem.png``, ``stem.svg``, ``stem.pdf`` for the
    ``formats``), as :func:`~tariffsim.outputs.figures.style.save_figure` does; the parent folder
    is created at once."""

    def __init__(self, formats: Sequence[str] = FIGURE_FORMATS, *, processes: int | None = None, dpi: int = 200):
        self.formats = check_formats(formats, FIGURE_FORMATS, field="formats", kind="figure")
        self.dpi = dpi
        self.processes = default_processes() if processes is None else int(processes)
        self._tasks: queue.Queue = queue.Queue()
        self._errors: list = []
        self._warned: list = []
        self._orphans: list = []
        self._helpers: list[_Helper] = []
        self._rc: dict | None = None

    def __enter__(self) -> FigureWriter:
        for _ in range(self.processes):
            try:
                self._helpers.append(_Helper(self._tasks, self._errors, self._warned, self._orphans))
            except OSError as exc:  # no interpreter to start: draw here
                log.debug("figure helper not started (%s); drawing in this process", exc)
                break
        return self

    def save(self, fig: Figure, stem: str | Path) -> list[Path]:
        stem = Path(stem)
        if not self._helpers:
            return save_figure(fig, stem, self.formats, dpi=self.dpi)
        try:
            payload = pickle.dumps(fig, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an artist that does not pickle: this figure is drawn here  # noqa: BLE001
            log.debug("figure %s does not pickle (%s); drawing it in this process", stem.name, exc)
            return save_figure(fig, stem, self.formats, dpi=self.dpi)
        if self._rc is None:
            self._rc = _drawing_rc()
        stem.parent.mkdir(parents=True, exist_ok=True)
        # one task per figure, its formats in order: a drawing leaves the layout a little changed, so the files
        # are those of save_figure only when drawn in the same sequence
        self._tasks.put((payload, self.formats, str(stem), self.dpi, self._rc))
        return [figure_path(stem, f) for f in self.formats]

    def wait(self) -> None:
        """Block until every figure saved so far is written; raise the first error."""
        if self._helpers:
            self._tasks.join()
        while self._orphans and not self._errors:
            payload, formats, stem, dpi, rc = self._orphans.pop(0)
            with mpl.rc_context(rc):
                save_figure(pickle.loads(payload), stem, formats, dpi=dpi)  # noqa: S301 - pickled here
        self._raise()

    def _raise(self) -> None:
        for category, message in self._warned:  # a built-in warning class keeps its class, any other is a UserWarning
            klass = getattr(builtins, category, None)
            warnings.warn(message, klass if isinstance(klass, type) and issubclass(klass, Warning) else UserWarning, 3)
        self._warned.clear()
        if self._errors:
            kind, message, path = self._errors[0]
            klass = getattr(builtins, kind, None)
            if isinstance(klass, type) and issubclass(klass, OSError):  # a full disk, a folder gone: an output error
                raise OSError(f"{message} (writing {Path(path).name})")
            raise RuntimeError(f"drawing {Path(path).name}: {kind}: {message}")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        failed = exc_type is not None
        if failed:  # nothing more is drawn; a helper may be midway through a file, so it is stopped first
            while True:
                try:
                    self._tasks.get_nowait()
                    self._tasks.task_done()
                except queue.Empty:
                    break
        try:
            if not failed:
                self.wait()
        finally:
            for _ in self._helpers:
                self._tasks.put(None)
            for h in self._helpers:
                h.close(kill=failed)
            for h in self._helpers:
                h.join()
            self._helpers.clear()
