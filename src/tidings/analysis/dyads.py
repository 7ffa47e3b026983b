"""Dyad series: what two actors did to each other, period by period.

    rows = dyad_series(store, "RUS", "UKR", by="month")
    plot_series(rows, "rus-ukr.png")

Actors are written as the store's filters read them: a country code ("RUS"), country and
sector ("RUS:GOV", "RUSGOV", "RUS GOV"), a sector ("MIL"), an organisation ("IGO NATO", or
"IGO" for any), or a part of a name ("Lavrov").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tidings.analysis.queries import (
    DYAD_RECIPROCAL, QUAD_CLASSES, dyad_join, fill_periods, next_period, period_sql,
)
from tidings.records import PLOVER_TYPES
from tidings.store.filters import EventFilter, as_date

QUAD_COLUMNS = tuple(q.replace(" ", "_") for q in QUAD_CLASSES)
MERGE_DAYS = 2  # reports of one event may be dated this many days apart (tidings.dedup.events)


def empty_row(period: str) -> dict[str, Any]:
    """A period with no events: every count column at zero."""
    return {"period": period, "total": 0, "a_to_b": 0, "b_to_a": 0, "reciprocal": 0,
            **{q: 0 for q in QUAD_COLUMNS}, "cooperation": 0, "conflict": 0,
            **{t: 0 for t in PLOVER_TYPES}}


def dyad_series(store, a: str, b: str, by: str = "week", since: str | date | None = None,
                until: str | date | None = None, merged: bool = False,
                directed: bool = False, background: bool | None = None,
                min_confidence: float | None = None) -> list[dict[str, Any]]:
    """Events between actors `a` and `b` per period ("day", "week" from Monday, "month").

    One row per period, oldest first, empty periods included (from `since`, or the first
    event, to `until`, or the last event): `period` (first day, ISO), `total`, `a_to_b`,
    `b_to_a`, `reciprocal` (acts of both on each other, coded with all parties as sources and
    no target: "Germany and Poland signed an agreement", "talks between A and B"; total =
    a_to_b + b_to_a + reciprocal), one column per quad class (`verbal_cooperation`,
    `material_cooperation`, `verbal_conflict`, `material_conflict`), `cooperation` and
    `conflict` (their sums), and one column per PLOVER type. Either direction counts unless
    `directed` (then only `a` as source, `b` as target, and the reciprocal events of both:
    either party acts on the other). `merged`: count reports of the same event from several
    articles once (same type, overlapping source/target countries, dates within
    MERGE_DAYS, compatible places and factuality: tidings.dedup.events.same_event), at the
    period of its earliest report. `background`: False leaves out background events (earlier
    facts an article recalls, which otherwise stretch a series back years), True keeps only them.
    `min_confidence`: count only events whose verifier confidence is at least this (events
    stored without one are then left out); with `merged`, reports are left out before merging.
    """
    since_d, until_d = as_date(since, "since"), as_date(until, "until")
    base = EventFilter(since=since_d, until=until_d, limit=None, background=background,
                       min_confidence=min_confidence)
    if merged:
        counts = _merge(store, a, b, base, _dyad_rows(store, a, b, base, by, directed), directed)
    else:
        counts = _dyad_counts(store, a, b, base, by, directed)
    periods: dict[str, dict[str, Any]] = {}
    for count in counts:
        row = periods.get(count["period"]) or periods.setdefault(count["period"], empty_row(count["period"]))
        _count(row, count, store.codes.quad_class(count["type"]))
    return _bounded(periods, by, since_d, until_d)


def _dyad_counts(store, a: str, b: str, base: EventFilter, by: str, directed: bool) -> list[dict]:
    """Dated events between a and b counted per period, type and direction (in the database)."""
    from tidings.store.filters import event_where

    where = event_where(base, store.codes)
    where.add("e.day IS NOT NULL")
    join, join_params = dyad_join(store, a, b, directed)
    return store.backend.rows(
        f"SELECT {period_sql(by)} AS period, e.type, d.forward, {DYAD_RECIPROCAL} AS reciprocal, count(*) AS n"
        f" FROM events e {join}"
        f" {where.sql()} GROUP BY 1, 2, 3, 4 ORDER BY 1, {store.backend.codepoint('e.type')}, 3, 4",
        join_params + where.params)


def _dyad_rows(store, a: str, b: str, base: EventFilter, by: str, directed: bool) -> list[dict]:
    """One row per dated event between a and b: id, period, type, whether a acts on b, whether
    it is reciprocal."""
    from tidings.store.filters import event_where

    where = event_where(base, store.codes)
    where.add("e.day IS NOT NULL")
    join, join_params = dyad_join(store, a, b, directed)
    return store.backend.rows(
        f"SELECT e.article_id, e.ordinal, {period_sql(by)} AS period, e.day, e.type, e.factuality,"
        f" e.location_country, d.forward, {DYAD_RECIPROCAL} AS reciprocal FROM events e {join} {where.sql()}"
        f" ORDER BY e.day, {store.backend.codepoint('e.article_id')}, e.ordinal", join_params + where.params)


def _count(row: dict[str, Any], count: dict, quad: str | None) -> None:
    """Add `count` (period, type, forward, reciprocal, n: n events, 1 when absent) to the period's row."""
    n = count.get("n", 1)
    row["total"] += n
    row["reciprocal" if count.get("reciprocal") else "a_to_b" if count["forward"] else "b_to_a"] += n
    if quad:
        row[quad.replace(" ", "_")] += n
        row["cooperation" if "cooperation" in quad else "conflict"] += n
    if count["type"] in row:
        row[count["type"]] += n


