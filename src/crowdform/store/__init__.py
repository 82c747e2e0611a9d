"""The database: SQLAlchemy models, connections, and Alembic migrations. The source of truth for state."""
