"""Output manifest lines (spec 7.3).

Every input key is kept, in its order and with its value; ``<LAN>`` and ``<LAN>-metadata`` are
overwritten in place when the line already has them (a chained job) and appended in that order
otherwise. The line is serialised as UTF-8 JSON without pretty-printing, with Python's default
separators (``", "`` and ``": "``), and without a line terminator; the writer adds ``\\n``.

:func:`output_line` builds a line from decoded values. :func:`labeled_line_maker` builds the same
line from the stored texts (the input line and the label column's
``json.dumps([label, metadata], ensure_ascii=False)``) by splicing the label's JSON text instead of
decoding and re-encoding it, which is most of the cost of writing an output manifest.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from crowdform.manifest.codec import decode, encode, scan


def output_line(
    line_text: str, label_attribute_name: str, label: Any, metadata: dict[str, Any]
) -> str:
    """The output manifest line for an input line that received a label.

    ``line_text`` is the stored input line (a JSON object, as read by
    :func:`crowdform.manifest.reader.read_manifest`). Raises ``ValueError`` if it is not a JSON
    object or if ``label``/``metadata`` hold values JSON cannot represent (NaN, infinities), and
    ``TypeError`` for values that are not JSON types at all; both are programming errors, because
    hook replies are checked by :mod:`crowdform.groundtruth.hook_replies` first.
    """
    data = decode(line_text)
    if type(data) is not dict:
        raise ValueError(f"an input manifest line must be a JSON object: {line_text[:80]!r}")
    data[label_attribute_name] = label
    data[label_attribute_name + "-metadata"] = metadata
    return encode(data)


def split_label_text(label_text: str) -> tuple[str, str] | None:
    """The JSON texts of ``value`` and ``metadata`` in ``[value, metadata]`` as ``json.dumps`` writes it.

    ``label_text`` is what consolidation stores in ``data_objects.label``:
    ``json.dumps([value, metadata], ensure_ascii=False)``, with ``metadata`` an object. The two
    texts are returned as they stand in it, without decoding ``value``. Returns ``None`` when the text
    does not end in an object inside ``[...]`` after ``", "`` (then decode it instead). The text is
    trusted to be a valid JSON array of two elements, as consolidation writes it; ``value`` is not
    checked, so a longer array would split after its second-to-last element.

    The metadata starts after a ``", {"`` and runs to the closing ``]``; the candidates are tried
    from the right, and the first one whose text from the ``{`` to the ``]`` is exactly one JSON object
    is the split. No other ``", {"`` can pass that test in a valid JSON text: one outside a string
    starts a nested object, which closes before the end; one inside a string flips what the scanner
    takes for string and non-string from there on, so the last ``}`` would be inside a string.
    """
    last = len(label_text) - 1
    if last < 4 or label_text[0] != "[" or label_text[last] != "]":
        return None
    at = label_text.rfind(", {", 1, last)
    while at > 0:
        try:
            metadata, end = scan(label_text, at + 2)
        except (StopIteration, ValueError, RecursionError):
            end = -1
        if end == last and type(metadata) is dict:
            return label_text[1:at], label_text[at + 2:last]
        at = label_text.rfind(", {", 1, at)
    return None


def labeled_line_maker(label_attribute_name: str) -> Callable[[str, str], str]:
    """A function ``(line_text, label_text) -> output line`` for one label attribute name.

    ``label_text`` is the stored label, ``json.dumps([label, metadata], ensure_ascii=False)``. The
    result is byte for byte ``output_line(line_text, label_attribute_name, *json.loads(label_text))``,
    errors included. The input line is decoded and re-encoded (the output manifest writes it in
    canonical form), and the label's value and metadata texts are appended as they are stored. Lines
    that already have ``<LAN>`` or ``<LAN>-metadata`` (their values are replaced in place) and labels
    of another shape take the decoding path.
    """
    lan = label_attribute_name
    lan_meta = lan + "-metadata"
    value_key = ", " + encode(lan) + ": "
    metadata_key = ", " + encode(lan_meta) + ": "
    fast_scan = scan

    def slow(line_text: str, label_text: str) -> str:
        value, metadata = json.loads(label_text)
        return output_line(line_text, lan, value, metadata)

    def labeled_line(line_text: str, label_text: str) -> str:
        # codec.decode inlined: the C scanner, and the full decoder only for surrounding whitespace.
        try:
            data, end = fast_scan(line_text, 0)
        except StopIteration:
            return slow(line_text, label_text)
        if end != len(line_text) or type(data) is not dict or lan in data or lan_meta in data or not data:
            return slow(line_text, label_text)
        parts = split_label_text(label_text)
        if parts is None:
            return slow(line_text, label_text)
        head = encode(data)
        return head[:-1] + value_key + parts[0] + metadata_key + parts[1] + "}"

    return labeled_line
