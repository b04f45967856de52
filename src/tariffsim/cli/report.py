"""Commands that write folders: ``report``, ``sweep``, ``compare``; the progress bar and the Dask
client they share (Dask is optional and imported only here, when asked for).
"""

from __future__ import annotations

import argparse
import gc
import ipaddress
import logging
import re
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from .. import limits
from ..errors import TariffSimError, UsageError
from ..limits import shown
from ..outputs.files import check_output_dir
from .common import scenario_from_args, split_sets

log = logging.getLogger(__name__)


class _Stream(Protocol):
    """What the progress bar writes to: a text stream (or a null sink)."""

    def write(self, s: str, /) -> int: ...

    def flush(self) -> None: ...


__all__ = ["ProgressBar", "dask_client", "scheduler_address", "cmd_report", "cmd_sweep", "cmd_compare"]


def progress_bar(args: argparse.Namespace, total: int) -> ProgressBar:
    """A progress bar on stderr when it is a terminal (never with --quiet; nothing when piped:
    -v logs each step instead)."""

    tty = getattr(sys.stderr, "isatty", None)
    show = not getattr(args, "quiet", False) and callable(tty) and tty()
    return ProgressBar(total, stream=sys.stderr if show else NullProgress())


def _done(args: argparse.Namespace, message: str) -> None:
    """The closing line of a command that wrote a folder (where it is and what to open), on stdout;
    nothing with ``--quiet`` (silent on success: the exit code says it worked)."""
    if not getattr(args, "quiet", False):
        print(message)


def cmd_report(args: argparse.Namespace) -> int:
    from ..outputs.report import REPORT_STEPS, write_report

    check_output_dir(args.out, field="--out")  # before any work
    formats = tuple(x.strip() for x in args.formats.split(",") if x.strip())
    sc = scenario_from_args(args)
    with (
        dask_client(args.scheduler, args.workers, quiet=getattr(args, "quiet", False)) as client,
        progress_bar(args, len(REPORT_STEPS)) as bar,
    ):
        rec = write_report(
            sc,
            args.out,
            force=args.force,
            formats=formats,
            progress=bar,
            sweep_rates=args.tariff,
            draws=args.draws,
            n_paths=args.paths,
            model=args.model,
            elasticities=split_sets(args.elasticities, sc),
            scheduler=client,
            out_field="--out",
        )
    _done(
        args,
        f"report for {rec.scenario} written to {rec.out_dir} ({len(rec.files)} files, {rec.seconds:.1f} s); "
        f"open {rec.out_dir}/report.html (tables also in report.xlsx)",
    )
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..outputs.report import SWEEP_STEPS, write_sweep

    check_output_dir(args.out, field="--out")  # before any work
    sc = scenario_from_args(args)
    sets = split_sets(args.elasticities, sc) or ["low", "central", "high"]
    with (
        dask_client(args.scheduler, args.workers, quiet=getattr(args, "quiet", False)) as client,
        progress_bar(args, len(SWEEP_STEPS)) as bar,
    ):
        rec = write_sweep(
            sc,
            args.tariff,
            args.out,
            elasticities=sets,
            force=args.force,
            progress=bar,
            n_paths=args.paths,
            formats=tuple(x.strip() for x in args.formats.split(",") if x.strip()),
            scheduler=client,
            model=args.model,
            out_field="--out",
        )
    _done(
        args,
        f"sweep for {rec.scenario} written to {rec.out_dir} ({len(rec.files)} files, {rec.seconds:.1f} s): "
        f"{rec.out_dir}/sweep.csv, sweep.xlsx and the figures",
    )
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from ..outputs.comparison import COMPARE_STEPS, write_compare

    check_output_dir(args.out, field="--out")  # before any work
    models = [m.strip() for m in (args.model or "").split(",") if m.strip()] or None
    limits.check_int(
        len(args.scenarios) * len(models or [None]),
        field="scenarios x --model",
        high=limits.MAX_COMPARE_RUNS,
        what="runs in one comparison",
    )
    scenarios = [scenario_from_args(argparse.Namespace(**{**vars(args), "scenario": s})) for s in args.scenarios]
    with dask_client(args.scheduler, args.workers, quiet=getattr(args, "quiet", False)) as client:
        n = len(scenarios) * len(models or [None])
        with progress_bar(args, n + len(COMPARE_STEPS)) as bar:
            rec = write_compare(
                scenarios,
                args.out,
                models=models,
                elasticities=split_sets(args.elasticities, *scenarios),
                force=args.force,
                formats=tuple(x.strip() for x in args.formats.split(",") if x.strip()),
                progress=bar,
                draws=args.draws,
                n_paths=args.paths,
                scheduler=client,
                out_field="--out",
            )
    _done(
        args,
        f"comparison of {', '.join(rec.scenarios)} written to {rec.out_dir} ({len(rec.files)} files, "
        f"{rec.seconds:.1f} s); open {rec.out_dir}/compare.html (table in tables/comparison.csv and compare.xlsx)",
    )
    return 0


class NullProgress:
    def write(self, s: str) -> int:
        return len(s)

    def flush(self) -> None:
        pass


