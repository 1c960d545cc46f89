"""Who the client was, in the audit trail after erasure: a keyed hash (HMAC-SHA256) of their
account on the channel (telegram:1001), so the trail names nobody, yet an administrator who is
asked about that account finds it again (NEN 7513). The account, not the client's number: a
number can be given again to the next client, an account is one person. Without the key the
accounts (numbers) cannot be found by trying them all.

The key is AUDIT_PSEUDONYM_KEY; for the embedded SQLite database, without that setting, a key
made once and kept beside the database file, readable by its owner only. Losing the key loses
the way from an id to an erased client's trail, not the trail.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from storage.files import write_private

KEY_SUFFIX = ".audit-key"


def pseudonym(key: bytes, identity: str) -> str:
    """The client's account as the audit trail keeps it after erasure (64 hex digits)."""
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()


def key_beside(database: Path) -> bytes:
    """The key kept beside the SQLite file `database`, made the first time."""
    path = database.with_name(database.name + KEY_SUFFIX)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{secrets.token_hex(4)}.new")
        write_private(draft, secrets.token_hex(32).encode())
        try:
            # A link is made whole or not at all: of two processes starting at once, one key
            # wins and both use it; nobody reads a half-written file.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes().strip()
