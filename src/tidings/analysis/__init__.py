"""Analysis over the store: dyad series, timelines, most active dyads, actor networks.

    from tidings.analysis import dyad_series, plot_series
    with open_store("tidings.duckdb", read_only=True) as store:
        rows = dyad_series(store, "RUS", "UKR", by="month", since="2022-01-01")
    plot_series(rows, "rus-ukr.png")

Public interface:
  dyad_series(store, a, b, by="week", since=None, until=None, merged=False, directed=False, background=None,
              min_confidence=None) -> list[dict]
  plot_series(rows, path, title=None) -> Path                PNG (matplotlib, Agg canvas)
  timeline(store, EventFilter, by="week") -> list[dict]       events per period and quad class
  top_dyads(store, EventFilter, limit=10) -> list[dict]       most active source → target pairs
  network(store, EventFilter, limit=60) -> {"nodes", "edges"} who acts on whom
  counterparts(store, actor, EventFilter, limit=20) -> list[dict]
  dyad_events(store, a, b, EventFilter, directed=False) -> list[dict]   rows like Store.events
  recent_articles(store, limit, offset, status=None, search=None) -> list[dict]
  count_dyad_events(store, a, b, EventFilter, directed=False) / count_articles(store, status, search) -> int
"""

from tidings.analysis.dyads import QUAD_COLUMNS, dyad_series, plot_series
from tidings.analysis.queries import (
    PERIODS, QUAD_CLASSES, count_articles, count_dyad_events, counterparts, duplicate_copies, dyad_events, network,
    recent_articles, timeline, top_dyads,
)

__all__ = [
    "dyad_series", "plot_series", "timeline", "top_dyads", "network", "counterparts", "dyad_events",
    "recent_articles", "count_dyad_events", "count_articles", "duplicate_copies", "PERIODS", "QUAD_CLASSES", "QUAD_COLUMNS",
]
