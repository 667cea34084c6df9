"""What every source resource shares: the mode (`demo`, later `archive` and `live`) and the demo folder."""

from pathlib import Path

import dagster as dg
from pydantic import Field

from ic_platform import settings

SUPPORTED_MODES = ("demo",)


class SourceResource(dg.ConfigurableResource):
    """Base of the source resources: `mode` comes from `$IC_SOURCE_MODE` (default `demo`)."""

    mode: str = Field(default_factory=settings.source_mode, description="demo (generated universe); archive and live arrive with the source issues")
    demo_root: str = Field(default="", description="Folder of the generated demo universe; empty means $IC_DATA_DIR/demo")

    def demo_path(self, *parts: str) -> Path:
        """A file of the demo universe, with a clear error when the mode or the folder is wrong."""
        if self.mode not in SUPPORTED_MODES:
            raise dg.Failure(f"source mode {self.mode!r} is not available yet; supported: {', '.join(SUPPORTED_MODES)}")
        root = Path(self.demo_root) if self.demo_root else settings.demo_dir()
        if not (root / "manifest.json").exists():
            raise dg.Failure(f"no demo universe in {root}: run `ic-platform generate-demo` (or `ic-platform demo`)")
        return root.joinpath(*parts)
