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
  (:func:`output_error`);
* a folder of outputs (report, sweep, comparison) is built in a temporary folder beside its
  target and moved into place when complete (:func:`atomic_folder`, :func:`check_target_dir`),
  with a ``provenance.json`` listing every file and its SHA-256 (:func:`write_provenance`).

No heavy imports (the CLI uses this module before the models load).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from .._util import json_default, json_safe
from ..errors import OutputExistsError, OutputPathError, UsageError

__all__ = [
    "check_output_file",
    "check_output_dir",
    "atomic_write",
    "atomic_write_text",
    "output_error",
    "check_target_dir",
    "atomic_folder",
    "list_files",
    "write_provenance",
    "say_step",
    "safe_filename",
    "check_formats",
]

log = logging.getLogger(__name__)

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


# ----------------------------------------------------------------------------- output folders
# The folder writers (write_report, write_sweep, write_compare) share these.


def check_target_dir(out_dir: str | os.PathLike, force: bool, *, field: str = "out_dir") -> Path:
    """``out_dir`` can be written as an output folder (:func:`check_output_dir`) and, if it exists
    and is not empty, ``force`` allows replacing it (else :class:`~tariffsim.errors.OutputExistsError`)."""
    out = check_output_dir(out_dir, field=field)  # not the working directory, not a file, writable parent
    if out.is_symlink() or out.exists():
        if out.is_dir() and not out.is_symlink() and not any(out.iterdir()):
            return out
        if not force:
            what = "folder" if out.is_dir() else "file"
            raise OutputExistsError(
                f"output {what} {out} exists and is not empty; pass force=True (CLI: --force) to replace it"
            )
    return out


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _writes_to(filename: str | bytes | os.PathLike[str] | os.PathLike[bytes] | None, *roots: Path) -> bool:
    """``filename`` (of an OSError) is one of ``roots`` or inside one: an error writing the output."""
    if not filename:
        return False
    f = Path(os.fsdecode(filename)).absolute()
    return any(f == r.absolute() or r.absolute() in f.parents for r in roots)


def _remove_empty(folders: Sequence[Path]) -> None:
    """Remove folders this call created (deepest first) if they are still empty."""
    for f in folders:
        try:
            f.rmdir()
        except OSError:
            break


def atomic_folder(out_dir: str | os.PathLike, force: bool, fill: Callable[[Path], T]) -> T:
    """Run ``fill(tmp)`` in a temporary folder beside ``out_dir``, then move it into place (a
    non-empty ``out_dir`` is replaced only with ``force``, after ``fill`` succeeded).

    On any exception the temporary folder is removed and ``out_dir`` is left as it was; an OSError
    writing the output becomes an :class:`OutputPathError`. Returns what ``fill`` returns.
    """
    out_dir = Path(out_dir)
    check_target_dir(out_dir, force)
    parent = out_dir.parent
    created = [p for p in (parent, *parent.parents) if not p.exists()]  # removed again on failure
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
    except BaseException as exc:
        _remove_empty(created)
        if isinstance(exc, OSError):
            raise output_error(exc, out_dir, field="out_dir") from None
        raise
    try:
        value = fill(tmp)
        tmp.chmod(0o755)
        check_target_dir(out_dir, force)  # it may have appeared meanwhile
        if out_dir.is_symlink() or out_dir.exists():
            if out_dir.is_dir() and not out_dir.is_symlink() and not any(out_dir.iterdir()):
                out_dir.rmdir()
                tmp.rename(out_dir)
            else:  # force: swap, then delete the old one
                old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=parent))
                old.rmdir()
                out_dir.rename(old)
                try:
                    tmp.rename(out_dir)
                except BaseException:
                    old.rename(out_dir)
                    raise
                _remove(old)
        else:
            tmp.rename(out_dir)
    except BaseException as exc:
        _remove(tmp)
        _remove_empty(created)
        if isinstance(exc, OSError) and _writes_to(exc.filename, tmp, out_dir):
            raise output_error(exc, out_dir, field="out_dir") from None  # writing failed (disk full, ...)
        raise
    return value


def list_files(root: str | os.PathLike) -> list[str]:
    """Every file under ``root``, relative to it with POSIX separators, sorted."""
    root = Path(root)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def write_provenance(root: str | os.PathLike, base: Mapping, extra: Mapping) -> Path:
    """``root/provenance.json``: ``base`` and ``extra`` merged, the time written, the list of files
    and the SHA-256 of each (UTF-8, NaN as null). Returns its path."""

    root = Path(root)
    files = list_files(root)
    prov = {**dict(base), **dict(extra)}
    prov["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    prov["files"] = sorted([*files, "provenance.json"])
    prov["sha256"] = {f: _sha256(root / f) for f in files}
    text = json.dumps(json_safe(prov), indent=2, allow_nan=False, default=json_default, ensure_ascii=False)
    path = root / "provenance.json"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def say_step(progress: Callable[[str], None] | None, step: str) -> None:
    """Log ``step`` (INFO) and pass it to ``progress`` when given (a folder writer's steps)."""
    log.info("report: %s", step)
    if progress is not None:
        progress(step)


def safe_filename(name: str) -> str:
    """``name`` with every run of characters other than letters, digits and ``._=-`` as ``_``."""
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", name)


def check_formats(
    formats: Sequence[str] | str, allowed: Sequence[str], *, field: str = "formats", kind: str = "output"
) -> tuple[str, ...]:
    """``formats`` (names or a comma list) as lower-case names without a leading dot, each one of
    ``allowed``, duplicates dropped, order kept; an unknown, non-text or missing format is a
    :class:`~tariffsim.errors.UsageError` naming ``field``."""

    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out: list[str] = []
    for f in items:
        if not isinstance(f, str):
            raise UsageError(f"{field}: expected {kind} format names, got {f!r}")
        name = f.strip().lower().lstrip(".")
        if name not in allowed:
            raise UsageError(f"{field}: unknown {kind} format {f!r}; expected {', '.join(allowed)}")
        if name not in out:
            out.append(name)
    if not out:
        raise UsageError(f"{field}: no {kind} format given; expected some of {', '.join(allowed)}")
    return tuple(out)
