"""Thin command-line interface: parse arguments, call the library, print.

Exit codes: 0 ok/partial (or a batch that ran), 1 a report that ended in error or invalid
pattern files, 2 usage errors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .analysis.ratio import DEFINITIONS
from .version import __version__

if TYPE_CHECKING:
    from .pipeline import Options

# Each command imports the library parts it uses when it runs, so that `extractor --version` and
# `extractor extract` do not pay for what only a batch or a pattern check needs.

_patterns_opt = click.option("--patterns", "patterns", multiple=True, type=click.Path(file_okay=False),
                             help="Folder of pattern files that add to or override the built-in ones (repeatable).")
_ratio_opt = click.option("--ratio", "ratio", type=click.Choice(DEFINITIONS), default="signed_multiple",
                          show_default=True, help="Definition of the R&D vs selling ratio's `value`.")
_timeout_opt = click.option("--timeout", type=float, default=120.0, show_default=True,
                            help="Seconds allowed per report (0 for no limit).")
_password_opt = click.option("--password", default=None, envvar="EXTRACTOR_PDF_PASSWORD",
                             help="Password that opens encrypted PDFs (or set EXTRACTOR_PDF_PASSWORD).")


def _options(patterns: tuple[str, ...], ratio: str, timeout: float | None, password: str | None = None) -> Options:
    from . import patternbook
    from .errors import PatternFileError
    from .pipeline import Options

    if patterns:
        try:
            patternbook.load(tuple(patterns))
        except PatternFileError as e:
            click.echo("pattern files are invalid:\n" + str(e), err=True)
            sys.exit(1)
    return Options(tuple(patterns), ratio, timeout or None, password=password or None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="extractor")
def main() -> None:
    """Read R&D, selling and revenue lines from annual report PDFs, with evidence."""


@main.command()
@click.argument("report", type=click.Path(dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="Print the result contract (OUTPUT.md) as JSON.")
@_patterns_opt
@_ratio_opt
@_timeout_opt
@_password_opt
def extract(report: str, as_json: bool, patterns: tuple[str, ...], ratio: str, timeout: float,
            password: str | None) -> None:
    """Extract revenue, selling, R&D and admin expense from one REPORT (PDF)."""
    from .output.writers import render_table
    from .pipeline import extract_report

    result = extract_report(report, _options(patterns, ratio, timeout, password))
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        click.echo(render_table(result))
    if result.status == "error":
        err = result.error or {}
        click.echo(f"error: {report}: [{err.get('code')}] {err.get('message')}", err=True)
        sys.exit(1)


@main.command()
@click.argument("report", type=click.Path(dir_okay=True))
@_patterns_opt
@_password_opt
def explain(report: str, patterns: tuple[str, ...], password: str | None) -> None:
    """Show, per item, the candidates considered and why one was chosen (for pattern writers)."""
    from .output.explain import render_explain
    from .pipeline import extract_report

    result = extract_report(report, _options(patterns, "signed_multiple", None, password))
    click.echo(render_explain(result))
    if result.status == "error":
        sys.exit(1)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False), required=True,
              help="Folder for results.jsonl and figures.csv.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="Reports processed in parallel.")
@click.option("--strict", is_flag=True, help="Stop at the first report that fails.")
@_patterns_opt
@_ratio_opt
@_timeout_opt
@_password_opt
def batch(folder: str, out: str, jobs: int, strict: bool, patterns: tuple[str, ...], ratio: str,
          timeout: float, password: str | None) -> None:
    """Process every PDF under FOLDER (recursively); failures are recorded and the batch goes on."""
    from .corpus.runner import run_batch

    options = _options(patterns, ratio, timeout, password)

    def progress(i: int, n: int, j: dict) -> None:
        status = j["status"] if j["status"] != "error" else f"error [{j['error']['code']}]"
        click.echo(f"[{i}/{n}] {j['file']}: {status}", err=True)

    res = run_batch(Path(folder), Path(out), options, jobs=jobs, strict=strict, progress=progress)
    click.echo(f"{res.total} reports: {res.ok} ok, {res.partial} partial, {res.failed} failed -> "
               f"{res.out / 'results.jsonl'}, {res.out / 'figures.csv'}")
    if strict and res.failed:
        sys.exit(1)


@main.group()
def patterns() -> None:
    """Work with pattern files."""


@patterns.command("check")
@click.argument("folder", type=click.Path(file_okay=False), required=False)
def patterns_check(folder: str | None) -> None:
    """Validate the pattern files in FOLDER (default: the built-in ones); list every problem."""
    from . import patternbook

    target = Path(folder) if folder else patternbook.builtin_dir()
    problems = patternbook.check_folder(target)
    if problems:
        for p in problems:
            click.echo(p)
        click.echo(f"{len(problems)} problem(s) in {target}", err=True)
        sys.exit(1)
    n = len(list(target.glob("*.y*ml")))
    click.echo(f"{target}: {n} pattern file(s) OK")


if __name__ == "__main__":  # pragma: no cover
    main()
