"""Property tests of the manifest reader: any lines at all -- hostile values in JSON, raw bytes, broken
UTF-8 -- either become data objects that every later step can store, or refuse the manifest with
line numbers and a message that can itself be stored and shown."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from crowdform.errors import InvalidInput
from crowdform.manifest.reader import read_manifest
from tests.hostile import FUZZ, any_values, as_json_text, hostile_text, storable, storable_text

lines_of = st.one_of(
    any_values.map(lambda value: as_json_text({"source": value}) or "{"),
    any_values.map(lambda value: as_json_text({"source-ref": "s3://b/k.jpg", "meta": value}) or "{"),
    hostile_text.map(lambda text: text.replace("\n", " ").replace("\r", " ")),
)


@FUZZ
@given(st.lists(lines_of, min_size=1, max_size=6), st.booleans())
def test_any_manifest_gives_storable_objects_or_refuses_naming_its_lines(lines: list[str], as_bytes: bool) -> None:
    given_lines: list[Any] = [line.encode("utf-8", "surrogatepass") for line in lines] if as_bytes else lines
    try:
        objects = list(read_manifest(given_lines, source="input.manifest"))
    except InvalidInput as error:
        storable_text(str(error))
        assert all(problem.line is None or 1 <= problem.line <= len(lines) for problem in error.problems)
        return
    for line in objects:
        storable(line.data)
        storable_text(line.text)
