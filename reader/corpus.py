"""Files to :class:`~reader.models.Dispatch` values: discovery, decoding, normalisation.

A corpus is a folder searched recursively for ``.txt`` and ``.md`` files, or a list of
files. A dispatch's id is its path relative to the corpus root without the suffix. Files
that cannot be read become one-line warnings; the rest of the corpus loads.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reader.errors import ReaderError
from reader.metadata import extract_metadata
from reader.models import Dispatch
from reader.segments import count_words

SUFFIXES = (".txt", ".md")
MAX_BYTES = 64 * 1024 * 1024
"""Files larger than this are skipped rather than read into memory."""


def normalise(text: str) -> str:
    """CRLF and lone CR become LF; nothing else changes."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Decode file bytes: UTF-8 (a BOM is dropped), else cp1252 with a warning.

    Raises:
        ReaderError: the bytes hold NUL characters (a binary file) or cannot be decoded.
    """
    if b"\x00" in data:
        raise ReaderError(f"{name}: skipped, contains NUL bytes (binary file?)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        where = exc.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text, [f"{name}: not UTF-8 (first bad byte at {where}), read as Windows-1252"]


def make_dispatch(dispatch_id: str, path: str, raw_text: str, warnings: Sequence[str] = ()) -> Dispatch:
    """Build a dispatch from already decoded text."""
    text = normalise(raw_text)
    fallback = dispatch_id.rsplit("/", 1)[-1]
    return Dispatch(
        id=dispatch_id,
        path=path,
        text=text,
        sha256=sha256_of(text),
        meta=extract_metadata(text, fallback),
        words=count_words(text),
        warnings=tuple(warnings),
    )


def read_dispatch(path: Path, dispatch_id: str) -> Dispatch:
    """Read one file. Raises :class:`ReaderError` with a one-line reason on failure."""
    try:
        if path.is_dir():
            raise ReaderError(f"{path}: skipped, is a folder")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ReaderError(f"{path}: skipped, {size // (1024 * 1024)} MB is over the 64 MB limit")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReaderError(f"{path}: skipped, the file vanished before it could be read") from None
    except PermissionError:
        raise ReaderError(f"{path}: skipped, no permission to read it") from None
    except OSError as exc:
        raise ReaderError(f"{path}: skipped, {exc.strerror or exc}") from None
    text, warnings = decode(data, str(path))
    return make_dispatch(dispatch_id, str(path), text, warnings)


@dataclass
class Corpus:
    """The dispatches of a corpus, sorted by id, and the warnings loading produced."""

    dispatches: list[Dispatch]
    warnings: list[str] = field(default_factory=list)
    roots: tuple[str, ...] = ()
    _by_id: dict[str, Dispatch] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {d.id: d for d in self.dispatches}

    def __len__(self) -> int:
        return len(self.dispatches)

    def __iter__(self) -> Iterator[Dispatch]:
        return iter(self.dispatches)

    def __contains__(self, dispatch_id: object) -> bool:
        return dispatch_id in self._by_id

    def get(self, dispatch_id: str) -> Dispatch | None:
        return self._by_id.get(dispatch_id)

    def require(self, dispatch_id: str) -> Dispatch:
        """The dispatch with this id, or a :class:`ReaderError` naming close matches."""
        found = self._by_id.get(dispatch_id)
        if found is not None:
            return found
        prefixed = [d.id for d in self.dispatches if d.id.startswith(dispatch_id)]
        if len(prefixed) == 1 and dispatch_id:
            return self._by_id[prefixed[0]]
        where = ", ".join(self.roots) or "the corpus"
        hint = f" (did you mean {', '.join(prefixed[:3])}?)" if prefixed else ""
        raise ReaderError(f"no dispatch {dispatch_id!r} in {where}{hint}; `reader list` shows the ids")

    def index_of(self, dispatch_id: str) -> int:
        return next(i for i, d in enumerate(self.dispatches) if d.id == dispatch_id)


def _walk(root: Path, warnings: list[str]) -> Iterator[Path]:
    """Files under ``root`` with a corpus suffix; symlink loops and unreadable folders warn."""
    seen: set[tuple[int, int]] = set()

    def onerror(exc: OSError) -> None:
        warnings.append(f"{exc.filename}: skipped, {exc.strerror or exc}")

    for folder, dirs, files in os.walk(root, onerror=onerror, followlinks=True):
        try:
            st = os.stat(folder)
        except OSError as exc:
            warnings.append(f"{folder}: skipped, {exc.strerror or exc}")
            dirs[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            warnings.append(f"{folder}: skipped, symlink loop")
            dirs[:] = []
            continue
        seen.add(key)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in dirs:
            if name.endswith(SUFFIXES):
                warnings.append(f"{Path(folder) / name}: skipped, is a folder")
        for name in sorted(files):
            if name.endswith(SUFFIXES) and not name.startswith("."):
                yield Path(folder) / name


def _dispatch_id(path: Path, root: Path) -> str:
    rel = path.relative_to(root) if root != path else Path(path.name)
    return rel.with_suffix("").as_posix()


def load_corpus(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> Corpus:
    """Load every dispatch under ``paths`` (folders are searched recursively).

    Raises:
        ReaderError: a named path does not exist.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    warnings: list[str] = []
    dispatches: dict[str, Dispatch] = {}
    roots: list[str] = []
    for raw in paths:
        root = Path(raw)
        roots.append(str(root))
        if not root.exists():
            raise ReaderError(f"{root}: corpus not found (set --corpus or READER_CORPUS)")
        if root.is_dir():
            candidates = [(p, _dispatch_id(p, root)) for p in _walk(root, warnings)]
        else:
            candidates = [(root, root.with_suffix("").name)]
        for path, dispatch_id in candidates:
            try:
                dispatch = read_dispatch(path, dispatch_id)
            except ReaderError as exc:
                warnings.append(str(exc))
                continue
            warnings.extend(dispatch.warnings)
            if dispatch_id in dispatches:
                warnings.append(f"{path}: skipped, id {dispatch_id!r} is already taken")
                continue
            dispatches[dispatch_id] = dispatch
    ordered = sorted(dispatches.values(), key=lambda d: d.id)
    return Corpus(ordered, warnings, tuple(roots))
