"""Output manifest lines (spec 7.3).

Every input key is kept, in its order and with its value; ``<LAN>`` and ``<LAN>-metadata`` are
overwritten in place when the line already has them (a chained job) and appended in that order
otherwise. The line is serialised as UTF-8 JSON without pretty-printing, with Python's default
separators (``", "`` and ``": "``), and without a line terminator; the writer adds ``\\n``.
"""

from __future__ import annotations

from typing import Any

from crowdform.manifest.codec import decode, encode


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
