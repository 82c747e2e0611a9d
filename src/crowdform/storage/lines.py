"""Split a stream of byte chunks into lines, holding at most one line (plus one chunk) in memory.

Both stores read in chunks and share this splitter so that a manifest yields the same lines from a
local file and from S3. botocore's own ``StreamingBody.iter_lines`` is not used: it splits on a bare
``\\r`` as well, and when a ``\\r\\n`` straddles two chunks it yields a spurious empty line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

CHUNK_SIZE = 64 * 1024


def split_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Yield each ``\\n``-terminated line without its ``\\n`` or ``\\r\\n``.

    Empty lines are kept (as ``b""``), a last line without a newline is still yielded, and a final
    newline does not produce an extra empty line -- the same lines as ``bytes.splitlines`` on a
    JSON Lines file, but streamed.
    """
    pending: list[bytes] = []  # pieces of a line that spans chunks, joined once it ends
    for chunk in chunks:
        start = 0
        end = chunk.find(b"\n")
        while end != -1:
            if pending:
                pending.append(chunk[start:end])
                line = b"".join(pending)
                pending.clear()
            else:
                line = chunk[start:end]
            yield line[:-1] if line.endswith(b"\r") else line
            start = end + 1
            end = chunk.find(b"\n", start)
        if start < len(chunk):
            pending.append(chunk[start:])
    if pending:
        line = b"".join(pending)
        yield line[:-1] if line.endswith(b"\r") else line
