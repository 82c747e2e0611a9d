"""crowdform's AWS-compatible endpoint: SageMaker, S3 and STS spoken on the server's own address.

Protocol adapters, not a second engine: :mod:`~crowdform.aws.endpoint` checks a request's
signature and routes it by the service it was signed for; each service module parses its
protocol, calls the engine or storage, and renders the reply and the errors as the AWS SDKs expect.
"""
