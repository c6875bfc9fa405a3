"""extractor: R&D, selling and revenue figures from Chinese annual report PDFs, with provenance.

Public API::

    from extractor import extract, extract_report
    report = extract("report.pdf")          # raises ExtractorError subclasses
    report.to_json()                         # the contract in OUTPUT.md
    frame = batch("reports/", jobs=2)        # pandas DataFrame, one flat row per report
"""

from .corpus.runner import batch_frame as batch
from .errors import ExtractorError
from .model import Figure, Flag, Report
from .pipeline import Options, extract, extract_report

__all__ = ["ExtractorError", "Figure", "Flag", "Options", "Report", "batch", "extract", "extract_report"]
__version__ = "0.1.0"
