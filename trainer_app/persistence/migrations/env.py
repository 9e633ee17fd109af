"""Alembic environment: runs on the connection that trainer-app hands it (SQLite or PostgreSQL)."""

from alembic import context
from sqlalchemy import Connection

from trainer_app.persistence.db import make_engine
from trainer_app.persistence.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    with make_engine(config.get_main_option("sqlalchemy.url") or "").begin() as conn:
        _run(conn)
