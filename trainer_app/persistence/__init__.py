"""The store: SQLAlchemy 2 models, the unit of work and Alembic migrations."""
