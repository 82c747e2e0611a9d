"""One of two hooks both called main.py (with a sibling settings.py) that must not clash."""

import settings


def lambda_handler(event, context):
    return {"hook": settings.NAME, "file": __file__}
