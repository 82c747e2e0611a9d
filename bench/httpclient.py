"""A minimal HTTP/1.1 keep-alive client on asyncio streams, for load generation on a 2-core machine.

Why not httpx: one httpx request costs the client a few hundred microseconds to a millisecond of
CPU (request/response models, header objects, the h11 state machine, locks), and with threads the
GIL serialises all of it. On this machine the load generator shares two cores with the server, so a
heavy client measures itself. This client writes pre-built request bytes and reads
``Content-Length`` (or chunked) bodies: tens of microseconds per request. It only talks to the
server under test on loopback and supports exactly what the crowdform API uses.
"""

from __future__ import annotations

import asyncio
import socket


class HttpError(Exception):
    def __init__(self, kind: str, message: str = ""):
        super().__init__(f"{kind}: {message}")
        self.kind = kind


class Connection:
    """One persistent connection; requests on it are sequential (one worker = one connection)."""

    def __init__(self, host: str, port: int, default_headers: dict[str, str] | None = None):
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._headers = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{port}", **(default_headers or {})}.items())

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        sock = self._writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def build(self, method: str, path: str, body: bytes = b"", content_type: str | None = None) -> bytes:
        head = f"{method} {path} HTTP/1.1\r\n{self._headers}"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        return (head + f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        """Send a pre-built request; returns (status, body). Reconnects once if the server closed."""
        for attempt in (0, 1):
            if self._writer is None:
                await self._connect()
            assert self._reader is not None and self._writer is not None
            try:
                self._writer.write(raw)
                head = await self._reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                self.close()
                if attempt:
                    raise HttpError("transport", repr(exc)) from None
                continue
            status = int(head[9:12])
            lower = head.lower()
            body = b""
            i = lower.find(b"\r\ncontent-length:")
            if i >= 0:
                j = lower.index(b"\r\n", i + 2)
                length = int(head[i + 17:j])
                body = await self._reader.readexactly(length) if length else b""
            elif b"\r\ntransfer-encoding: chunked" in lower:
                parts = []
                while True:
                    size = int((await self._reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                    if size == 0:
                        await self._reader.readuntil(b"\r\n")
                        break
                    parts.append(await self._reader.readexactly(size))
                    await self._reader.readexactly(2)
                body = b"".join(parts)
            if b"\r\nconnection: close" in lower:
                self.close()
            return status, body
        raise HttpError("transport", "unreachable")

    async def request(self, method: str, path: str, body: bytes = b"", content_type: str | None = None) -> tuple[int, bytes]:
        return await self.send(self.build(method, path, body, content_type))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None
