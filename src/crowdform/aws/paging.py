"""``NextToken`` of the list operations: where the next page starts, opaque to the client.

A token carries the sort key of the last row listed (``engine/keyset.py``) and the listing it belongs
to (operation, sort field and order), so a token passed to another listing is refused instead of
starting somewhere arbitrary. It holds no secret: forging one can only start a listing elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from crowdform.aws.errors import AwsError


def encode_token(listing: str, key: list[Any]) -> str:
    text = json.dumps({"l": listing, "k": key}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def decode_token(token: str | None, listing: str) -> list[Any] | None:
    """The key a token resumes after; None for no token (the first page)."""
    if not token:
        return None
    try:
        document = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        document = None
    if not isinstance(document, dict) or document.get("l") != listing or not isinstance(document.get("k"), list):
        raise AwsError("ValidationException", "The NextToken is not one this listing gave out: pass the NextToken "
                       "of the previous page unchanged, with the same SortBy and SortOrder.")
    return document["k"]
