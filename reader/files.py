"""Reading corpus files safely: regular files only, a byte cap, no hangs.

Everything the corpus layer reads from disk goes through :func:`read_capped`: a FIFO,
device or socket named ``x.txt`` is refused (it would block or never end), a symlink to
``/dev/zero`` is refused, and a file is read up to a cap that does not trust ``st_size``.
"""

from __future__ import annotations

import errno
import os
import stat

from reader.errors import ReaderError

MAX_BYTES = 64 * 1024 * 1024
"""Files larger than this are skipped rather than read into memory."""


def read_capped(path: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, at most ``limit`` of them.

    Raises:
        ReaderError: one line naming the file: not a regular file, too large, vanished,
            unreadable.
    """
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of hanging.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ReaderError(f"{path}: skipped, the file vanished before it could be read") from None
    except PermissionError:
        raise ReaderError(f"{path}: skipped, no permission to read it") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReaderError(f"{path}: skipped, symlink loop") from None
        raise ReaderError(f"{path}: skipped, {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ReaderError(f"{path}: skipped, is a folder")
        if not stat.S_ISREG(st.st_mode):
            raise ReaderError(f"{path}: skipped, not a regular file (a pipe, device or socket)")
        chunks: list[bytes] = []
        total = 0
        # The size stat gives, plus one byte: a file that is exactly that size is read in one
        # call; one that grew, or whose size says nothing (/proc), is read on in chunks.
        first = min(st.st_size + 1, limit + 1)
        while True:
            chunk = os.read(fd, first if not chunks else min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ReaderError(f"{path}: skipped, over the {limit // (1024 * 1024)} MB limit")
            if len(chunks) == 1 and len(chunk) == st.st_size:
                break
        return b"".join(chunks)
    except OSError as exc:
        raise ReaderError(f"{path}: skipped, {exc.strerror or exc}") from None
    finally:
        os.close(fd)
