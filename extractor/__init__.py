"""extractor: R&D, selling and revenue figures from Chinese annual report PDFs, with provenance.

Public API::

    from extractor import extract, extract_report
    report = extract("report.pdf")          # raises ExtractorError subclasses
    report.to_json()                         # the contract in OUTPUT.md
    frame = batch("reports/", jobs=2)        # pandas DataFrame, one flat row per report

Names load when first used, so that ``import extractor`` (and the CLI's start-up) stays cheap.
"""

from typing import TYPE_CHECKING, Any

from .version import __version__

__all__ = ["ExtractorError", "Figure", "Flag", "Options", "Report", "__version__", "batch", "extract", "extract_report"]

_LAZY = {
    "ExtractorError": ("errors", "ExtractorError"),
    "Figure": ("model", "Figure"),
    "Flag": ("model", "Flag"),
    "Report": ("model", "Report"),
    "Options": ("pipeline", "Options"),
    "extract": ("pipeline", "extract"),
    "extract_report": ("pipeline", "extract_report"),
    "batch": ("corpus.runner", "batch_frame"),
}

if TYPE_CHECKING:
    from .corpus.runner import batch_frame as batch
    from .errors import ExtractorError
    from .model import Figure, Flag, Report
    from .pipeline import Options, extract, extract_report


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'extractor' has no attribute {name!r}") from None
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
