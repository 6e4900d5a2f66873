"""The default mailer: each e-mail becomes an .eml file a newcomer can open in any mail client."""

from __future__ import annotations

import asyncio
from pathlib import Path

from backend.adapters.mail.mime import build_mime
from backend.services.outreach_ports import OutgoingEmail


class FileOutbox:
    def __init__(self, directory: Path, sender_address: str) -> None:
        self.directory = directory
        self._sender = sender_address

    async def send(self, email: OutgoingEmail) -> str:
        message = build_mime(email, self._sender)
        # Named by the message id: sending the same message again replaces its file, never adds one.
        path = self.directory / f"{email.message_id}.eml"
        await asyncio.to_thread(self._write, path, message.as_bytes())
        return f"file:{path.name}"

    def _write(self, path: Path, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".eml.partial")
        partial.write_bytes(data)
        partial.replace(path)  # a reader never sees half a message
