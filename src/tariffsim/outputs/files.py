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

import errno
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
from typing import TYPE_CHECKING, TypeVar

from .. import limits
from .._util import json_default, json_safe, no_negative_zero
from ..errors import OutputExistsError, OutputPathError, UsageError
from ..limits import shown

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "check_output_file",
    "check_output_dir",
    "atomic_write",
    "atomic_write_text",
    "output_error",
    "check_target_dir",
    "atomic_folder",
    "missing_folders",
    "remove_created",
    "list_files",
    "write_csv",
    "write_provenance",
    "say_step",
    "safe_filename",
    "check_formats",
]

log = logging.getLogger(__name__)

T = TypeVar("T")


def output_error(
    exc: OSError, path: str | os.PathLike, *, field: str = "--out", staging: Path | None = None
) -> OutputPathError:
    """An :class:`OutputPathError` for ``exc`` met while writing ``path`` (names the flag and the
    file). A file inside ``staging`` (the temporary folder an output folder is built in) is named
    as the file it would have become inside ``path``."""
    where: str | os.PathLike = getattr(exc, "filename", None) or path
    if staging is not None:
        try:
            inner = Path(os.fsdecode(where)).absolute().relative_to(staging.absolute())
            where = Path(path) / inner if inner.parts else Path(path)
        except ValueError:
            pass
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputPathError(f"{field}: cannot write {os.fspath(where)}: {reason}")


def _is_cwd_or_above(p: Path) -> bool:
    try:
        cwd = Path.cwd().resolve()
    except OSError:  # the working directory was removed
        return False
    try:
        rp = p.resolve()
    except (OSError, RuntimeError):  # a link loop (checked before this is called)
        return False
    if rp == cwd or rp in cwd.parents:
        return True
    try:
        return rp == Path.home().resolve()
    except (OSError, RuntimeError):  # no home directory
        return False


#: Room kept below the file system's path limit for what a writer puts inside an output folder
#: (``figures/gdp_path_by_set.png``, temporary names).
_INNER_PATH_ROOM = 128


def _link_target(q: Path) -> str:
    try:
        return os.readlink(q)
    except OSError:  # pragma: no cover - it was a link a moment ago
        return "?"


def _check_path(p: Path, field: str, what: str) -> Path | None:
    """Walk ``p`` from the leaf up to the nearest entry that exists and check what is on the way:
    a link loop, a link to nowhere (dangling), a file where a folder is needed, a name longer than
    the file system allows, a NUL character; each is an :class:`OutputPathError` naming ``field``
    and the part of the path at fault. Returns the nearest existing entry (None if none: a
    relative path in a removed working directory)."""
    text = os.fspath(p)
    if "\x00" in text:
        raise OutputPathError(f"{field}: not a usable {what} name (NUL character)")
    for i, part in enumerate(p.parts):
        before = Path(*p.parts[:i]) if i else None
        if part == ".." and before is not None and before.name != ".." and not before.is_dir():
            raise OutputPathError(
                f"{field}: cannot write {p}: it goes back up (..) from {before}, which is not a folder; "
                "name the folder without the detour"
            )
    missing: list[Path] = []
    for q in (p, *p.parents):
        try:
            st = os.lstat(q)
        except FileNotFoundError:
            missing.append(q)
            continue
        except NotADirectoryError:
            raise OutputPathError(f"{field}: cannot write {p}: a part of the path is a file, not a folder") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OutputPathError(f"{field}: cannot write {p}: the path goes through a link loop") from None
            if exc.errno == errno.ENAMETOOLONG:
                raise OutputPathError(
                    f"{field}: cannot write {p}: the path or a name in it is too long for the file system"
                ) from None
            raise output_error(exc, p, field=field) from None
        if stat.S_ISLNK(st.st_mode):
            try:
                os.stat(q)
            except FileNotFoundError:
                where = "is" if q == p else f"lies below {q}, which is"
                raise OutputPathError(
                    f"{field}: cannot write {p}: it {where} a link to nowhere (dangling link to "
                    f"{_link_target(q)}); remove the link or name another {what}"
                ) from None
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    where = "is" if q == p else f"lies below {q}, which is"
                    raise OutputPathError(f"{field}: cannot write {p}: it {where} a link loop") from None
                raise output_error(exc, p, field=field) from None
        _check_names(p, q, missing, field)
        return q
    return None


