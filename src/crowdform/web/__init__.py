"""The HTTP layer: one app factory for the JSON API (and, later, the worker portal and admin console)."""
