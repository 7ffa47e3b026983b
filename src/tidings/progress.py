"""Progress on a terminal: a rich bar on standard error when it is a TTY, nothing otherwise.

    with progress_bar(sys.stderr.isatty(), "exporting", total=None) as bar:
        bar.update(completed=5000)

A known `total` gives a determinate bar (`8/25`), an unknown one a counter (`8/?`).
"""

from __future__ import annotations

from typing import Any


class _Nothing:
    def advance(self, amount: int = 1) -> None:
        pass

    def update(self, **fields: Any) -> None:
        pass


class _Bar:
    def __init__(self, progress, task) -> None:
        self._progress, self._task = progress, task

    def advance(self, amount: int = 1) -> None:
        self._progress.advance(self._task, amount)

    def update(self, **fields: Any) -> None:
        """completed=, total=, description= (rich's Progress.update)."""
        self._progress.update(self._task, **fields)


class progress_bar:
    """A transient bar on stderr (rich) when `enabled`, else an object whose calls do nothing."""

    def __init__(self, enabled: bool, description: str, total: int | None = None) -> None:
        self.enabled, self.description, self.total = enabled, description, total
        self._progress = None

    def __enter__(self):
        if not self.enabled:
            return _Nothing()
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TimeElapsedColumn

        self._progress = Progress(SpinnerColumn(), "[progress.description]{task.description}", MofNCompleteColumn(),
                                  BarColumn(), TimeElapsedColumn(), transient=True, console=Console(stderr=True))
        self._progress.start()
        return _Bar(self._progress, self._progress.add_task(self.description, total=self.total))

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
