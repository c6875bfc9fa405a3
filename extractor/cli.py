"""Thin command-line interface: parse arguments, call the library, print.

Exit codes: 0 ok/partial (or a batch that ran), 1 a report that ended in error or invalid
pattern files, 2 usage errors, 3 the output folder cannot be written or read (read-only, missing,
no permission, disk full), 4 another batch is writing to the output folder, 128 + the signal's
number when SIGINT (130) or SIGTERM (143) stopped a batch (what was finished is exported).
"""

from __future__ import annotations

import functools
import gc
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
EXIT_OUTPUT, EXIT_BUSY = 3, 4


def _finite_non_negative(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise click.BadParameter(f"{value!r} is not a number of {'seconds' if param.name == 'timeout' else 'MB'} "
                                 "(use a finite number, 0 or more; 0 means no limit)")
    return value


def _cpus() -> int:
    """CPUs this process may run on (as corpus.runner.default_jobs, without importing the batch machinery)."""
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13+: the affinity mask, or the -X cpu_count
    if counted is not None:
        return max(1, counted() or 1)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _jobs(ctx: click.Context, param: click.Parameter, value: int | None) -> int:
    cpus = _cpus()
    if value is None:
        return cpus
    if not 1 <= value <= 4 * cpus:
        raise click.BadParameter(f"{value} is not between 1 and {4 * cpus} (4 x {cpus} CPUs): each job is a "
                                 "process that holds a report in memory")
    return value


_timeout_opt = click.option("--timeout", type=float, default=120.0, show_default=True, callback=_finite_non_negative,
                            help="Seconds allowed per report (0 for no limit).")
DEFAULT_MEMORY_MB = 2048.0  # a report needing more is a bomb: the largest real reports take a few hundred MB
_memory_opt = click.option(
    "--memory-limit", "memory_limit", type=float, default=DEFAULT_MEMORY_MB, show_default=True,
    callback=_finite_non_negative,
    help="MB of memory one report may take beyond what the process holds (0 for no limit); over it, the report "
         "ends with error code memory_limit (in a batch, the batch goes on).")
_password_opt = click.option("--password", default=None, envvar="EXTRACTOR_PDF_PASSWORD",
                             help="Password that opens encrypted PDFs (or set EXTRACTOR_PDF_PASSWORD).")


@contextmanager
def _loading() -> Iterator[None]:
    """Load a command's modules and the pattern book with the garbage collector paused, then move what
    they made out of its reach (``gc.freeze``). Those objects live as long as the process; collecting
    them over and over while they load (a hundred passes, a full one among them) cost an
    ``extract`` run 30 ms, a tenth of a small report's time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


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
@click.option("--review", "review_html", type=click.Path(dir_okay=False),
              help="Also write the auditors' review of this report to this HTML file (crops embedded).")
@_patterns_opt
@_ratio_opt
@_timeout_opt
@_memory_opt
@_password_opt
def extract(report: str, as_json: bool, review_html: str | None, patterns: tuple[str, ...], ratio: str,
            timeout: float, memory_limit: float, password: str | None) -> None:
    """Extract revenue, selling, R&D and admin expense from one REPORT (PDF)."""
    with _loading():
        from . import patternbook
        from .output.writers import render_table
        from .pipeline import extract_report

        patternbook.load()
        options = replace(_options(patterns, ratio, timeout, password), memory_limit=memory_limit or None)
    result = extract_report(report, options)
    if review_html:
        from .report.review import write_single  # jinja2 and the templates only when asked for

        write_single(result.to_json(), Path(review_html), Path(report), patterns, options.timeout)
        click.echo(f"review -> {review_html}", err=True)
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
    with _loading():
        from . import patternbook
        from .output.explain import render_explain
        from .pipeline import extract_report

        patternbook.load()
        options = _options(patterns, "signed_multiple", None, password)
    result = extract_report(report, options)
    click.echo(render_explain(result))
    if result.status == "error":
        sys.exit(1)


def _output_errors(outdir_param: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Failures of the output folder as one line and exit code 3 (4 when another batch holds it): the
    library raises OutputError with the path and the fix; an OSError or SQLite error that slipped
    through is described the same way, never shown as a traceback."""

    def wrap(fn: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> None:
            import sqlite3

            from .corpus import outdir
            from .errors import OutputBusyError, OutputError

            try:
                fn(*args, **kwargs)
            except OutputBusyError as e:
                click.echo(f"error: {e}", err=True)
                sys.exit(EXIT_BUSY)
            except OutputError as e:
                click.echo(f"error: {e}", err=True)
                sys.exit(EXIT_OUTPUT)
            except sqlite3.Error as e:
                folder = Path(kwargs.get(outdir_param) or ".")
                click.echo(f"error: {outdir.describe_sqlite(e, folder / 'store.sqlite')}", err=True)
                sys.exit(EXIT_OUTPUT)
            except OSError as e:
                if not (e.filename or outdir.is_disk_error(e)):
                    raise  # not the file system's (e.g. the review server's port): not for this handler
                click.echo(f"error: {outdir.describe(e, e.filename or kwargs.get(outdir_param) or '.')}", err=True)
                sys.exit(EXIT_OUTPUT)

        return run

    return wrap


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False), required=True,
              help="Folder for the store (store.sqlite) and the exports (results.jsonl, figures.csv).")
