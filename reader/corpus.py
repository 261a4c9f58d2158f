"""Files to :class:`~reader.models.Dispatch` values: discovery, decoding, normalisation.

A corpus is a folder searched recursively for ``.txt`` and ``.md`` files, or a list of
files. A dispatch's id is its path relative to the corpus root without the suffix. Files
that cannot be read become one-line warnings; the rest of the corpus loads.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from reader.errors import ReaderError
from reader.files import read_capped
from reader.metadata import extract_metadata
from reader.models import Dispatch
from reader.segments import count_words

if TYPE_CHECKING:
    from reader.search import Hit

SUFFIXES = (".txt", ".md")


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


def read_text_and_bytes(path: str) -> tuple[str, bytes | None]:
    """The normalised text of one file, without metadata or hashing (for scans that only
    match), and its UTF-8 bytes when the file holds exactly those (valid UTF-8, no
    byte-order mark, no CR), so a search need not encode it again.

    Raises:
        ReaderError: as :func:`reader.files.read_capped`.
    """
    data = read_capped(path)
    text, warnings = decode(data, path)
    if warnings or b"\r" in data or data.startswith(b"\xef\xbb\xbf"):
        return normalise(text), None
    return text, data


def read_dispatch(path: Path, dispatch_id: str) -> Dispatch:
    """Read one file. Raises :class:`ReaderError` with a one-line reason on failure."""
    data = read_capped(str(path))
    text, warnings = decode(data, str(path))
    return make_dispatch(dispatch_id, str(path), text, warnings)


class DispatchSource(Protocol):
    """What the core needs of a corpus: the in-memory :class:`Corpus` and the catalog-backed
    :class:`reader.workspace.Archive` both provide it."""

    roots: tuple[str, ...]

    @property
    def warnings(self) -> list[str]: ...
    @property
    def entries(self) -> Sequence[Entry]: ...
    def entries_by_id(self) -> Sequence[Entry]: ...
    def warning_count(self) -> int: ...
    def __len__(self) -> int: ...
    def __contains__(self, dispatch_id: object) -> bool: ...
    def __iter__(self) -> Iterator[Dispatch]: ...
    def get(self, dispatch_id: str) -> Dispatch | None: ...
    def require(self, dispatch_id: str) -> Dispatch: ...
    def resolve(self, dispatch_id: str) -> str: ...
    def ids(self) -> list[str]: ...
    def index_of(self, dispatch_id: str) -> int: ...
    def id_at(self, index: int) -> str: ...
    def by_sha256(self, sha256: str) -> Dispatch | None: ...
    def candidates_for(self, quote: str) -> list[Dispatch]: ...
    def matching_ids(self, query: str, *, regex: bool = False, case: bool = False) -> Iterator[str]: ...
    def search(
        self, query: str, *, regex: bool = False, case: bool = False, limit: int | None = None
    ) -> Iterator[Hit]: ...


class Entry(Protocol):
    """One row of a library: what is known of a dispatch without reading its text."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def date(self) -> str: ...
    @property
    def words(self) -> int: ...


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
        """The dispatch with this id or unique prefix; :class:`UsageError` naming candidates."""
        return self._by_id[self.resolve(dispatch_id)]

    def index_of(self, dispatch_id: str) -> int:
        return next(i for i, d in enumerate(self.dispatches) if d.id == dispatch_id)

    def id_at(self, index: int) -> str:
        return self.dispatches[index].id

    def ids(self) -> list[str]:
        return [d.id for d in self.dispatches]

    @property
    def entries(self) -> list[Dispatch]:
        """The rows a library shows (here, the dispatches themselves)."""
        return self.dispatches

    def entries_by_id(self) -> list[Dispatch]:
        """The rows in id order (they are kept in it)."""
        return self.dispatches

    def warning_count(self) -> int:
        return len(self.warnings)

    def resolve(self, dispatch_id: str) -> str:
        from reader.workspace import resolve_id

        return resolve_id(
            dispatch_id,
            lambda i: i in self._by_id,
            lambda p: [d.id for d in self.dispatches if d.id.startswith(p)],
            ", ".join(self.roots) or "the corpus",
        )

    def candidates_for(self, quote: str) -> list[Dispatch]:
        """The dispatches that may contain ``quote`` (here: all of them)."""
        return list(self.dispatches)

    def matching_ids(self, query: str, *, regex: bool = False, case: bool = False) -> Iterator[str]:
        """Ids of the dispatches whose title or text holds ``query`` (the library filter)."""
        from reader.search import compile_query

        if not query:
            return
        pattern = compile_query(query, regex=regex, case=case)
        for d in self.dispatches:
            if pattern.search(d.text) or pattern.search(d.title):
                yield d.id

    def by_sha256(self, sha256: str) -> Dispatch | None:
        return next((d for d in self.dispatches if d.sha256 == sha256), None)

    def search(
        self, query: str, *, regex: bool = False, case: bool = False, limit: int | None = None
    ) -> Iterator[Hit]:
        from reader.search import search

        yield from search(self.dispatches, query, regex=regex, case=case, limit=limit)


