"""``aws-chunked`` request bodies, decoded as they stream (pure: bytes in, bytes out).

SDKs send a body in this framing when they do not know its checksum (or length) up front:
``STREAMING-UNSIGNED-PAYLOAD-TRAILER`` (boto3's default over HTTPS: plain chunks and a trailing
``x-amz-checksum-*`` line) and ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`` (each chunk signed,
chained from the request's own signature, the trailer signed last). Each chunk is
``<hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n``; a zero-size chunk ends the data, then come
the trailer lines and an empty line. The decoder keeps at most one header line in memory: data is
passed on as it arrives, and each chunk's signature is checked when the chunk ends (nothing is kept
before the whole body is checked: the caller commits only after :meth:`ChunkedDecoder.finish`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_LINE = 4096  # a chunk header or trailer line; real ones are under 200 bytes


class ChunkError(Exception):
    """The body is not valid aws-chunked framing (``reason`` ``framing``) or a signature in it does
    not match (``reason`` ``signature``)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ChunkSigner:
    """What checks chunk signatures: the SigV4 signing key, the request's time and scope, and its
    signature (the seed of the chain)."""

    key: bytes
    amz_date: str
    scope: str
    seed: str

    def chunk(self, previous: str, data_sha256: str) -> str:
        text = "\n".join(("AWS4-HMAC-SHA256-PAYLOAD", self.amz_date, self.scope, previous, EMPTY_SHA256, data_sha256))
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()

    def trailer(self, previous: str, trailer_lines: bytes) -> str:
        text = "\n".join(("AWS4-HMAC-SHA256-TRAILER", self.amz_date, self.scope, previous,
                          hashlib.sha256(trailer_lines).hexdigest()))
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()


class ChunkedDecoder:
    """Feed raw body bytes; get the data back. ``signer`` checks chunk signatures (signed streams)."""

    def __init__(self, signer: ChunkSigner | None = None) -> None:
        self.signer = signer
        self.previous = signer.seed if signer else ""
        self.trailers: dict[str, str] = {}
        self._pending = b""  # an incomplete header or trailer line
        self._remaining = 0  # data bytes left in the current chunk
        self._state = "header"  # header -> data -> crlf -> header ... -> trailer -> done
        self._chunk_signature = ""
        self._chunk_hash = hashlib.sha256() if signer else None
        self._trailer_text = b""
        self._trailer_signature: str | None = None

    def feed(self, raw: bytes) -> list[bytes]:
        out: list[bytes] = []
        view = memoryview(raw)
        while view:
            if self._state == "data":
                piece = view[:self._remaining]
                view = view[len(piece):]
                self._remaining -= len(piece)
                if self._chunk_hash is not None:
                    self._chunk_hash.update(piece)
                out.append(bytes(piece))
                if self._remaining == 0:
                    self._state = "crlf"
                continue
            if self._state == "done":
                if bytes(view).strip(b"\r\n"):
                    raise ChunkError("framing", "the aws-chunked body goes on after its final chunk")
                return out
            line, view = self._line(view)
            if line is None:
                break
            self._on_line(line)
        return out

    def finish(self) -> None:
        """The body ended: it must have ended where the framing says, with every signature right."""
        if self._state != "done":
            raise ChunkError("framing", "the aws-chunked body ended before its final zero-size chunk and trailer")

    # ---------------------------------------------------------------- internals
    def _line(self, view: memoryview) -> tuple[bytes | None, memoryview]:
        if self._pending.endswith(b"\r") and view[:1] == b"\n":  # a CRLF split between two feeds
            line, self._pending = self._pending[:-1], b""
            return line, view[1:]
        data = bytes(view[:MAX_LINE + 2])  # a line is short: never copy more of a large buffer
        end = data.find(b"\r\n")
        if end < 0:
            self._pending += data
            if len(self._pending) > MAX_LINE:
                raise ChunkError("framing", "an aws-chunked header line is too long")
            return None, view[len(view):]
        line = self._pending + data[:end]
        self._pending = b""
        return line, view[end + 2:]

    def _on_line(self, line: bytes) -> None:
        if self._state == "crlf":
            if line:
                raise ChunkError("framing", "an aws-chunked chunk is longer than its declared size")
            self._end_chunk()
            self._state = "header"
        elif self._state == "header":
            self._start_chunk(line)
        elif self._state == "trailer":
            self._trailer_line(line)

    def _start_chunk(self, line: bytes) -> None:
        size_text, _, extension = line.partition(b";")
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ChunkError("framing", f"an aws-chunked chunk size is not hexadecimal: {size_text[:20]!r}") from None
        name, _, signature = extension.partition(b"=")
        if self.signer is not None:
            if name.strip() != b"chunk-signature" or not signature:
                raise ChunkError("framing", "a signed aws-chunked chunk has no chunk-signature")
            self._chunk_signature = signature.decode("ascii", "replace").strip()
        self._remaining = size
        if size == 0:
            self._end_chunk()
            self._state = "trailer"
        else:
            self._state = "data"

    def _end_chunk(self) -> None:
        if self.signer is None or self._chunk_hash is None:
            return
        expected = self.signer.chunk(self.previous, self._chunk_hash.hexdigest())
        if not hmac.compare_digest(expected, self._chunk_signature):
            raise ChunkError("signature", "a chunk's signature does not match its data (chunk-signature)")
        self.previous = expected
        self._chunk_hash = hashlib.sha256()

    def _trailer_line(self, line: bytes) -> None:
        if not line:  # the empty line that ends the body
            if self.signer is not None and self._trailer_text:
                if self._trailer_signature is None:
                    raise ChunkError("framing", "a signed aws-chunked trailer has no x-amz-trailer-signature")
                expected = self.signer.trailer(self.previous, self._trailer_text)
                if not hmac.compare_digest(expected, self._trailer_signature):
                    raise ChunkError("signature", "the trailer's signature does not match (x-amz-trailer-signature)")
            self._state = "done"
            return
        name, colon, value = line.decode("utf-8", "replace").partition(":")
        if not colon:
            raise ChunkError("framing", f"an aws-chunked trailer line is not 'name:value': {line[:40]!r}")
        name, value = name.strip().lower(), value.strip()
        if name == "x-amz-trailer-signature":
            self._trailer_signature = value
        else:
            self.trailers[name] = value
            self._trailer_text += f"{name}:{value}\n".encode()
