"""Files readable by their owner only (0600): the SQLite database and its -wal/-shm, the
pseudonym key beside it, and what the terminal chat writes for a person (their data, their map).
Special-category data must not be readable by other accounts on the machine."""

from __future__ import annotations

import os
from pathlib import Path

OWNER_ONLY = 0o600


def make_private(path: Path) -> None:
    """Create `path` (empty) readable by its owner only, or take others' access away if it
    exists; whatever the umask says."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, OWNER_ONLY)
    try:
        os.fchmod(descriptor, OWNER_ONLY)  # an existing file keeps its mode on open
    finally:
        os.close(descriptor)


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path`, readable by its owner only, from its first byte on."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(descriptor, OWNER_ONLY)
        file.write(data)
