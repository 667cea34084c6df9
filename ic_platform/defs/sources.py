"""What every source resource shares: the mode and the demo folder."""

from pathlib import Path

import dagster as dg
from pydantic import Field

from ic_platform import settings

MODES = ("demo", "archive", "live")


class SourceResource(dg.ConfigurableResource):
    """Base of the source resources: `mode` comes from `$IC_SOURCE_MODE` (default `demo`)."""

    mode: str = Field(default_factory=settings.source_mode, description="demo (generated universe), archive (files you have) or live (HTTP)")
    demo_root: str = Field(default="", description="Folder of the generated demo universe; empty means $IC_DATA_DIR/demo")

    def checked_mode(self, supported: tuple[str, ...] = MODES) -> str:
        """The mode, with a clear error when this source does not offer it."""
        if self.mode not in supported:
            raise dg.Failure(f"{type(self).__name__}: mode {self.mode!r} is not available; choose one of {', '.join(supported)}")
        return self.mode

    def demo_folder(self) -> Path:
        """The demo universe's folder, with the command to make it when it is missing."""
        root = Path(self.demo_root) if self.demo_root else settings.demo_dir()
        if not (root / "manifest.json").exists():
            raise dg.Failure(f"no demo universe in {root}: run `ic-platform generate-demo` (or `ic-platform demo`)")
        return root