class ProgressBar:
    """A small text progress bar for :func:`write_report` / :func:`write_sweep` (no tqdm).

    ``ProgressBar(len(REPORT_STEPS))`` and pass it as ``progress=``: each call ``bar(step)``
    announces the step that starts (the bar shows the steps finished before it; the last step
    fills it). On a terminal the bar redraws one line; on a pipe or a
    file it writes one line a step. Call :meth:`close` (or use it as a context manager) to end
    the line.
    """

    def __init__(self, total: int, stream: _Stream | None = None, *, width: int = 24, label: str = "tariffsim"):
        self.total = max(1, int(total))
        self.stream = sys.stderr if stream is None else stream
        self.width = int(width)
        self.label = label
        self.count = 0
        self._open = False
        self._t0 = time.perf_counter()
        isatty = getattr(self.stream, "isatty", None)
        self._tty = bool(isatty()) if callable(isatty) else False

    def __call__(self, step: str) -> None:
        self.count = min(self.count + 1, self.total)
        done = self.count if self.count >= self.total else self.count - 1  # the named step is starting
        filled = int(round(self.width * done / self.total))
        bar = "#" * filled + "." * (self.width - filled)
        text = f"{self.label} [{bar}] {self.count}/{self.total} {step}"
        if self._tty:
            self.stream.write("\r" + text.ljust(self.width + 60)[: self.width + 60])
            self._open = True
            if self.count >= self.total:
                self.close()
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._open:
            self.stream.write(f"  ({time.perf_counter() - self._t0:.1f} s)\n")
            self.stream.flush()
            self._open = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Protocols ``--scheduler`` accepts (TLS needs certificates, UCX an extra package: neither can be
#: set up from one flag).
SCHEDULER_PROTOCOLS = ("tcp", "ws", "wss")
_HOST_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def scheduler_address(text: str, flag: str = "--scheduler") -> str:
    """A dask scheduler address ``[PROTOCOL://]HOST:PORT`` checked without connecting: protocol
    tcp, ws or wss; host a name of dot-separated labels (letters, digits, hyphens; at most 253
    characters), an IPv4 address or a bracketed IPv6 address; port 1-65535. Returns it with the
    protocol (``tcp://`` by default); a :class:`UsageError` naming ``flag`` otherwise."""
    s = text.strip()
    expect = f"expected an address like tcp://10.0.0.5:8786 (protocol {', '.join(SCHEDULER_PROTOCOLS)})"
    proto, sep, rest = s.partition("://")
    if not sep:
        proto, rest = "tcp", s
    if proto.lower() not in SCHEDULER_PROTOCOLS:
        raise UsageError(f"{flag}: protocol {shown(proto)} is not supported; {expect}")
    host, colon, port = rest.rpartition(":")
    if not colon or not (port.isascii() and port.isdecimal() and len(port) <= 5 and 1 <= int(port) <= 65535):
        raise UsageError(f"{flag}: {shown(text)} has no port in 1-65535; {expect}")
    ok = False
    if host.startswith("[") and host.endswith("]"):
        try:
            ok = ipaddress.ip_address(host[1:-1]).version == 6
        except ValueError:
            ok = False
    elif re.fullmatch(r"[0-9.]+", host):
        try:
            ok = ipaddress.ip_address(host).version == 4
        except ValueError:
            ok = False
    else:
        labels = host.split(".")
        ok = 0 < len(host) <= 253 and all(_HOST_LABEL.fullmatch(x) for x in labels)
    if not ok:
        raise UsageError(f"{flag}: {shown(host)} is not a host name or IP address; {expect}")
    return f"{proto.lower()}://{host}:{int(port)}"


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None, *, quiet: bool = False) -> Iterator[Any]:
    """A ``dask.distributed.Client`` for the grid points of sweeps, heatmaps and comparisons:
    connected to ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``), or to a local
    cluster of ``workers`` single-threaded worker processes started here and closed on exit;
    None (run in this process) when neither is given. Dask's own logging (scheduler, workers,
    nannies) is held at WARNING, at ERROR with ``quiet`` (``--quiet`` is quiet)."""
    if scheduler is None and not workers:
        yield None
        return
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is an optional dependency
        raise TariffSimError("--scheduler/--workers need dask.distributed: pip install 'tariffsim[dask]'") from None
    level = logging.ERROR if quiet else logging.WARNING
    for name in ("distributed", "dask", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(level)
    dask.config.set({"logging.distributed": logging.getLevelName(level).lower()})
    if scheduler is not None:
        address = scheduler_address(scheduler, "--scheduler")
        try:
            client = Client(address, timeout="10s")
        except (OSError, ValueError, TypeError) as exc:  # refused, timed out, unresolvable, unusable address
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise UsageError(f"--scheduler: cannot connect to the dask scheduler {address}: {reason}") from None
        try:
            yield client
        finally:
            client.close()
        return
    n = int(workers or 0)
    if n < 1:
        raise TariffSimError(f"--workers must be at least 1, got {workers}")
    with warnings.catch_warnings():
        # dask's port probing leaves a socket for the garbage collector: not ours to report
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            # the dashboard on a free port: None means :8787, which a second cluster on the machine finds taken
            with (
                LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=level
                ) as cluster,
                Client(cluster) as client,
            ):
                log.info("local dask cluster with %d workers", n)
                yield client
        finally:
            gc.collect()
