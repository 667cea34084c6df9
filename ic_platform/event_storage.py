"""The embedded instance's event log: Dagster's SQLite storage, with the partition materializations
of a range run written a batch at a time.

Dagster hands a range run's materializations to `store_event_batch` up to 1,000 at a time
(`DAGSTER_EVENT_BATCH_SIZE` in `.env`). Its PostgreSQL storage inserts such a batch in one
statement; its SQLite storage stores the events one by one, each in two transactions (the run's
database and the cross-run index) on a new connection, which made recording a 5-year daily asset
take longer than computing it. This subclass does for SQLite what the PostgreSQL storage does: one
transaction in the run's database and one in the index for the whole batch, the asset's latest
event recorded once. Every other event is stored as Dagster stores it.
"""

from collections.abc import Sequence
from typing import Any

import dagster as dg

# documented among Dagster's internals (the instance's storage classes), and exported nowhere else
from dagster._core.storage.event_log import SqliteEventLogStorage

BATCHED_EVENTS = ({dg.DagsterEventType.ASSET_MATERIALIZATION}, {dg.DagsterEventType.ASSET_OBSERVATION})


class BatchedSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log storage, writing a batch of materializations (or observations)
    of one run in one transaction per database."""

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> "BatchedSqliteEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    def store_event_batch(self, events: Sequence[dg.EventLogEntry]) -> None:
        kinds = {event.get_dagster_event().event_type for event in events}
        if not events or kinds not in BATCHED_EVENTS or len({event.run_id for event in events}) > 1:
            super().store_event_batch(events)
            return
        statement = self.prepare_insert_event_batch(events)
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(statement)
        with self.index_transaction() as conn:
            # ids are assigned in the order of the rows inserted; RETURNING may list them in any order
            ids = sorted(row[0] for row in conn.execute(statement.returning(statement.table.c.id)))
            self._store_asset_event_tags(conn, events, ids)
            latest = {event.get_dagster_event().asset_key: (event, event_id) for event, event_id in zip(events, ids)}
            for event, event_id in latest.values():  # each asset's latest event, as one by one would leave it
                self._store_asset_event(conn, event, event_id)
