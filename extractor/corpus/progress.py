"""A batch's progress on a terminal (rich): reports done / total, ok / partial / failed, rate and ETA.

Used only when stderr is a terminal and ``--quiet`` is not given; scripts and logs get the one-line
summary the CLI prints at the end.
"""

from __future__ import annotations

from typing import Any


class RichProgress:
    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None
        self.counts = {"ok": 0, "partial": 0, "error": 0}

    def _text(self) -> str:
        c = self.counts
        return f"[green]{c['ok']} ok[/] [yellow]{c['partial']} partial[/] [red]{c['error']} failed[/]"

    def start(self, total: int, done: dict[str, int]) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.counts.update(done)
        from rich.console import Console

        self._progress = Progress(
            TextColumn("reports"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[counts]}"), TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True))
        self._progress.start()
        self._task = self._progress.add_task("batch", total=total, completed=sum(done.values()),
                                             counts=self._text(), rate="")

    def advance(self, result: dict[str, Any]) -> None:
        status = result.get("status") or "error"
        self.counts[status] = self.counts.get(status, 0) + 1
        task = self._progress.tasks[0]
        speed = task.speed
        rate = f"{speed:.1f}/s" if speed else ""
        self._progress.update(self._task, advance=1, counts=self._text(), rate=rate)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
