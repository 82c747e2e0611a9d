"""Shared fixtures. Real parts only: SQLite files, PostgreSQL when CROWDFORM_TEST_POSTGRES_URL is set,
moto's S3 server on loopback, real Uvicorn servers."""

pytest_plugins = [
    "tests.fixtures.databases",
    "tests.fixtures.s3",
    "tests.aws.s3_fixtures",
]
