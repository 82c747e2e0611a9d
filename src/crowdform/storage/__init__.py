"""Read and write objects by URI, on local disk (inside the storage roots) or in S3.

``Storage`` is the one entry point; the modules behind it are ``uris`` (parsing, pure), ``lines``
(streamed line splitting), ``local`` and ``s3`` (the two stores).
"""

from crowdform.storage.errors import StorageError
from crowdform.storage.facade import Storage

__all__ = ["Storage", "StorageError"]
