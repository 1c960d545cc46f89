"""The files the fake knows: sent by the bot, added by a test, or found in an update."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.fake_bot_api.calls import UploadedFile
from tests.e2e.fake_bot_api.errors import bad_request


class Files:
    """File metadata (for getFile) and content (for downloads), by file_id."""

    def __init__(self) -> None:
        self.uploaded_files: dict[str, bytes] = {}
        self._meta: dict[str, dict[str, Any]] = {}  # file_id -> File metadata incl. file_path
        self._counter = 0

    def get(self, file_id: str) -> dict[str, Any] | None:
        """The File (with its file_path) of ``file_id``, if the fake knows it."""
        return self._meta.get(file_id)

    def content(self, file_path: str) -> bytes | None:
        """The content of the file at ``file_path``, if there is one."""
        for file_id, meta in self._meta.items():
            if meta["file_path"] == file_path:
                return self.uploaded_files[file_id]
        return None

    def register(self, value: Any) -> None:
        """Know every file (a dict with a file_id) in ``value``, e.g. an update."""
        # So that the bot may re-send or getFile a file_id a test put into an update.
        if isinstance(value, list):
            for item in value:
                self.register(item)
        elif isinstance(value, dict):
            file_id = value.get("file_id")
            if isinstance(file_id, str) and file_id not in self._meta:
                self._counter += 1
                self._meta[file_id] = {
                    "file_id": file_id,
                    "file_unique_id": str(value.get("file_unique_id", f"unique-{file_id}")),
                    "file_size": int(value.get("file_size", 0)),
                    "file_path": f"received/file_{self._counter}",
                }
                self.uploaded_files.setdefault(file_id, b"")
            for item in value.values():
                self.register(item)

    def store(
        self, kind: str, content: bytes, file_name: str | None, mime_type: str | None
    ) -> dict[str, Any]:
        """Keep ``content`` as a new file of ``kind``; its metadata, as a Document has it."""
        self._counter += 1
        number = self._counter
        file_id = f"{kind}-{number}"
        suffix = Path(file_name).suffix if file_name else ""
        meta: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": f"unique-{number}",
            "file_size": len(content),
        }
        self._meta[file_id] = {**meta, "file_path": f"{kind}s/file_{number}{suffix}"}
        self.uploaded_files[file_id] = content
        if file_name:
            meta["file_name"] = file_name
        if mime_type:
            meta["mime_type"] = mime_type
        return meta

    def input_file(self, value: Any, kind: str) -> dict[str, Any]:
        """File metadata for an InputFile parameter: an upload, a known file_id or a URL."""
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            return self.store(kind, value.data, value.filename, value.content_type)
        known = self._meta.get(value)
        if known is not None:
            return {k: v for k, v in known.items() if k != "file_path"}
        if re.match(r"https?://", value):
            name = value.rstrip("/").rsplit("/", 1)[-1] or None
            return self.store(kind, b"", name, None)
        raise bad_request("wrong file identifier/HTTP URL specified")
