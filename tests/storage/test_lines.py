"""The line splitter both stores share, including chunk boundaries that fall inside a line ending."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crowdform.storage.lines import split_lines


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


CASES = [
    (b"", []),
    (b"\n", [b""]),
    (b"a", [b"a"]),
    (b"a\n", [b"a"]),
    (b"a\nb", [b"a", b"b"]),
    (b"a\n\nb\n", [b"a", b"", b"b"]),
    (b"a\r\nb\r\n", [b"a", b"b"]),
    (b"a\r\n\r\nb", [b"a", b"", b"b"]),
    (b"a\rb\n", [b"a\rb"]),  # a bare \r is data, not a line break
    (b"a\r", [b"a"]),
    (b'{"x": 1}\n{"x": 2}', [b'{"x": 1}', b'{"x": 2}']),
]


@pytest.mark.parametrize(("data", "lines"), CASES)
@pytest.mark.parametrize("size", [1, 2, 3, 1000])
def test_lines_are_the_same_whatever_the_chunking(data: bytes, lines: list[bytes], size: int) -> None:
    assert list(split_lines(chunked(data, size))) == lines


def test_crlf_split_across_chunks_gives_no_spurious_empty_line() -> None:
    assert list(split_lines([b"one\r", b"\ntwo\r", b"\n"])) == [b"one", b"two"]


def test_lines_are_yielded_before_the_stream_ends() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"first\nsec"
        raise RuntimeError("the stream broke")

    lines = split_lines(chunks())
    assert next(lines) == b"first"
    with pytest.raises(RuntimeError, match="the stream broke"):
        next(lines)


def test_a_line_spanning_many_chunks_is_joined_once() -> None:
    long_line = b"x" * 100_000
    assert list(split_lines(chunked(long_line + b"\nend", 7))) == [long_line, b"end"]
