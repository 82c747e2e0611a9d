"""The aws-chunked decoder against AWS's own worked example ("Signature Calculations for the
Authorization Header: Transferring Payload in Multiple Chunks", Example: PUT Object): 66,560 bytes of
``a`` in a 64 KiB chunk and a 1 KiB chunk, signed with the documentation's example key."""

from __future__ import annotations

import pytest

from crowdform.aws.s3.chunked import ChunkedDecoder, ChunkError, ChunkSigner
from crowdform.aws.signature import signing_key

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
CHUNK_SIGNATURES = ("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
                    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
                    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9")


def signer() -> ChunkSigner:
    return ChunkSigner(signing_key(SECRET, "20130524", "us-east-1", "s3"), "20130524T000000Z",
                       "20130524/us-east-1/s3/aws4_request", SEED)


def body(signatures: tuple[str, ...] = CHUNK_SIGNATURES, data: bytes = b"a" * 65536) -> bytes:
    return (b"10000;chunk-signature=" + signatures[0].encode() + b"\r\n" + data + b"\r\n"
            + b"400;chunk-signature=" + signatures[1].encode() + b"\r\n" + b"a" * 1024 + b"\r\n"
            + b"0;chunk-signature=" + signatures[2].encode() + b"\r\n\r\n")


@pytest.mark.parametrize("piece", [1, 7, 1000, 1 << 20])
def test_the_documented_example_decodes_in_pieces_of_any_size(piece: int) -> None:
    raw, decoder, out = body(), ChunkedDecoder(signer()), []
    for start in range(0, len(raw), piece):
        out += decoder.feed(raw[start:start + piece])
    decoder.finish()
    assert b"".join(out) == b"a" * 66560


def test_a_changed_chunk_or_signature_is_refused() -> None:
    with pytest.raises(ChunkError) as changed:
        ChunkedDecoder(signer()).feed(body(data=b"b" + b"a" * 65535))
    assert changed.value.reason == "signature"
    swapped = (CHUNK_SIGNATURES[1], CHUNK_SIGNATURES[0], CHUNK_SIGNATURES[2])
    with pytest.raises(ChunkError):
        ChunkedDecoder(signer()).feed(body(swapped))


@pytest.mark.parametrize("raw", [b"zz\r\n", b"5\r\nabc", b"3\r\nabcdef\r\n0\r\n\r\n"])
def test_broken_framing_is_refused(raw: bytes) -> None:
    decoder = ChunkedDecoder()
    with pytest.raises(ChunkError):
        decoder.feed(raw)
        decoder.finish()


def test_an_unsigned_body_keeps_its_trailer() -> None:
    decoder = ChunkedDecoder()
    out = decoder.feed(b"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n")
    decoder.finish()
    assert out == [b"abc"] and decoder.trailers == {"x-amz-checksum-crc32": "NSRBwg=="}
