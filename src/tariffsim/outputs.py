"""Writing outputs safely: check the location first, write atomically, turn OS errors into user errors.

Every command that writes (``report``, ``sweep``, ``compare``, ``calibrate --out``,
``replicate --out``) follows the same rules:

* the output location is checked **before** the computation starts
  (:func:`check_output_file`, :func:`check_output_dir`): a folder where a file is expected, the
  working directory (or a folder containing it, or the home folder), a path under an existing file, a device, a
  virtual or read-only file system all fail at once with :class:`~tariffsim.errors.OutputPathError`
  naming the flag;
* a file is written to a temporary file in the same folder and moved into place with
  :func:`os.replace` (:func:`atomic_write`, :func:`atomic_write_text`): an error or Ctrl-C leaves
  neither a half-written file nor the temporary file (folders it had to create are removed again);
* an :class:`OSError` met while writing becomes an :class:`~tariffsim.errors.OutputPathError`
  (:func:`output_error`).

No heavy imports (the CLI uses this module before the models load).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .errors import OutputPathError

__all__ = ["check_output_file", "check_output_dir", "atomic_write", "atomic_write_text", "output_error"]

T = TypeVar("T")


def output_error(exc: OSError, path: str | os.PathLike, *, field: str = "--out") -> OutputPathError:
    """An :class:`OutputPathError` for ``exc`` met while writing ``path`` (names the flag and the file)."""
    where = getattr(exc, "filename", None) or path
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputPathError(f"{field}: cannot write {os.fspath(where)}: {reason}")


def _is_cwd_or_above(p: Path) -> bool:
    try:
        cwd = Path.cwd().resolve()
    except OSError:  # the working directory was removed
        return False
    rp = p.resolve()
    if rp == cwd or rp in cwd.parents:
        return True
    try:
        return rp == Path.home().resolve()
    except (OSError, RuntimeError):  # no home directory
        return False


def _nearest_existing(p: Path) -> Path:
    for q in (p, *p.parents):
        try:
            q.lstat()
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            continue
        return q
    return Path(p.anchor or ".")


def _probe_folder(folder: Path, target: Path, field: str) -> None:
    """``folder`` exists; it must be a folder we can create entries in (tried, then removed)."""
    try:
        st = folder.stat()
    except OSError as exc:
        raise output_error(exc, target, field=field) from None
    if not stat.S_ISDIR(st.st_mode):
        raise OutputPathError(f"{field}: cannot write {target}: {folder} is a file, not a folder")
    try:
        probe = tempfile.mkdtemp(prefix=".tariffsim-probe-", dir=folder)
    except OSError as exc:
        raise OutputPathError(
            f"{field}: cannot write {target}: {exc.strerror or exc} (folder {folder} is not writable)"
        ) from None
    os.rmdir(probe)
    try:  # leave the folder as it was, its modification time included
        os.utime(folder, ns=(st.st_atime_ns, st.st_mtime_ns))
    except OSError:  # pragma: no cover - not our folder to touch
        pass


def _parent_check(p: Path, field: str) -> None:
    parent = p.parent
    anc = _nearest_existing(parent)
    _probe_folder(anc, p, field)


def check_output_file(path: str | os.PathLike, *, field: str = "--out") -> Path:
    """``path`` can be written as a file: not a folder, not the working directory, not a device;
    its folder (or the nearest existing folder above it) is writable. Returns it as a Path.

    An existing regular file is allowed (it is replaced atomically)."""
    p = Path(path)
    if not os.fspath(p).strip():
        raise OutputPathError(f"{field}: empty path; expected a file name")
    if _is_cwd_or_above(p):
        raise OutputPathError(
            f"{field}: {p} is the working directory, a folder above it or the home folder; expected a file name"
        )
    try:
        st = p.stat()
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise OutputPathError(f"{field}: cannot write {p}: a part of the path is a file, not a folder") from None
    except OSError as exc:
        raise output_error(exc, p, field=field) from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputPathError(f"{field}: {p} is a folder; expected a file name (e.g. {p / 'out.json'})")
        if not stat.S_ISREG(st.st_mode):
            raise OutputPathError(f"{field}: {p} is not a regular file (a device, pipe or socket)")
    _parent_check(p, field)
    return p


def check_output_dir(path: str | os.PathLike, *, field: str = "--out") -> Path:
    """``path`` can be created (or replaced) as an output folder: not the working directory or a
    folder above it, not an existing file or device, and its parent (or the nearest existing
    folder above it) is writable. Whether a non-empty folder may be replaced (``--force``) is the
    writer's rule."""
    p = Path(path)
    if not os.fspath(p).strip():
        raise OutputPathError(f"{field}: empty path; expected a folder name")
    if _is_cwd_or_above(p):
        raise OutputPathError(
            f"{field}: {p} is the working directory, a folder above it or the home folder; "
            f"name a new folder, e.g. {p / 'out'}"
        )
    try:
        st = p.stat()
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise OutputPathError(f"{field}: cannot write {p}: a part of the path is a file, not a folder") from None
    except OSError as exc:
        raise output_error(exc, p, field=field) from None
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise OutputPathError(f"{field}: {p} exists and is not a folder; expected a folder")
    _parent_check(p, field)
    return p


def atomic_write(path: str | os.PathLike, write: Callable[[Path], T], *, field: str = "--out") -> T:
    """Call ``write(tmp)`` on a temporary path in ``path``'s folder, then move it to ``path``.

    Missing folders above ``path`` are created, and removed again if the write fails. Any
    exception (KeyboardInterrupt included) removes the temporary file; an OSError becomes an
    :class:`OutputPathError` naming ``field``. Returns what ``write`` returns.
    """
    p = check_output_file(path, field=field)
    parent = p.parent
    created = [q for q in (parent, *parent.parents) if not q.exists()]
    tmp: Path | None = None
    try:
        try:
            parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=parent)
            os.close(fd)
            tmp = Path(name)
            value = write(tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, p)
            tmp = None
        except OSError as exc:
            raise output_error(exc, p, field=field) from None
    except BaseException:
        if tmp is not None:
            for leftover in (tmp, tmp.with_name(tmp.name + ".tmp")):
                try:
                    leftover.unlink()
                except OSError:
                    pass
        for q in created:  # deepest first
            try:
                q.rmdir()
            except OSError:
                break
        raise
    return value


def atomic_write_text(path: str | os.PathLike, text: str, *, field: str = "--out", encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write`)."""

    def write(tmp: Path) -> Path:
        with open(tmp, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
        return Path(path)

    return atomic_write(path, write, field=field)
