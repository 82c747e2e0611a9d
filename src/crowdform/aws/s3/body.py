"""Reading S3 request bodies off the ASGI ``receive``: small XML documents whole, objects streamed.

An object's bytes are gathered into batches of :data:`BATCH_BYTES` and each batch is decoded,
hashed and written in a worker thread, so the event loop never hashes or touches the disk and at
most one batch per upload is in memory. The last batch is handed back to the caller, which feeds
it in the same thread call that finishes the upload: a small object costs one thread hop.
"""

from __future__ import annotations

from typing import Protocol

from starlette.concurrency import run_in_threadpool

from crowdform.aws.endpoint import read_body
from crowdform.aws.errors import AwsError
from crowdform.aws.service import AwsCall
from crowdform.aws.signature import check_payload_hash

BATCH_BYTES = 1024 * 1024
MAX_XML_BYTES = 2 * 1024 * 1024  # a Delete of 1000 keys or a Complete of 10,000 parts fits


async def read_document(call: AwsCall) -> bytes:
    """A small request body (XML), read whole and checked against its signed hash."""
    body = await read_body(call.receive, MAX_XML_BYTES, call.http)
    check_payload_hash(call.http, body)
    return body


class Feedable(Protocol):
    def feed(self, raw: bytes) -> None: ...


async def stream_into(call: AwsCall, intake: Feedable) -> bytes:
    """Feed the body to ``intake`` batch by batch in threads; the last (partial) batch is returned."""
    batch: list[bytes] = []
    size = 0
    while True:
        message = await call.receive()
        if message["type"] == "http.disconnect":
            raise AwsError("IncompleteBody", "The client closed the connection before sending the whole body.")
        chunk = message.get("body", b"")
        if chunk:
            batch.append(chunk)
            size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(batch)
        if size >= BATCH_BYTES:
            await run_in_threadpool(intake.feed, b"".join(batch))
            batch, size = [], 0
