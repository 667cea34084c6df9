"""The commands the docs give, as tests run them."""

from ic_platform import settings


def docs_recipe(heading: str, page: str = "operations.md") -> str:
    """The first bash block after `heading` in docs/`page`."""
    text = (settings.PROJECT_ROOT / "docs" / page).read_text()
    return text[text.index(heading) :].split("```bash\n", 1)[1].split("```", 1)[0]
