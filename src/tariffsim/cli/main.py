"""Command line: a thin layer that parses, calls the library and prints.

User mistakes (``TariffSimError``) become one line on stderr and exit code 2, never a traceback.
Heavy modules (scipy, matplotlib, the models) are imported inside the command that needs them, so
``tariffsim --help`` starts fast.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import NumericalError, OutputPathError, TariffSimError, UsageError
from .common import EXIT_USER_ERROR
from .parser import build_parser

if TYPE_CHECKING:
    pass


__all__ = ["main"]
log = logging.getLogger("tariffsim")


# ----------------------------------------------------------------------------- data info


# ----------------------------------------------------------------------------- flag values
# Every numeric or structured flag is checked while the arguments are parsed, so a bad value
# fails at once with the flag named, before any data is read or any work starts.


# ----------------------------------------------------------------------------- scenarios


# ----------------------------------------------------------------------------- parser


#: Characters of an error line; longer ones have their longest words cut (a value a user wrote
#: may be megabytes long) and, if still too long, the line is cut.
MAX_ERROR_CHARS = 2_000
_MAX_WORD = 200


def _one_line(text: str) -> str:
    """``text`` as one printable line: whitespace runs become one space, control and other
    unprintable characters are escaped (``\\x1b``), and a line longer than
    :data:`MAX_ERROR_CHARS` has its long words cut."""
    s = " ".join(str(text).split())
    if not s.isprintable():
        s = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in s)
    if len(s) > MAX_ERROR_CHARS:
        s = " ".join(
            w if len(w) <= _MAX_WORD else f"{w[: _MAX_WORD // 2]}...({len(w):,} characters)" for w in s.split(" ")
        )
    if len(s) > MAX_ERROR_CHARS:
        s = s[:MAX_ERROR_CHARS] + "... (message cut)"
    return s


def _error(msg: str) -> int:
    sys.stderr.write(f"tariffsim: error: {_one_line(msg)}\n")
    sys.stderr.flush()
    return EXIT_USER_ERROR


def _user_path_flag(exc: OSError, args: argparse.Namespace | None) -> str | None:
    """The flag whose value is the path (or a folder containing the path) of ``exc``, if any."""
    fn = getattr(exc, "filename", None)
    if not fn or args is None:
        return None
    try:
        f = os.path.abspath(os.fsdecode(fn))
    except (TypeError, ValueError):
        return None
    for key, value in vars(args).items():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v.strip() and key not in ("argv", "command"):
                p = os.path.abspath(v)
                if f == p or f.startswith(p.rstrip(os.sep) + os.sep):
                    positional = key in ("scenario", "scenarios", "file", "gdp_csv", "study")
                    return key if positional else "--" + key.replace("_", "-")
    return None


class _GuardedStdout:
    """stdout whose write errors (a full disk, ``> /dev/full``) are user errors, not tracebacks."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def _guard(self, fn: Callable[..., Any], *a: object) -> Any:
        try:
            return fn(*a)
        except BrokenPipeError:
            raise
        except OSError as exc:
            _quiet_stdout()
            raise OutputPathError(f"standard output: cannot write ({exc.strerror or exc})") from None

    def write(self, s: str) -> int:
        return self._guard(self._stream.write, s)

    def flush(self) -> None:
        self._guard(self._stream.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _quiet_stdout() -> None:
    """After a broken pipe: send the rest of stdout to /dev/null (no 'Exception ignored' at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - stdout is not a real file
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """The ``tariffsim`` command. Returns the exit code: 0, 2 for a user error (one line on
    stderr, ``tariffsim: error: ...``, argparse errors included), 130 when interrupted (no
    partial output: every command that writes writes atomically).

    The boundary rule: user-caused conditions are :class:`TariffSimError` subclasses raised where
    they are detected (limits, bad numbers, unreadable files, unwritable outputs). Anything else
    that reaches this level is a bug and keeps its traceback. Numpy floating-point warnings
    (overflow, invalid value, divide by zero) in a command are errors: they mean an input took the
    model out of range.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure):
            try:
                reconfigure(errors="backslashreplace")  # file names that are not UTF-8
            except (ValueError, OSError):  # pragma: no cover
                pass
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = sys.stdout
    sys.stdout = _GuardedStdout(stdout)  # type: ignore[assignment]
    try:
        return _main(argv)
    except KeyboardInterrupt:
        sys.stderr.write("tariffsim: interrupted\n")
        return 130
    except BrokenPipeError:  # e.g. piping into head
        _quiet_stdout()
        return 0
    except TariffSimError as exc:
        return _error(str(exc))
    finally:
        sys.stdout = stdout


def _main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    args.argv = argv
    level = logging.WARNING if args.verbose == 0 else logging.INFO if args.verbose == 1 else logging.DEBUG
    if getattr(args, "quiet", False):
        level = logging.ERROR
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    log.setLevel(level)  # also when the root logger was configured before (basicConfig is then a no-op)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("error", message=r".*encountered in", category=RuntimeWarning)  # numpy FP
        try:
            code = int(args.func(args) or 0)
        except RuntimeWarning as w:
            log.debug("numerical warning turned into an error", exc_info=True)
            raise NumericalError(
                f"numerical failure in the model ({w}); an input (rate, elasticity, data value) is out of the "
                "range the model can compute"
            ) from None
        except TariffSimError:
            raise  # the one-line error only: warnings met on the way are dropped
        except OSError as exc:
            flag = _user_path_flag(exc, args)
            if flag is None:
                raise
            raise UsageError(f"{flag}: {exc.strerror or exc}: {exc.filename}") from None
    sys.stdout.flush()  # a full disk is reported here, not at exit
    for shown in caught:  # a successful run shows its warnings as usual
        warnings.warn_explicit(shown.message, shown.category, shown.filename, shown.lineno, source=shown.source)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