@click.option("--jobs", "-j", type=int, default=None, callback=_jobs,
              help="Reports processed in parallel: 1 to 4 x the CPUs  [default: the number of CPUs]")
@click.option("--strict", is_flag=True, help="Stop at the first report that fails.")
@_patterns_opt
@_ratio_opt
@_timeout_opt
@_memory_opt
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: worker processes on this machine; dask: a Dask cluster (see --scheduler).")
@click.option("--scheduler", help="Dask scheduler address tcp://HOST:PORT (default with --executor dask: a "
                                  "local cluster of --jobs workers). Report paths must be readable on the workers.")
@click.option("--format", "formats", default="jsonl,csv", show_default=True,
              help="Exports to write: comma-separated jsonl, csv, xlsx, parquet.")
@click.option("--refresh", is_flag=True, help="Read every report again, even those the store holds.")
@click.option("--follow-links", "follow_links", is_flag=True,
              help="Follow symbolic links that lead out of FOLDER (and links to folders).")
@click.option("--wait", is_flag=True, help="If another batch is writing to OUT, wait for it instead of refusing.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar (it is shown only on a terminal anyway).")
@_password_opt
@_output_errors("out")
def batch(folder: str, out: str, jobs: int, strict: bool, patterns: tuple[str, ...], ratio: str,
          timeout: float, memory_limit: float, executor: str, scheduler: str | None, formats: str,
          refresh: bool, follow_links: bool, wait: bool, quiet: bool, password: str | None) -> None:
    """Process every PDF under FOLDER (recursively); failures are recorded and the batch goes on.

    Results are kept in OUT/store.sqlite: a rerun reads only new or changed files (or all of them
    after a new extractor version or changed patterns); a killed batch loses nothing it finished.
    SIGINT / SIGTERM stop it at once and export what is finished (exit 130 / 143)."""
    from .corpus.runner import Interrupted, stop_on_signals

    with stop_on_signals():  # from the start: a signal while the batch sets up is one line too
        try:
            _batch(folder, out, jobs, strict, patterns, ratio, timeout, memory_limit, executor, scheduler, formats,
                   refresh, follow_links, wait, quiet, password)
        except Interrupted as e:  # before the batch recorded anything, or between its own checks
            click.echo(f"stopped by {e.name}; nothing half-done: rerun the same command", err=True)
            sys.exit(128 + e.signum)


def _batch(folder: str, out: str, jobs: int, strict: bool, patterns: tuple[str, ...], ratio: str,
           timeout: float, memory_limit: float, executor: str, scheduler: str | None, formats: str,
           refresh: bool, follow_links: bool, wait: bool, quiet: bool, password: str | None) -> None:
    from .corpus import outdir
    from .corpus.names import printable
    from .corpus.runner import make_executor, run_batch
    from .errors import ExtractorError

    options = replace(_options(patterns, ratio, timeout, password), memory_limit=memory_limit or None)
    wanted = _formats(formats)
    if scheduler and executor != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    progress = None
    if not quiet and sys.stderr.isatty():
        from .corpus.progress import RichProgress

        progress = RichProgress()
    outdir.prepare(Path(out))
    try:
        with (Path(out) / "workers.log").open("ab") as log:
            ex = make_executor(executor, jobs, options.timeout, scheduler, log=log)
            res = run_batch(Path(folder), Path(out), options, jobs=jobs, strict=strict, progress=progress,
                            executor=ex, refresh=refresh, formats=wanted, follow_links=follow_links, wait=wait,
                            waiting=lambda who: click.echo(f"waiting: another batch is writing to {out} ({who})",
                                                           err=True))
    except ExtractorError as e:
        if e.code in ("output", "busy"):
            raise
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    for path, reason in res.ignored:
        click.echo(f"skipped: {printable(path)}: {reason}", err=True)
    if res.run is None and not res.interrupted:
        click.echo(f"no PDF files under {printable(folder)} (looked for *.pdf, recursively): nothing was read; "
                   f"the exports in {out} were left as they were", err=True)
        return
    if res.run is None:
        click.echo(f"stopped by {res.interrupted} while listing {printable(folder)}: nothing was recorded and the "
                   f"exports in {out} were left as they were; rerun the same command", err=True)
        sys.exit(128 + _signum(res.interrupted))
    extra = f", {res.duplicates} duplicate file(s)" if res.duplicates else ""
    if res.ignored:
        extra += f", {len(res.ignored)} entr{'y' if len(res.ignored) == 1 else 'ies'} skipped (listed above)"
    if res.changed:
        extra += f", {res.changed} file(s) changed after listing (stored as read)"
    if res.unread:
        extra += f", {res.unread} file(s) could not be read whole (tried again next run)"
    if res.pending:
        extra += f", {res.pending} not read yet"
    written = " -> " + ", ".join(str(p) for p in res.written) if res.written else ""
    click.echo(f"{res.total} reports: {res.ok} ok, {res.partial} partial, {res.failed} failed "
               f"({res.extracted} read now, {res.skipped} already in the store{extra}){written}")
    if res.interrupted:
        done = "the exports were not written (" + res.exports_error + "; run `extractor export " + out + "`)" \
            if res.exports_error else "what was finished is stored and exported"
        click.echo(f"stopped by {res.interrupted}: the workers were stopped, {done}; rerun the same command to "
                   "resume", err=True)
        sys.exit(128 + _signum(res.interrupted))
    if strict and res.failed:
        sys.exit(1)


