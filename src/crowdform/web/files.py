"""``GET /files/{token}``: the files that templates' ``grant_read_access`` signed URLs for.

The token is the whole credential (see :mod:`crowdform.engine.file_access`): no login, since the
task page runs in a sandboxed frame that sends no cookies or tokens. A tampered or expired token
gets 403 with the usual JSON error. The storage checks the path against the storage roots, the
private data folder and hidden names again before anything is read, so even a correctly signed
token never reads the database or the secrets (403).

Response headers, each for a reason:

* ``Content-Type`` from the file's extension (Python's built-in table, the same on every machine),
  so images, audio and video display inline.
* ``Cache-Control: private, max-age=<seconds until the token expires>``: a worker's browser may
  keep the file as long as the URL is valid, shared caches never.
* ``Access-Control-Allow-Origin: *``: the sandboxed task frame has an opaque origin, so ``fetch``
  (and ``<img crossorigin>`` for drawing on a canvas) needs it; the signed URL is the access check.
* ``Content-Security-Policy: sandbox`` and ``X-Content-Type-Options: nosniff``: an HTML or SVG file
  opened directly cannot run script with this server's origin.

:func:`file_response` is the whole of it, apart from the app's services, so the ``crowdform preview``
server (which has no database, hence no :class:`~crowdform.web.services.Services`) serves its files
the same way.
"""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse

from crowdform.engine.clock import Clock
from crowdform.engine.file_access import FILES_PATH, FileAccess
from crowdform.errors import NotFound
from crowdform.storage import Storage
from crowdform.web.dependencies import ServicesDep

router = APIRouter(tags=["files"])

_TYPES = mimetypes.MimeTypes()


@router.get(FILES_PATH + "/{token}", responses={403: {"description": "The link was changed or has expired"}})
def get_file(token: str, services: ServicesDep) -> Response:
    return file_response(token, services.file_access, services.runtime.storage, services.runtime.clock)


def file_response(token: str, file_access: FileAccess, storage: Storage, clock: Clock) -> Response:
    """The file ``token`` grants (``file_access`` signed it), with the headers above."""
    uri, expires_at = file_access.verify_with_expiry(token)
    max_age = max(0, expires_at - int(clock.now()))
    headers = {
        "Cache-Control": f"private, max-age={max_age}",
        "Access-Control-Allow-Origin": "*",
        "Content-Security-Policy": "sandbox",
        "X-Content-Type-Options": "nosniff",
    }
    media_type = _TYPES.guess_type(uri, strict=False)[0] or "application/octet-stream"
    if storage.is_s3(uri):
        return Response(storage.read_bytes(uri), media_type=media_type, headers=headers)
    path = storage.local_path(uri)
    if not path.is_file():
        raise NotFound(f"{uri} does not exist (there is no such file)")
    return FileResponse(path, media_type=media_type, headers=headers)