def _check_names(p: Path, existing: Path, missing: Sequence[Path], field: str) -> None:
    """The parts of ``p`` still to be created fit the file system's name and path limits."""
    try:
        name_max = os.pathconf(existing if existing.is_dir() else existing.parent, "PC_NAME_MAX")
        path_max = os.pathconf(existing if existing.is_dir() else existing.parent, "PC_PATH_MAX")
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    for q in missing:
        n = len(os.fsencode(q.name))
        if n > name_max:
            raise OutputPathError(
                f"{field}: cannot write {p}: the name {limits.shown(q.name)} is {n:,} bytes long; this file system "
                f"allows {name_max:,}"
            )
    total = len(os.fsencode(os.path.abspath(p)))
    if total + _INNER_PATH_ROOM > path_max:
        raise OutputPathError(
            f"{field}: cannot write {p}: the path is {total:,} bytes long; this file system allows {path_max:,} "
            f"(and the outputs inside need about {_INNER_PATH_ROOM} more)"
        )


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


def _parent_check(p: Path, field: str, what: str) -> None:
    anc = _check_path(p.parent, field, what) if p.parent != p else p
    _probe_folder(anc or Path("."), p, field)


def _check_common(path: str | os.PathLike, field: str, what: str, example: str) -> tuple[Path, os.stat_result | None]:
    """The checks a file and a folder output share; returns the path and its stat (None if absent)."""
    p = Path(path)
    if not os.fspath(p).strip():
        raise OutputPathError(f"{field}: empty path; expected a {what} name")
    _check_path(p, field, what)  # links, NUL, names: before anything resolves the path
    if _is_cwd_or_above(p):
        raise OutputPathError(f"{field}: {p} is the working directory, a folder above it or the home folder; {example}")
    try:
        st = p.stat()
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise OutputPathError(f"{field}: cannot write {p}: a part of the path is a file, not a folder") from None
    except OSError as exc:
        raise output_error(exc, p, field=field) from None
    return p, st


def check_output_file(path: str | os.PathLike, *, field: str = "--out") -> Path:
    """``path`` can be written as a file: not a folder, not the working directory, not a device,
    not through a link loop or a link to nowhere, a name the file system allows; its folder (or
    the nearest existing folder above it) is writable. Returns it as a Path.

    An existing regular file is allowed (it is replaced atomically)."""
    p, st = _check_common(path, field, "file", "expected a file name")
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputPathError(f"{field}: {p} is a folder; expected a file name (e.g. {p / 'out.json'})")
        if not stat.S_ISREG(st.st_mode):
            raise OutputPathError(f"{field}: {p} is not a regular file (a device, pipe or socket)")
    _parent_check(p, field, "file")
    return p


def check_output_dir(path: str | os.PathLike, *, field: str = "--out") -> Path:
    """``path`` can be created (or replaced) as an output folder: not the working directory or a
    folder above it, not an existing file or device, not through a link loop or a link to
    nowhere, a name the file system allows, and its parent (or the nearest existing folder above
    it) is writable. Whether a non-empty folder may be replaced (``--force``) is the writer's rule."""
    p, st = _check_common(path, field, "folder", f"name a new folder, e.g. {Path(path) / 'out'}")
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise OutputPathError(f"{field}: {p} exists and is not a folder; expected a folder")
    _parent_check(p, field, "folder")
    return p


def missing_folders(path: str | os.PathLike) -> list[Path]:
    """The folders above ``path`` that do not exist yet, deepest first: what writing ``path``
    creates, and :func:`remove_created` removes again when the write fails."""
    parent = Path(path).parent
    return [q for q in (parent, *parent.parents) if not q.exists()]


def remove_created(folders: Sequence[Path]) -> None:
    """Remove the folders this call created (deepest first), each only if still empty: a folder
    that is already gone or that someone else filled meanwhile is left as it is, and its parents
    are still tried."""
    for f in folders:
        try:
            f.rmdir()
        except OSError:
            continue


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
            fd, name = tempfile.mkstemp(prefix=".tariffsim-", suffix=".tmp", dir=parent)
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
        remove_created(created)
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