def _signum(name: str | None) -> int:
    import signal

    return int(signal.Signals[name]) if name else 0


@main.command()
@click.argument("outdir", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out", type=click.Path(file_okay=False), help="Folder for the review [default: OUTDIR/review].")
@click.option("--pdf-root", "pdf_roots", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Folder holding the batch's PDFs, when they have moved since the batch ran (repeatable).")
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="Processes making pages and crops.")
@click.option("--serve", is_flag=True, help="Run a local review server that records decisions.")
@click.option("--port", type=int, default=8765, show_default=True, help="Port of the review server (127.0.0.1).")
@_output_errors("outdir")
def review(outdir: str, out: str | None, pdf_roots: tuple[str, ...], jobs: int, serve: bool, port: int) -> None:
    """Write the auditors' review of the batch in OUTDIR: index.html, a page per report, crops."""
    from .report.review import Review, ReviewInputError

    try:
        rv = Review(Path(outdir), Path(out) if out else None, [Path(p) for p in pdf_roots])
    except ReviewInputError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    stats = rv.write(lambda i, n: click.echo(f"\r[{i}/{n}] pages", nl=False, err=True), jobs=jobs)
    click.echo("", err=True)
    for m in stats.missing_pdfs + stats.crops.failed:
        click.echo(f"warning: {m}", err=True)
    click.echo(f"{stats.reports} reports -> {stats.out / 'index.html'} (crops: {stats.crops.rendered} made, "
               f"{stats.crops.reused} reused)")
    if serve:
        from .report.server import serve as run_server

        run_server(rv, port)


def _formats(text: str) -> tuple[str, ...]:
    from .corpus.exports import FORMATS

    wanted = tuple(f.strip() for f in text.split(",") if f.strip())
    if not wanted:
        raise click.BadParameter(f"no format given; use one or more of {', '.join(FORMATS)}", param_hint="--format")
    bad = [f for f in wanted if f not in FORMATS]
    if bad:
        raise click.BadParameter(f"unknown format(s) {', '.join(bad)}; use {', '.join(FORMATS)}",
                                 param_hint="--format")
    return wanted


@main.command()
@click.argument("outdir", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "formats", default="jsonl,csv,xlsx,parquet", show_default=True,
              help="Comma-separated jsonl, csv, xlsx, parquet.")
@_output_errors("outdir")
def export(outdir: str, formats: str) -> None:
    """Write exports of a batch from OUTDIR/store.sqlite, with review decisions applied."""
    from .corpus.exports import export as write_exports
    from .errors import ExtractorError

    try:
        res = write_exports(Path(outdir), _formats(formats))
    except ExtractorError as e:
        if e.code == "output":
            raise
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    pending = f"; {res.pending} report(s) not read yet (rerun the batch)" if res.pending else ""
    click.echo(f"{res.reports} reports: {res.ok} ok, {res.partial} partial, {res.failed} failed{pending} -> "
               + ", ".join(str(p) for p in res.written))
    if res.ignored_decisions:
        first = res.ignored_decisions[0]
        click.echo(f"warning: {len(res.ignored_decisions)} stored decision(s) ignored, the one before each in force "
                   f"(e.g. id {first.id}, {first.target}: {first.problem}); record them again in the review server",
                   err=True)


@main.command()
@click.argument("outdir", type=click.Path(exists=True, file_okay=False))
@click.option("--groups", help="`exchange` (from the stock code) or a CSV with a `group` column and a `code` "
                                "and/or `company` column; one panel per group, in a grid, on one scale.")
@click.option("--out", "out", type=click.Path(file_okay=False), help="Folder for the figure (default OUTDIR).")
@_output_errors("outdir")
def figure(outdir: str, groups: str | None, out: str | None) -> None:
    """Figure 1: the signed R&D-vs-selling multiple per company of a batch (PNG and SVG), per group."""
    from .errors import ExtractorError
    from .report.figure import figure1, summary_table

    try:
        res = figure1(Path(outdir), groups, Path(out) if out else None)
    except ExtractorError as e:
        if e.code == "output":
            raise
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    click.echo(summary_table(res["summaries"]))
    click.echo("-> " + ", ".join(str(p) for p in res["files"]))


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