def walk_corpus(
    roots: Iterable[str | os.PathLike[str]], part: tuple[int, int] = (0, 1)
) -> tuple[list[tuple[str, str, int, int]], list[str]]:
    """Regular files with a corpus suffix under ``roots``: ``(path, id, size, mtime_ns)``.

    Folders are searched recursively (symlinks followed, loops and unreadable folders
    reported); FIFOs, devices and sockets are skipped with a warning, as are hidden files.
    Ids are NFC-normalised; a second file whose id collides with an earlier one is skipped.
    Paths are absolute.

    ``part=(k, n)``: one of ``n`` disjoint shares of the walk, for ``n`` processes. Every
    share lists every folder; share ``k`` examines the entries at positions ``k``, ``k +
    n``, ... of each sorted listing (folders are still entered by all) and alone reports
    the folders' own problems when ``k`` is 0. The shares' files and warnings together are
    the whole walk's, except that an id collision between shares is not detected.

    Raises:
        ReaderError: a named root does not exist.
    """
    found: list[tuple[str, str, int, int]] = []
    warnings: list[str] = []
    taken: dict[str, str] = {}
    nfc = unicodedata.normalize

    def add(path: str, dispatch_id: str, st: os.stat_result) -> None:
        if stat.S_ISDIR(st.st_mode):
            warnings.append(f"{path}: skipped, is a folder")
            return
        if not stat.S_ISREG(st.st_mode):
            warnings.append(f"{path}: skipped, not a regular file (a pipe, device or socket)")
            return
        if not dispatch_id.isascii():
            dispatch_id = nfc("NFC", dispatch_id)
        if dispatch_id in taken:
            warnings.append(f"{path}: skipped, id {dispatch_id!r} is already taken by {taken[dispatch_id]}")
            return
        taken[dispatch_id] = path
        found.append((path, dispatch_id, st.st_size, st.st_mtime_ns))

    share, shares = part
    lead = share == 0

    def walk(folder: str, prefix: str, seen: set[tuple[int, int]]) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            if lead:
                warnings.append(f"{folder}: skipped, {exc.strerror or exc}")
            return
        for position, entry in enumerate(entries):
            name = entry.name
            if name.startswith("."):
                continue
            mine = shares == 1 or position % shares == share
            if not mine:
                # Another share's entry; a folder is entered by every share.
                try:
                    if not entry.is_dir() or name.endswith(SUFFIXES):
                        continue
                except OSError:
                    continue
            try:
                # One stat per entry, following symlinks (a link to a file or folder counts).
                st = entry.stat()
            except OSError as exc:
                if mine:
                    warnings.append(f"{entry.path}: skipped, {exc.strerror or exc}")
                continue
            if stat.S_ISDIR(st.st_mode):
                if name.endswith(SUFFIXES):
                    if mine:
                        warnings.append(f"{entry.path}: skipped, is a folder")
                    continue
                key = (st.st_dev, st.st_ino)
                if key in seen:
                    if lead:
                        warnings.append(f"{entry.path}: skipped, symlink loop")
                    continue
                walk(entry.path, prefix + name + "/", seen | {key})
            elif mine and name.endswith(SUFFIXES):
                add(entry.path, prefix + name.rsplit(".", 1)[0], st)

    for raw in roots:
        root = os.path.abspath(os.fspath(raw))
        try:
            st = os.stat(root)
        except FileNotFoundError:
            raise ReaderError(f"{raw}: corpus not found (set --corpus or READER_CORPUS)") from None
        except OSError as exc:
            raise ReaderError(f"{raw}: cannot be read ({exc.strerror or exc})") from None
        if stat.S_ISDIR(st.st_mode):
            walk(root, "", {(st.st_dev, st.st_ino)})
        elif lead:
            add(root, Path(root).with_suffix("").name, st)
    return found, warnings


def load_corpus(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> Corpus:
    """Load every dispatch under ``paths`` into memory (folders are searched recursively).

    For small corpora and scripts; the CLI and the app use the catalog
    (:mod:`reader.workspace`), which reads a text only when it is needed.

    Raises:
        ReaderError: a named path does not exist.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    roots = [os.fspath(p) for p in paths]
    found, warnings = walk_corpus(roots)
    dispatches: list[Dispatch] = []
    for path, dispatch_id, _size, _mtime in found:
        try:
            dispatch = read_dispatch(Path(path), dispatch_id)
        except ReaderError as exc:
            warnings.append(str(exc))
            continue
        warnings.extend(dispatch.warnings)
        dispatches.append(dispatch)
    dispatches.sort(key=lambda d: d.id)
    return Corpus(dispatches, warnings, tuple(roots))