def _force_hint(field: str) -> str:
    """How to allow replacing: the CLI flag when ``field`` is a flag, else the argument."""
    return "pass --force to replace it" if field.startswith("--") else "pass force=True to replace it"


def _empty_dir(p: Path, field: str) -> bool:
    try:
        with os.scandir(p) as it:
            return next(it, None) is None
    except OSError as exc:
        raise output_error(exc, p, field=field) from None


def check_target_dir(out_dir: str | os.PathLike, force: bool, *, field: str = "out_dir") -> Path:
    """``out_dir`` can be written as an output folder (:func:`check_output_dir`) and, if it exists
    (a non-empty folder, or a link) ``force`` allows replacing it (else
    :class:`~tariffsim.errors.OutputExistsError` naming ``field`` and how to allow it). A link is
    replaced, never followed: its target is left alone."""
    out = check_output_dir(out_dir, field=field)  # not the working directory, not a file, writable parent
    if out.is_symlink():
        if not force:
            raise OutputExistsError(
                f"{field}: {out} is a link (to {_link_target(out)}); {_force_hint(field)} (the link is replaced, "
                "its target left alone)"
            )
    elif out.exists() and not _empty_dir(out, field) and not force:
        raise OutputExistsError(f"{field}: output folder {out} exists and is not empty; {_force_hint(field)}")
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


def atomic_folder(out_dir: str | os.PathLike, force: bool, fill: Callable[[Path], T], *, field: str = "out_dir") -> T:
    """Run ``fill(tmp)`` in a temporary folder beside ``out_dir``, then move it into place (a
    non-empty ``out_dir`` or a link there is replaced only with ``force``, after ``fill``
    succeeded).

    On any exception the temporary folder is removed, so is every folder above ``out_dir`` this
    call created, and ``out_dir`` is left as it was; an OSError writing the output becomes an
    :class:`OutputPathError` naming ``field`` (the CLI passes ``--out``). Returns what ``fill``
    returns. Two runs writing the same folder at once: one wins, the other ends with an error
    (without ``force``) or replaces it; neither leaves a half-written folder.
    """
    out_dir = Path(out_dir)
    check_target_dir(out_dir, force, field=field)
    parent = out_dir.parent
    created = [p for p in (parent, *parent.parents) if not p.exists()]  # removed again on failure
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tariffsim-tmp-", dir=parent))
    except BaseException as exc:
        remove_created(created)
        if isinstance(exc, OSError):
            raise output_error(exc, out_dir, field=field) from None
        raise
    try:
        value = fill(tmp)
        tmp.chmod(0o755)
        check_target_dir(out_dir, force, field=field)  # it may have appeared meanwhile
        if not out_dir.is_symlink() and out_dir.is_dir() and _empty_dir(out_dir, field):
            out_dir.rmdir()
            tmp.rename(out_dir)
        elif out_dir.is_symlink() or out_dir.exists():  # force: swap, then delete the old one
            old = Path(tempfile.mkdtemp(prefix=".tariffsim-old-", dir=parent))
            old.rmdir()
            out_dir.rename(old)
            try:
                tmp.rename(out_dir)
            except BaseException:
                try:
                    old.rename(out_dir)
                except OSError:  # another run put its folder there meanwhile: the old one was to go anyway
                    _remove(old)
                raise
            _remove(old)
        else:
            tmp.rename(out_dir)
    except BaseException as exc:
        _remove(tmp)
        remove_created(created)
        if isinstance(exc, OSError) and _writes_to(exc.filename, tmp, out_dir):
            raise output_error(exc, out_dir, field=field, staging=tmp) from None  # writing failed (disk full, ...)
        raise
    return value


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """``df`` as a UTF-8 CSV with ``\\n`` line ends and no index, never a '-0.0' in it."""
    path = Path(path)
    no_negative_zero(df).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


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
            raise UsageError(f"{field}: expected {kind} format names, got {shown(f)}")
        name = f.strip().lower().lstrip(".")
        if name not in allowed:
            raise UsageError(f"{field}: unknown {kind} format {shown(f)}; expected {', '.join(allowed)}")
        if name not in out:
            out.append(name)
    if not out:
        raise UsageError(f"{field}: no {kind} format given; expected some of {', '.join(allowed)}")
    return tuple(out)
