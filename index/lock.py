"""The embedded index admits one process: the engine flocks the index folder's ``wal/``. This module checks that
lock with the standard library alone, so a command can refuse at once, before it loads the engine and the model."""

import fcntl
import os
from pathlib import Path


class IndexLockedError(RuntimeError):
    """The engine allows one process per index folder; this says which folder and what to do, in one line."""

    def __init__(self, path: Path, pid: int | None = None) -> None:
        self.path = path
        self.pid = pid
        holder = f" (pid {pid})" if pid else ""
        super().__init__(
            f"index {path} is in use by another process{holder}, e.g. the API server (one process per index); "
            "stop it or set HJEMMEL_INDEX_DIR to another folder"
        )


def lock_holder(wal_dir: Path) -> int | None:
    """Best-effort pid of the process holding the engine's flock on ``wal/`` (Linux /proc/locks), for the message."""
    try:
        st = wal_dir.stat()
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) < 6 or "FLOCK" not in fields:
            continue
        try:
            major, minor, inode = fields[5].split(":")
            if (int(inode), int(major, 16), int(minor, 16)) == (st.st_ino, os.major(st.st_dev), os.minor(st.st_dev)):
                return int(fields[4])
        except ValueError:
            continue
    return None


def ensure_unlocked(index_dir: Path) -> None:
    """Raise IndexLockedError if another process holds the index; call it before this process opens the index
    (a second flock from this process would conflict with its own)."""
    path = index_dir.expanduser().resolve()
    wal = path / "wal"
    try:
        fd = os.open(wal, os.O_RDONLY)
    except OSError:
        return  # no index yet: the engine creates it, and nobody holds it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise IndexLockedError(path, lock_holder(wal)) from None
    finally:
        os.close(fd)  # closing the descriptor releases a lock taken here