def _bounded(periods: dict[str, dict], by: str, since: date | None, until: date | None) -> list[dict]:
    """Fill empty periods, stretched to the requested range when one was given."""
    if since is not None or until is not None:
        start = _period_start(since, by) if since else None
        end = _period_start(until, by) if until else None
        keys = sorted(periods)
        if start is None and keys:
            start = date.fromisoformat(keys[0])
        if end is None and keys:
            end = date.fromisoformat(keys[-1])
        if start is not None and end is not None and start <= end:
            periods.setdefault(start.isoformat(), empty_row(start.isoformat()))
            periods.setdefault(end.isoformat(), empty_row(end.isoformat()))
    return fill_periods(periods, by, empty_row)


def _period_start(day: date, by: str) -> date:
    if by == "day":
        return day
    if by == "week":
        return date.fromordinal(day.toordinal() - day.weekday())
    return day.replace(day=1)


# -- merging reports of one event ---------------------------------------------------------------

@dataclass
class _Cluster:
    key: Any
    last_day: date


def _merge(store, a: str, b: str, base: EventFilter, events: list[dict], directed: bool) -> list[dict]:
    """Keep the first report of each event (events come sorted by day)."""
    from tidings.dedup.events import EventKey, REALIS, same_event

    countries = _participant_countries(store, a, b, base, directed)
    kept: list[dict] = []
    open_clusters: dict[str, list[_Cluster]] = defaultdict(list)
    for event in events:
        ident = (event["article_id"], event["ordinal"])
        day = date.fromisoformat(event["day"])
        key = EventKey(type=event["type"], day=day,
                       sources=frozenset(countries[ident]["source"]),
                       targets=frozenset(countries[ident]["target"]),
                       place=event["location_country"], realis=REALIS.get(event["factuality"], "real"))
        clusters = open_clusters[event["type"]]
        clusters[:] = [c for c in clusters if (day - c.last_day).days <= MERGE_DAYS]
        match = next((c for c in clusters if same_event(c.key, key, MERGE_DAYS)), None)
        if match is None:
            clusters.append(_Cluster(key, day))
            kept.append(event)
        else:
            match.last_day = day
    return kept


def _participant_countries(store, a: str, b: str, base: EventFilter, directed: bool) -> dict:
    from tidings.store.filters import event_where

    where = event_where(base, store.codes)
    where.add("p.country IS NOT NULL")
    join, join_params = dyad_join(store, a, b, directed)
    rows = store.backend.rows(
        f"SELECT e.article_id, e.ordinal, p.role, p.country FROM events e {join}"
        " JOIN event_participants p ON p.article_id = e.article_id AND p.event_ordinal = e.ordinal"
        f" {where.sql()}", join_params + where.params)
    out: dict = defaultdict(lambda: {"source": set(), "target": set()})
    for row in rows:
        out[(row["article_id"], row["ordinal"])][row["role"]].add(row["country"])
    return out


# -- chart ----------------------------------------------------------------------------------------

COLOURS = {"verbal_cooperation": "#7fb8e0", "material_cooperation": "#1f6fb2",
           "verbal_conflict": "#f0a07a", "material_conflict": "#c0392b"}


def series_title(a: str, b: str, by: str = "week", directed: bool = False, merged: bool = True) -> str:
    """The title a dyad plot deserves: "USA → RUS" when only A's acts on B count, "USA ↔ RUS
    (both directions)" otherwise, with what is counted per which period."""
    pair = f"{a} → {b}" if directed else f"{a} ↔ {b} (both directions)"
    return f"{pair}: {'events' if merged else 'reports'} per {by}"


def series_figure(rows: list[dict[str, Any]], title: str | None = None):
    """The matplotlib Figure of a dyad (or timeline) series: cooperation stacked above the axis,
    conflict below, per period; whole-number count ticks (conflict ticks read as positive
    counts too); the legend to the right of the plot, never over a bar."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=(11, 4.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    x = list(range(len(rows)))
    up = [0.0] * len(rows)
    down = [0.0] * len(rows)
    for column, colour in COLOURS.items():
        values = [float(r.get(column, 0) or 0) for r in rows]
        if "cooperation" in column:
            axes.bar(x, values, bottom=up, color=colour, label=column.replace("_", " "), width=0.85)
            up = [u + v for u, v in zip(up, values)]
        else:
            negative = [-v for v in values]
            axes.bar(x, negative, bottom=down, color=colour, label=column.replace("_", " "), width=0.85)
            down = [d + n for d, n in zip(down, negative)]
    axes.axhline(0, color="#333333", linewidth=0.8)
    _label_axes(axes, rows)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{abs(value):g}"))
    axes.set_ylabel("events (cooperation up, conflict down)")
    if title:
        axes.set_title(title)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", ncol=1, frameon=False,
                borderaxespad=0.0)
    figure.tight_layout()
    return figure


def plot_series(rows: list[dict[str, Any]], path: str | Path, title: str | None = None) -> Path:
    """Draw a dyad (or timeline) series as a PNG (`series_figure`, matplotlib's Agg canvas: no
    display, no global state)."""
    path = Path(path)
    series_figure(rows, title).savefig(path, format="png")
    return path


def _label_axes(axes, rows: list[dict[str, Any]]) -> None:
    if not rows:
        axes.text(0.5, 0.5, "no events", ha="center", va="center", transform=axes.transAxes)
        return
    step = max(1, len(rows) // 12)
    ticks = list(range(0, len(rows), step))
    axes.set_xticks(ticks)
    axes.set_xticklabels([str(rows[i]["period"]) for i in ticks], rotation=45, ha="right", fontsize="small")


__all__ = ["dyad_series", "plot_series", "series_figure", "series_title", "empty_row", "QUAD_COLUMNS", "next_period"]
