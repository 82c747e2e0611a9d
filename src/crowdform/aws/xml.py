"""XML replies from plain Python values, for the protocols that speak XML (S3, and the query protocol).

A dict becomes child elements in its order, a list repeats its element's tag, ``None`` is left out,
booleans are ``true``/``false``; everything is escaped by ElementTree.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def to_xml(tag: str, value: Any, *, namespace: str | None = None) -> bytes:
    """``<tag xmlns=namespace>value</tag>`` as UTF-8 bytes with the XML declaration."""
    root = Element(tag, {"xmlns": namespace} if namespace else {})
    _fill(root, value)
    return XML_DECLARATION + tostring(root, encoding="utf-8", xml_declaration=False)


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, list):
                for item in child:
                    _fill(SubElement(element, key), item)
            elif child is not None:
                _fill(SubElement(element, key), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
