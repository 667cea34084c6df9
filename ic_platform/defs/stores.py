"""The resources every run shares besides the sources: where the tables are, the serving database
and the alert webhook. Each is built from the settings, so the UI shows a run's values and a
launchpad override of them is what the run uses."""

import contextlib
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import httpx
import sqlalchemy as sa
from pydantic import Field

from ic_platform import settings
from ic_platform.serving import store
from ic_platform.storage import tables_at

TABLE_STORE, SERVING_DATABASE, ALERTS = "table_store", "serving_database", "alerts"


class TableStore(dg.ConfigurableResource):
    """The folder of the Parquet tables every asset and check of a run reads and writes."""

    root: str = Field(default="", description="Folder of the tables; empty means $IC_DATA_DIR/tables as the run starts")

    def folder(self) -> Path:
        """The configured folder, else the settings' `$IC_DATA_DIR/tables`."""
        return Path(self.root).resolve() if self.root else settings.current().tables_root()

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["TableStore"]:
        folder = self.folder()
        if context.log is not None:
            context.log.debug(f"tables in {folder}")
        with tables_at(folder):
            yield self


class ServingDatabase(dg.ConfigurableResource):
    """The database the web site reads the published scores from."""

    url: str = Field(
        default="",
        description="SQLAlchemy URL, e.g. postgresql://user:password@host:5432/db; empty means $IC_SERVING_URL, "
        "else SQLite in $IC_DATA_DIR",
    )

    def engine(self) -> sa.Engine:
        """An engine on the configured database."""
        return store.engine(self.url or settings.current().serving_database())


class AlertWebhook(dg.ConfigurableResource):
    """The Slack-compatible webhook failed runs and failed ERROR checks are posted to."""

    url: str = Field(default="", description="Webhook URL; empty posts nothing")
    ui_url: str = Field(default="http://127.0.0.1:3000", description="The Dagster UI's address, for run links")

    def run_link(self, run_id: str) -> str:
        """The run's page in the Dagster UI."""
        return f"{self.ui_url.rstrip('/')}/runs/{run_id}"

    def post(self, message: dict) -> None:
        """Post `message`; a failed post raises (it shows as a failed sensor tick in the UI)."""
        response = httpx.post(self.url, json=message, timeout=10)
        response.raise_for_status()


def store_resources(configured: settings.Settings | None = None) -> dict[str, dg.ConfigurableResource]:
    """The table store, serving database and alert webhook of the settings, by resource key. The
    tables' folder follows `$IC_DATA_DIR` as each run starts; an override names one."""
    configured = configured or settings.current()
    return {
        TABLE_STORE: TableStore(),  # $IC_DATA_DIR/tables as each run starts
        SERVING_DATABASE: ServingDatabase(url=configured.serving_url),
        ALERTS: AlertWebhook(url=configured.alert_webhook_url, ui_url=configured.dagster_url),
    }


def with_table_store(decorator: Callable[..., Callable], **kwargs) -> Callable[[Callable], Any]:
    """`decorator(**kwargs)` (`dg.asset`, `dg.multi_asset`, `dg.asset_check`, `dg.op`) requiring the
    run's table store: by key, or, where the function takes other resources as parameters (Dagster
    allows one way or the other), as its `table_store: TableStore` parameter."""

    def decorate(function: Callable) -> Any:
        parameters = inspect.signature(function).parameters
        takes_resources = any(
            isinstance(p.annotation, type) and issubclass(p.annotation, dg.ConfigurableResource)
            for p in parameters.values()
        )
        if takes_resources and TABLE_STORE not in parameters:
            raise TypeError(f"{function.__name__} takes resources: add the parameter `table_store: TableStore`")
        required = {} if takes_resources else {"required_resource_keys": {TABLE_STORE}}
        return decorator(**kwargs, **required)(function)

    return decorate
