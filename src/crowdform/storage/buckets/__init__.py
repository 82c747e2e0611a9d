"""The embedded S3 store: buckets in ``Settings.buckets_dir`` when no ``s3_endpoint_url`` is set.

``store`` (buckets, objects, listings), ``multipart`` (uploads in parts), ``by_uri`` (the engine's
``s3://`` operations over it); ``names`` (which names are accepted), ``meta`` (per-object metadata
and its consistency with the data), ``walk``/``listing`` (keys in S3's order, pages), ``writer``
(temporary files that hash what they get), ``folders`` (descriptors, locks, the internal folders),
``checksums``, ``errors``.
"""

from crowdform.storage.buckets.by_uri import EmbeddedS3
from crowdform.storage.buckets.store import BucketStore

__all__ = ["BucketStore", "EmbeddedS3"]
