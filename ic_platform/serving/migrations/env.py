"""Alembic's environment for the serving database: migrations run on the connection that
`ic_platform.serving.store.migrate` passes in (no alembic.ini, no URL of its own)."""

from alembic import context

from ic_platform.serving.store import metadata

context.configure(connection=context.config.attributes["connection"], target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
