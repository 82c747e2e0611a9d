"""S3 on the endpoint (REST, path-style and virtual-host style).

``service`` dispatches an operation to the embedded store (``buckets``, ``objects``, ``uploads``) or,
when crowdform keeps its data in an external S3 (``s3_endpoint_url``), passes it through to that
store (``proxy``). ``routing`` names the operation, ``body``/``intake``/``chunked`` read and check
request bodies, ``headers`` and ``shapes`` speak S3's headers and XML, ``errors`` its error replies.
"""
