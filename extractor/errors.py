"""One exception tree for the whole toolkit.

Every error carries the contract's error ``code`` (see OUTPUT.md), the file it concerns and a
message that says what to do. Errors pickle cleanly so they cross process-pool boundaries.
"""

from __future__ import annotations


class ExtractorError(Exception):
    """Base of every error the toolkit raises on purpose."""

    code = "internal"

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.log: list[str] = []  # what the pipeline looked at before giving up (for `explain`)

    def __reduce__(self):  # keep pickling working for subclasses with keyword-only args
        return (_rebuild, (type(self), self.message, self.file))

    def to_dict(self) -> dict[str, str]:
        """The contract's error object; the message names the file (results.jsonl is read line by line)."""
        name = self.file.replace("\\", "/").rsplit("/", 1)[-1] if self.file else ""
        message = self.message if not name or self.message.startswith(name) else f"{name}: {self.message}"
        return {"code": self.code, "message": message}

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


def _rebuild(cls: type[ExtractorError], message: str, file: str | None) -> ExtractorError:
    return cls(message, file=file)


class NotFoundError(ExtractorError, FileNotFoundError):
    code = "not_found"


class NotAPdfError(ExtractorError, ValueError):
    code = "not_a_pdf"


class DamagedPdfError(ExtractorError, ValueError):
    code = "damaged"


class EncryptedPdfError(ExtractorError, PermissionError):
    code = "encrypted"


class NoTextLayerError(ExtractorError):
    code = "no_text_layer"


class GarbledTextError(ExtractorError):
    code = "garbled_text"


class NoIncomeStatementError(ExtractorError, LookupError):
    code = "no_income_statement"


class ExtractionTimeoutError(ExtractorError, TimeoutError):
    code = "timeout"


class MemoryLimitError(ExtractorError, MemoryError):
    """A report needed more memory than the batch's --memory-limit allows."""

    code = "memory_limit"


class TooComplexError(ExtractorError):
    """A page asks for more work than a report may take (hundreds of thousands of glyphs, graphics
    states nested past MuPDF's limit): a resource bomb, or a page no annual report prints."""

    code = "too_complex"


class InternalError(ExtractorError):
    code = "internal"


class PatternFileError(ExtractorError, ValueError):
    """A pattern file failed validation; ``problems`` lists every `file:line: key: problem`."""

    code = "patterns"

    def __init__(self, problems: list[str], *, file: str | None = None) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems), file=file)

    def __reduce__(self):
        return (PatternFileError, (self.problems,), {"file": self.file})

    def __str__(self) -> str:
        return self.message


class PatternTimeoutError(ExtractorError, TimeoutError):
    """A user pattern (``--patterns``) ran past its time budget (thresholds.yaml ``pattern_timeout``) on one
    piece of the report's text: it backtracks without end (nested quantifiers such as ``(a|aa)+``). The
    pattern is at fault, not the PDF: the message names its file, line, concept and text, and the fix."""

    code = "pattern_timeout"

    def __init__(self, pattern_id: str, source: str, pattern_file: str, line: int, concept: str, budget: float,
                 *, file: str | None = None) -> None:
        self.pattern_id, self.source, self.pattern_file = pattern_id, source, pattern_file
        self.line, self.concept, self.budget = line, concept, budget
        super().__init__(f"pattern {pattern_id} of concept {concept} ({pattern_file}:{line}) {source!r} took longer "
                         f"than {budget:g} s on one line of the report's text and was stopped; the pattern, not "
                         "the PDF, is at fault: it backtracks without end (nested quantifiers?). Fix or remove it "
                         "(`extractor patterns check FOLDER` lists such patterns), or raise pattern_timeout in "
                         "thresholds.yaml", file=file)

    def __reduce__(self):
        return (_rebuild_pattern_timeout, (self.pattern_id, self.source, self.pattern_file, self.line, self.concept,
                                           self.budget, self.file))


def _rebuild_pattern_timeout(pattern_id: str, source: str, pattern_file: str, line: int, concept: str,
                             budget: float, file: str | None) -> PatternTimeoutError:
    return PatternTimeoutError(pattern_id, source, pattern_file, line, concept, budget, file=file)


class ChangedDuringRunError(ExtractorError):
    """A batch file kept changing while its worker read it (a download or copy in progress): nothing is
    recorded for its content, and the next run reads it again."""

    code = "changed_during_run"


class OutputError(ExtractorError, OSError):
    """The batch's output folder cannot be written or read (read-only, missing, no permission, disk
    full); the message names the path and the fix. Not a report's error: the command stops."""

    code = "output"


class OutputBusyError(ExtractorError):
    """Another batch holds the output folder's lock."""

    code = "busy"


ERROR_CODES = (
    "not_found",
    "not_a_pdf",
    "damaged",
    "encrypted",
    "no_text_layer",
    "garbled_text",
    "no_income_statement",
    "timeout",
    "memory_limit",
    "too_complex",
    "pattern_timeout",
    "changed_during_run",
    "internal",
)
