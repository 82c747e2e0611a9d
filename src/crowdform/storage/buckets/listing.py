"""One page of a listing (ListObjects, ListObjectsV2): keys and common prefixes, S3's paging rules.

Pure apart from the walker it is handed: keys arrive in order; a key with ``delimiter`` after the
prefix rolls up into its common prefix, whose other keys the walker then skips. ``max_keys`` counts
keys and common prefixes together; the page is truncated when anything is left, and ``last`` is what
the next page starts after. A common prefix equal to ``after`` was the last item of the page before
(S3's NextMarker), so it is not listed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crowdform.storage.buckets.walk import Found, KeyWalker


@dataclass
class Page:
    contents: list[Found] = field(default_factory=list)
    common_prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    last: str | None = None


def list_page(walker: KeyWalker, prefix: str, delimiter: str, max_keys: int) -> Page:
    page = Page()
    count = 0
    for found in walker:
        rest = found.key[len(prefix):]
        cut = rest.find(delimiter) if delimiter else -1
        if cut >= 0:
            common = prefix + rest[:cut + len(delimiter)]
            walker.skip = common
            if common == walker.after:
                continue
        if count >= max_keys:
            page.truncated = True
            break
        count += 1
        if cut >= 0:
            page.common_prefixes.append(common)
            page.last = common
        else:
            page.contents.append(found)
            page.last = found.key
    return page
