"""Small helpers shared by the modules (no heavy imports at module level: the CLI imports this)."""

from __future__ import annotations

import datetime
import html
import io
import math
import pickle
from collections.abc import Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, SupportsFloat

import numpy as np

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike


class FrozenMap(Mapping[Any, Any]):
    """A read-only mapping that pickles: what results and scenarios hold where a dict would let a
    caller change a recorded input (``types.MappingProxyType`` is read-only too, but a result holding
    one could not be pickled, so not sent to another process or kept on disk). Equal to any mapping
    with the same items; ``dict(m)`` or :meth:`copy` gives a mutable copy."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[Any, Any] | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._data,))

    def copy(self) -> dict[Any, Any]:
        """A mutable copy (as ``MappingProxyType.copy``)."""
        return dict(self._data)

    def __or__(self, other: Mapping[Any, Any]) -> dict[Any, Any]:  # as MappingProxyType: a new dict
        if not isinstance(other, Mapping):
            return NotImplemented
        return {**self._data, **other}

    def __ror__(self, other: Mapping[Any, Any]) -> dict[Any, Any]:
        if not isinstance(other, Mapping):
            return NotImplemented
        return {**other, **self._data}

    def __reversed__(self) -> Iterator[Any]:
        return reversed(self._data)


class FrozenRecord:
    """A record that pickles frozen: read back, its read-only arrays are read-only again (the
    standard pickle gives writeable copies, so a result read from disk or another process could be
    changed in place). ``pickle.dumps(record)`` goes through :func:`frozen_dumps`."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return (frozen_loads, (frozen_dumps(self),))


def _blank(cls: type) -> Any:
    return object.__new__(cls)


def _frozen_array(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _proxy(d: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(d)


class _FrozenPickler(pickle.Pickler):
    """Read-only arrays pickled as read-only again; a :class:`FrozenRecord` by its state (inline,
    not through its own ``__reduce__``); a ``MappingProxyType`` a user's object holds as what it wraps."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, FrozenRecord):
            return (_blank, (type(obj),), dict(vars(obj)))
        if isinstance(obj, np.ndarray) and not obj.flags.writeable:
            return (_frozen_array, (np.array(obj),))
        if type(obj) is MappingProxyType:
            return (_proxy, (dict(obj),))
        return NotImplemented


def frozen_dumps(obj: Any) -> bytes:
    """``pickle.dumps`` that keeps read-only arrays read-only (see :class:`FrozenRecord`)."""
    buf = io.BytesIO()
    _FrozenPickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


def frozen_loads(data: bytes) -> Any:
    """The object of :func:`frozen_dumps`."""
    return pickle.loads(data)


def readonly(a: ArrayLike) -> np.ndarray:
    """A float copy of ``a`` that cannot be written to (results and data are immutable)."""

    out = np.array(a, dtype=float, copy=True)
    out.setflags(write=False)
    return out


def json_safe(o: Any) -> Any:
    """A JSON-ready copy: numpy scalars to Python numbers, NaN and infinities to None, a negative
    zero to zero."""

    if isinstance(o, Mapping):
        return {str(k): json_safe(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [json_safe(v) for v in o]
    if isinstance(o, np.generic):
        o = o.item()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, float) and o == 0.0:
        return 0.0  # never '-0.0'
    return o


def json_default(o: object) -> Any:
    """``default=`` for json.dumps: numpy scalars and arrays, paths; anything else as text."""

    if isinstance(o, np.generic):
        return json_safe(o.item())
    if isinstance(o, np.ndarray):
        return json_safe(o.tolist())
    if isinstance(o, Path):
        return o.as_posix()
    return str(o)


def no_negative_zero(df: Any, decimals: int | None = None) -> Any:
    """A copy of ``df`` (a DataFrame) with ``0.0`` for every ``-0.0`` of its float columns and, with
    ``decimals``, for every value that rounds to zero at that many decimals (written with a fixed
    format it would read '-0.000000'): CSV and JSON never show a negative zero. Other columns as
    they are."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            v = out[col] + 0.0
            out[col] = v.where(v.round(decimals) != 0, 0.0) if decimals is not None else v
    out.attrs = dict(df.attrs)
    return out


def clean_zero(v: float, nd: int) -> float:
    """``v``, or zero when it rounds to zero at ``nd`` decimals: formatted, it never reads '-0.00'."""
    return 0.0 if round(float(v), nd) == 0 else float(v)


def fmt_signed(v: SupportsFloat | None, nd: int = 1, *, missing: str = "n/a", bare_zero: bool = False) -> str:
    """'−6.5' with a true minus sign, '+2.4' with a plus; ``missing`` for None or NaN. A value that
    rounds to zero is zero: '+0.0', or '0.0' with ``bare_zero`` (as the tables print it); never '−0.0'."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return missing
    if round(float(v), nd) == 0:
        return f"{0.0:.{nd}f}" if bare_zero else f"{0.0:+.{nd}f}"
    return f"{float(v):+.{nd}f}".replace("-", "−")


#: USD units for reading, largest first: (divisor, name).
_USD_UNITS = ((1e9, "bn USD"), (1e6, "mn USD"), (1e3, "thousand USD"))


def usd_scale(largest: float) -> tuple[float, str]:
    """The unit in which ``largest`` (USD) reads as at least 1: bn USD for national totals, mn or
    thousand USD for a small test matrix (so that its numbers never print as 0.0 bn)."""
    for div, unit in _USD_UNITS:
        if abs(largest) >= div:
            return div, unit
    return 1.0, "USD"


def usd_text(v: float, nd: int = 1) -> str:
    """'22,098.2 bn USD', '4.2 mn USD': ``v`` (USD) in the unit it reads in (:func:`usd_scale`)."""
    div, unit = usd_scale(v)
    return f"{v / div:,.{nd}f} {unit}"


class ShortRepr:
    """A bounded ``repr`` and ``_repr_html_`` for result records (frozen dataclasses declared with
    ``repr=False``): scalar fields as they are, arrays and tables by shape, other records by type.
    Never longer than :data:`REPR_LIMIT` characters, whatever the arrays hold."""

    def _repr_fields(self) -> list[str]:
        out = []
        for f in fields(self):  # type: ignore[arg-type]
            if not f.repr:
                continue
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray) or (hasattr(v, "shape") and hasattr(v, "columns")):
                txt = f"{type(v).__name__}{tuple(v.shape)}"
            elif isinstance(v, float | int | str | bool) or v is None:
                txt = repr(v) if not isinstance(v, str) or len(v) < 80 else repr(v[:77] + "...")
            elif isinstance(v, datetime.date):
                txt = v.isoformat()
            elif isinstance(v, Mapping):
                txt = f"{{{len(v)} items}}"
            elif isinstance(v, tuple | list):
                txt = f"{type(v).__name__}[{len(v)}]"
            else:
                txt = f"<{type(v).__name__}>"
            out.append(f"{f.name}={txt}")
        return out

    def __repr__(self) -> str:
        text = f"{type(self).__name__}(" + ", ".join(self._repr_fields()) + ")"
        return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 4] + "...)"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(x.split('=', 1)[0])}</td><td>{html.escape(x.split('=', 1)[1])}</td></tr>"
            for x in self._repr_fields()
        )
        return f"<b>{html.escape(type(self).__name__)}</b><table>{rows}</table>"[: 4 * REPR_LIMIT]


#: The longest ``repr`` a result record gives.
REPR_LIMIT = 2_000
