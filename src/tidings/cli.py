"""The `tidings` command: a thin shell over the library.

Each command parses its arguments, calls one library function and formats the result.
Domain errors become a clear CLI error in one place (`_fail`).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from tidings import __version__

DEFAULT_DB = "tidings.duckdb"
FORMATS = click.Choice(["table", "csv", "jsonl"])


def _fail(message: str, code: int = 2) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def _date(ctx, param, value):  # click callback: validate YYYY-MM-DD
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form")


db_option = click.option("--db", default=DEFAULT_DB, show_default=True, envvar="TIDINGS_DB",
                         help="DuckDB file, or a postgresql:// URL.")
max_bytes_option = click.option("--max-bytes", type=click.IntRange(1), default=20_000_000, show_default=True,
                                help="Largest input file or fetched page, in bytes; bigger ones are errors.")
max_chars_option = click.option(
    "--max-chars", type=click.IntRange(1000), default=None, metavar="N",
    help="Longest cleaned text analysed, in characters (default 100,000; a long news article has 50,000); a longer"
         " one is stored as an error with its length, not cut.")
doc_timeout_option = click.option(
    "--doc-timeout", type=click.FloatRange(0), default=None, metavar="SECONDS",
    help="Time budget per document for cleaning and for analysis (default 120; 0: none). A document over"
         " it is stored as an error; a worker process that cannot be interrupted is replaced.")
fetch_timeout_option = click.option(
    "--fetch-timeout", type=click.FloatRange(0, min_open=True), default=None, metavar="SECONDS",
    help="Network time allowed per feed or page (default 30), all its requests together: robots.txt,"
         " redirects, retries, status line and headers included. A server still answering then is cut"
         " off and the URL stored as an error.")
published_option = click.option("--published", callback=_date, metavar="YYYY-MM-DD",
                                help="Publication date for inputs whose metadata gives none.")
# Every event carries a confidence: the verifier's probability (0-1) that a careful coder would code it.
extraction_confidence_option = click.option(
    "--min-confidence", type=click.FloatRange(0, 1), default=None, metavar="FLOAT",
    help="Keep only events whose confidence (0-1) is at least this. Default: the verifier's trained"
         " threshold, chosen for high precision; lower keeps more events, 0 keeps every candidate.")
query_confidence_option = click.option(
    "--min-confidence", type=click.FloatRange(0, 1), default=None, metavar="FLOAT",
    help="Only events whose confidence (0-1: how likely a careful coder would code them) is at least"
         " this; events stored without one (before schema 7, until --reprocess) are left out.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tidings")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def cli(verbose: int) -> None:
    """tidings: raw news in, a structured and sourced database of PLOVER political events out.

    \b
    Typical use:
      tidings ingest examples/            # build ./tidings.duckdb from a folder of news
      tidings events --actor RUS          # what Russia did, and what was done to it
      tidings show ARTICLE_ID             # one article with its actors, events and quotes
      tidings extract article.html        # JSON Lines on stdout, no database
    """
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def main() -> None:
    cli(prog_name="tidings")


# --- extract / ingest ------------------------------------------------------------------------

def _documents(paths: tuple[str, ...], max_bytes: int):
    from tidings.ingest import iter_documents

    if not paths:
        _fail("give at least one PATH (or - for JSON Lines on standard input)")
    return iter_documents(list(paths), stdin=sys.stdin, max_bytes=max_bytes)


@cli.command()
@click.argument("paths", nargs=-1, metavar="[PATH ...|-]")
@published_option
@max_bytes_option
@max_chars_option
@doc_timeout_option
@extraction_confidence_option
def extract(paths: tuple[str, ...], published: str | None, max_bytes: int, max_chars: int | None,
            doc_timeout: float | None, min_confidence: float | None) -> None:
    """Print one JSON object per article (the ArticleResult contract) as JSON Lines.

    PATH is a file or folder of .html/.htm, .txt, .jsonl (also .gz), .warc/.warc.gz, an
    http(s) URL (page or feed), or - for JSON Lines records on standard input ({"id", "text" or "html", optional "url", "title",
    "published"}). Touches no database. Exits 1 when any document failed.
    """
    from tidings.pipeline import Pipeline, PipelineSettings

    limits = {k: v for k, v in (("max_chars", max_chars), ("doc_timeout", doc_timeout)) if v is not None}
    pipeline = Pipeline(PipelineSettings(published=published, min_confidence=min_confidence, **limits))
    failed = 0
    for result in pipeline.run(_documents(paths, max_bytes)):
        failed += result.status == "error"
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("paths", nargs=-1, metavar="PATH ...")
@db_option
@published_option
@click.option("--reprocess", is_flag=True,
              help="Re-extract articles already stored (from their kept raw input) with the current rules.")
@click.option("--batch-size", type=click.IntRange(1), default=100, show_default=True,
              help="Articles per committed batch.")
@click.option("--workers", type=click.IntRange(0), default=0, show_default=True,
              help="Extraction processes (each loads the model once); 0 = one per core.")
@click.option("--urls", is_flag=True, help="Each PATH is a text file listing URLs (pages or feeds), one per line.")
@max_bytes_option
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="ray: spread extraction over a Ray cluster (see --address).")
@click.option("--address", help="Ray cluster address (auto, or HOST:6379); default: start a local Ray.")
@click.option("--output", type=click.Path(file_okay=False),
              help="With --engine ray: also write results as Parquet shards into this folder.")
@fetch_timeout_option
@max_chars_option
@doc_timeout_option
@extraction_confidence_option
def ingest(paths: tuple[str, ...], db: str, published: str | None, reprocess: bool, batch_size: int,
           workers: int, urls: bool, max_bytes: int, engine: str, address: str | None, output: str | None,
           fetch_timeout: float | None, max_chars: int | None, doc_timeout: float | None,
           min_confidence: float | None) -> None:
    """Extract events, actors and quotes from news and store them in a database.

    PATH is a file or folder of .html/.htm, .txt, .jsonl (also .gz) and .warc/.warc.gz, an
    http(s) URL of a page or an RSS/Atom feed, or - for JSON Lines on standard input. Inputs
    already in the database (same content or URL) are skipped, so running the same command
    twice stores everything once. Prints a summary; exits 1 when any
    document failed (its error is stored: see `tidings stats`).
    """
    from tidings.ingest_run import IngestSettings, run_ingest

    if not paths and not reprocess:
        _fail("give at least one PATH (or --reprocess)")
    if engine == "ray":
        from tidings.scale import RaySettings

        _ingest_ray(list(paths), RaySettings(address=address, workers=workers, published=published, output=output,
                                             db=db, reprocess=reprocess, min_confidence=min_confidence,
                                             max_chars=max_chars, doc_timeout=doc_timeout))
        return
    if address or output:
        _fail("--address and --output go with --engine ray")
    settings = IngestSettings(db=db, published=published, reprocess=reprocess, batch_size=batch_size,
                              progress=sys.stderr.isatty(), workers=workers, urls=urls, max_bytes=max_bytes,
                              min_confidence=min_confidence, max_chars=max_chars, doc_timeout=doc_timeout,
                              fetch_timeout=fetch_timeout)
    try:
        summary = run_ingest(list(paths), settings, stdin=sys.stdin)
    except Exception as exc:  # StoreLockedError, schema version errors, …
        _fail(str(exc))
    click.echo(summary.describe(), err=False)
    sys.exit(1 if summary.failed else 0)


@cli.command()
@click.argument("feeds_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--interval", default="15m", show_default=True, help="Time between polls: 30s, 15m, 2h, 1d.")
@click.option("--polls", type=int, default=None, help="Stop after this many polls (default: until Ctrl-C).")
@db_option
@published_option
@max_bytes_option
@fetch_timeout_option
@extraction_confidence_option
def watch(feeds_file: str, interval: str, polls: int | None, db: str, published: str | None, max_bytes: int,
          fetch_timeout: float | None, min_confidence: float | None) -> None:
    """Re-poll the feeds listed in FEEDS_FILE (one URL a line) and ingest only new items.

    Seen URLs and contents are remembered in the database; feeds are fetched with conditional
    GET. A feed that is down or malformed is reported and the others go on. Ctrl-C stops
    cleanly: every committed batch stays, nothing is half-written.
    """
    from tidings.ingest_run import IngestSettings
    from tidings.watch import WatchSettings, parse_interval, watch as run_watch

    try:
        seconds = parse_interval(interval)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--interval")
    settings = WatchSettings(Path(feeds_file), seconds, polls,
                             IngestSettings(db=db, published=published, max_bytes=max_bytes,
                                            min_confidence=min_confidence), fetch_timeout=fetch_timeout)

    def report(poll: int, summary) -> None:
        click.echo(f"poll {poll}: " + summary.describe().replace("\n", "\n  "))

    try:
        for _ in run_watch(settings, on_poll=report):
            pass
    except KeyboardInterrupt:
        click.echo("stopped (every committed batch is kept)", err=True)
    except Exception as exc:
        _fail(str(exc))


def _ingest_ray(paths: list[str], settings) -> None:
    try:
        from tidings.scale import run_ray
    except ImportError:
        _fail('the Ray engine needs Ray: pip install "tidings[ray]"')
    address = settings.address
    try:
        summary = run_ray(paths, settings)
    except ConnectionError as exc:
        _fail(f"cannot reach a Ray cluster at {address or 'a new local instance'}: {exc}")
    except Exception as exc:
        _fail(str(exc))
    click.echo(summary.describe())
    sys.exit(1 if summary.failed else 0)


# --- queries ---------------------------------------------------------------------------------

def _open(db: str, read_only: bool = True):
    from tidings.store import open_store

    if "://" not in db and not Path(db).exists():
        _fail(f"no database at {db} (run `tidings ingest PATH --db {db}` first)")
    try:
        return open_store(db, read_only=read_only)
    except Exception as exc:
        _fail(str(exc))


def _emit(rows: list[dict], fmt: str, columns: list[str] | None = None) -> None:
    from tidings.output import write_rows

    write_rows(rows, fmt, sys.stdout, columns=columns)


background_option = click.option(
    "--background/--no-background", default=None,
    help="Only background events (earlier facts an article recalls), or none of them (default: all).")


def _check_filter(table: str):
    """A click callback checking a filter option's value as the API does (tidings.vocabulary)."""
    def callback(ctx, param, value):
        from tidings.vocabulary import FilterValueError, check

        if value in (None, ""):
            return None
        name = param.name[:-1] if param.name.endswith("_") else param.name
        try:
            if name in ("actor", "source", "target", "a", "b"):
                from tidings.store.codes import UnknownCodeError, load_codes, parse_actor

                try:
                    parse_actor(value, load_codes())
                except UnknownCodeError as exc:
                    raise FilterValueError(name, str(exc)) from None
                return value
            return check(name, value, table)
        except FilterValueError as exc:
            raise click.BadParameter(str(exc).removeprefix(f"{name}: ")) from None
    return callback


def _filter_option(field, table: str):
    """The click option of one filter of tidings.vocabulary (same name as the API's parameter)."""
    flag = "--" + field.name.replace("_", "-")
    dest = "type_" if field.name == "type" else field.name
    names = [flag, *("--" + a.replace("_", "-") for a in field.aliases), dest]
    help_ = field.help_for(table)
    if field.aliases:
        help_ += " (" + ", ".join("--" + a for a in field.aliases) + ": the same, deprecated.)"
    if field.kind == "flag":
        if field.name == "directed":
            return click.option(flag, is_flag=True, default=None, help=help_)
        return click.option(f"{flag}/--no-{field.name.replace('_', '-')}", default=None, help=help_)
    if field.kind == "date":
        return click.option(*names, callback=_date, metavar="YYYY-MM-DD", help=help_)
    if field.kind == "fraction":
        return click.option(*names, type=click.FloatRange(0, 1), default=None, metavar="FLOAT", help=help_)
    if field.kind == "int":
        default = 100 if field.name == "limit" else 0
        return click.option(*names, type=click.IntRange(1 if field.name == "limit" else 0), default=default,
                            show_default=True, help=help_)
    if field.kind in ("choice", "actor"):
        if field.choices in ("types", "quad_classes", "factuality", "statuses"):  # short lists (small files)
            help_ += " One of: " + ", ".join(field.choices_for(table)) + "."
        default = field.default_for(table) if field.name == "order" else None
        metavar = "|".join(field.choices[table]) if isinstance(field.choices, dict) else None
        return click.option(*names, callback=_check_filter(table), default=default, metavar=metavar,
                            show_default=default is not None, help=help_)
    return click.option(*names, help=help_)


def _filter_options(func=None, *, table: str = "events", skip: tuple[str, ...] = ("merged",),
                    listing: bool = True):
    """The filter options of a listing (`tidings events`, `quotes`, `actors`), from the one
    filter vocabulary (tidings.vocabulary): the API's query parameters under the same names,
    so --help lists exactly the options the command accepts. `listing`: with --limit,
    --offset, --format and --db."""
    if func is None:
        return lambda f: _filter_options(f, table=table, skip=skip, listing=listing)
    from tidings.vocabulary import fields_for

    options = [_filter_option(field, table) for field in fields_for(table) if field.name not in skip
               and (listing or field.name not in ("limit", "offset"))]
    if listing:
        options += [click.option("--format", "fmt", type=FORMATS, default="table", show_default=True), db_option]
    for option in reversed(options):
        func = option(func)
    return func


@cli.command()
@_filter_options
@click.option("--raw", is_flag=True, help="One row per report (event mention) instead of per merged event.")
def events(db, fmt, raw, a, b, directed, **filters) -> None:
    """List coded events: who did what to whom, when, per whom (newest first by default).

    Reports of one event by several articles are merged (one row: the first report, with
    num_mentions, num_articles, num_sources, first_day, last_day; the filters apply to that
    first report); `--raw` lists every report. The options are the API's filters (GET
    /api/events), under the same names.
    """
    from tidings.store import EventFilter
    from tidings.vocabulary import FilterValueError, check_dyad, check_range

    try:
        check_dyad(a, b, directed)
        check_range(filters.get("since"), filters.get("until"))
    except FilterValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--" + exc.param) from None
    store = _open(db)
    query = EventFilter(**_filters(filters, EventFilter), merged=not raw)
    if a:
        from tidings.analysis import dyad_events

        rows = dyad_events(store, a, b, query, bool(directed))
    else:
        rows = store.events(query)
    columns = ["date", "type", "mode", "source", "target", "factuality", "attribution_kind", "confidence",
               "trigger", "article_id"] + ([] if raw else ["num_articles", "num_sources"])
    _emit(rows, fmt, columns=columns if fmt == "table" else None)


@cli.command()
@_filter_options(table="quotes")
def quotes(db, fmt, **filters) -> None:
    """List direct and indirect quotes with their speakers."""
    from tidings.store import QuoteFilter

    store = _open(db)
    rows = store.quotes(QuoteFilter(**_filters(filters, QuoteFilter)))
    _emit(rows, fmt, columns=["speaker", "speaker_actor", "direct", "text", "article_id"]
          if fmt == "table" else None)


@cli.command()
@_filter_options(table="actors")
def actors(db, fmt, **filters) -> None:
    """List the actors found, with their country, sector and number of mentions.

    A resolved pronoun or description counts as a mention of the actor it refers to; a pronoun
    with no antecedent is no actor and is not listed."""
    from tidings.store import ActorFilter

    store = _open(db)
    rows = store.actors(ActorFilter(**_filters(filters, ActorFilter)))
    _emit(rows, fmt)


def _filters(values: dict, cls) -> dict:
    """Map CLI option names onto a filter dataclass's fields (the vocabulary's names: text →
    search), dropping unset and unknown ones."""
    from dataclasses import fields

    from tidings.vocabulary import BY_NAME

    names = {f.name for f in fields(cls)}
    renamed = {(BY_NAME[k].field if k in BY_NAME else k): v
               for k, v in ((("type" if k == "type_" else k), v) for k, v in values.items())}
    unknown = [k for k, v in renamed.items() if v not in (None, "") and k not in names]
    if unknown and any(k not in ("limit", "offset") for k in unknown):
        _fail(f"option(s) not supported here: {', '.join('--' + k.replace('_', '-') for k in unknown)}")
    return {k: v for k, v in renamed.items() if k in names and v not in (None, "")}


@cli.command()
@click.argument("article")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the stored ArticleResult as JSON.")
def show(article: str, db: str, as_json: bool) -> None:
    """Print one article's cleaned text with its actors, events and quotes marked."""
    from tidings.output import render_article, terminal_safe

    store = _open(db)
    try:
        result = store.article(article)
    except Exception as exc:  # an ambiguous id prefix
        _fail(str(exc))
    if result is None:
        _fail(f"no article {article!r} in {db}")
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    from tidings.dedup.store_index import cluster_members

    render_article(result, sys.stdout, color=sys.stdout.isatty())
    copies = cluster_members(store, result.id)
    if len(copies) > 1:
        click.echo("\n## Copies of this story (canonical first)")
        for copy in copies:
            mark = "*" if copy["canonical"] else " "
            click.echo(terminal_safe(f"{mark} {copy['id']}  {copy['published'] or '-'}  "
                                     f"{copy['site_name'] or copy['credited_publisher'] or '-'}  {copy['title'] or ''}"))


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True)
def stats(db: str, as_json: bool) -> None:
    """Counts of articles (ok / skipped / failed), events by type, quotes, and ingest errors."""
    from tidings.output import render_stats

    data = _open(db).stats()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        render_stats(data, sys.stdout)


@cli.command()
@click.argument("table", type=click.Choice(["events", "quotes", "actors", "articles"]), default="events")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet", "plover"]), default="csv",
              show_default=True, help="plover: one POLECAT-style JSON record per event (events only).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
@_filter_options(table="events", skip=("merged", "a", "b", "directed", "order"), listing=False)
@click.option("--order", metavar="ORDER", help="Sort order, as the table's listing takes it (events: -date, date,"
                                               " type, article; quotes: -date, article, speaker; actors: mentions,"
                                               " name, country, events). Default: that listing's.")
@click.option("--raw", is_flag=True, help="Events: one row per report instead of per merged event.")
@db_option
def export(table: str, fmt: str, output: str | None, raw: bool, db: str, **filters) -> None:
    """Export a table (events, quotes, actors, articles) as CSV, JSON Lines or Parquet.

    Takes the filters of `tidings events` (those a table has: --actor, --country, --sector,
    --since, --until, --article and --text for quotes; --actor, --country, --sector,
    --article and --text for actors); every matching row is written.
    Events are merged events (one row per event however many articles report it, with its
    counts) unless `--raw`. `--format plover` writes one POLECAT-style JSON record per report
    (Event ID, Event Date, Event Type, Event Mode, Actor …, Recipient …, Placename …) plus
    tidings' provenance fields, its merged event's id and number of sources.
    """
    from tidings.export import ExportSettings, export as run_export
    from tidings.store import ActorFilter, EventFilter, QuoteFilter
    from tidings.vocabulary import BY_NAME, FilterValueError, check, check_range

    if fmt == "parquet" and not output:
        raise click.BadParameter("parquet needs --output FILE", param_hint="--output")
    try:
        check_range(filters.get("since"), filters.get("until"))
        if filters.get("order") and table in ("events", "quotes", "actors"):
            filters["order"] = check("order", filters["order"], table)
        elif table in ("events", "quotes", "actors"):
            filters["order"] = BY_NAME["order"].default_for(table)
    except FilterValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--" + exc.param) from None
    store = _open(db)
    cls = {"events": EventFilter, "quotes": QuoteFilter, "actors": ActorFilter}.get(table)
    if cls is None and any(v not in (None, "") for v in filters.values()):
        _fail("articles are exported whole: the filters select events, quotes or actors")
    query = cls(**_filters(filters, cls)) if cls else None
    if table == "events":
        query.merged = not raw
    try:
        count = run_export(store, ExportSettings(table, fmt, output), sys.stdout, query)
    except ValueError as exc:
        _fail(str(exc))
    if output:
        click.echo(f"{count} rows written to {output}", err=True)


@cli.command()
@click.option("--dyad", required=True, metavar="A:B",
              help="Two actors, e.g. RUS:UKR or RUSGOV:UKRMIL (codes or name parts; also A,B).")
@click.option("--by", type=click.Choice(["day", "week", "month"]), default="week", show_default=True)
@click.option("--since", callback=_date, metavar="YYYY-MM-DD")
@click.option("--until", callback=_date, metavar="YYYY-MM-DD")
@click.option("--directed", is_flag=True, help="Only A as source and B as target.")
@click.option("--raw", is_flag=True, help="Count every report (event mention) instead of merged events.")
@background_option
@query_confidence_option
@click.option("--plot", type=click.Path(dir_okay=False), help="Also draw the series as a PNG file.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@db_option
def trends(dyad: str, by: str, since, until, directed: bool, raw: bool, background: bool | None,
           min_confidence: float | None, plot: str | None, fmt: str, db: str) -> None:
    """Events between two actors over time: counts per PLOVER type and quad class.

    By default reports of one event in several articles count once (merged events); --raw
    counts every report.
    """
    from tidings.analysis import dyad_series, plot_series

    parts = [p.strip() for p in dyad.replace(",", ":").split(":") if p.strip()]
    if len(parts) != 2:
        raise click.BadParameter("give two actors as A:B, e.g. RUS:UKR", param_hint="--dyad")
    store = _open(db)
    try:
        rows = dyad_series(store, parts[0], parts[1], by=by, since=since, until=until,
                           merged=not raw, directed=directed, background=background,
                           min_confidence=min_confidence)
    except ValueError as exc:
        _fail(str(exc))
    if plot:
        plot_series(rows, plot, title=f"{parts[0]} – {parts[1]} per {by}")
        click.echo(f"plot written to {plot}", err=True)
    columns = ["period", "total", "verbal_cooperation", "material_cooperation", "verbal_conflict",
               "material_conflict"] if fmt == "table" else None
    if fmt == "table":
        rows = [{k: v for k, v in r.items()} for r in rows]
    _emit(rows, fmt, columns=columns)


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (localhost by default).")
@click.option("--port", default=8000, show_default=True)
@click.option("--token", envvar="TIDINGS_TOKEN",
              help="Turn on the write endpoint (POST /api/ingest), which then requires this bearer token.")
@click.option("--max-body-bytes", type=click.IntRange(1), default=10 * 1024 * 1024, show_default=True, metavar="N",
              help="Largest body POST /api/ingest accepts, in bytes; a bigger one is refused (413) unparsed, as"
                   " soon as its Content-Length or its streamed size shows it.")
@click.option("--cors", "cors", multiple=True, metavar="ORIGIN",
              help="Let web pages from ORIGIN (https://example.org, or * for any) call the API from a browser"
                   " (CORS); repeat for several.")
def serve(db: str, host: str, port: int, token: str | None, max_body_bytes: int, cors: tuple[str, ...]) -> None:
    """Browse the database in a web UI, with a JSON API under /api/ (documented at /docs)."""
    from tidings.web import serve as run_server

    for origin in cors:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise click.BadParameter(f"{origin!r} is not an origin (https://host[:port], or *)", param_hint="--cors")
    _open(db).close()  # a clear error now if the database is missing or locked
    run_server(db, host=host, port=port, token=token, max_body_bytes=max_body_bytes, cors_origins=cors)


# --- database --------------------------------------------------------------------------------

@cli.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@db_option
def db_upgrade(db: str) -> None:
    """Upgrade a database to the current schema version, in place."""
    from tidings.store import open_store

    from tidings.dedup.merge import group_events
    from tidings.dedup.store_index import cluster_articles

    if "://" not in db and not Path(db).exists():
        _fail(f"no database at {db}: nothing to upgrade (check the path; `tidings ingest PATH --db {db}` makes one)")
    try:
        store = open_store(db, upgrade=True)
        clustered, grouped = cluster_articles(store), group_events(store)  # fill what new versions added
    except Exception as exc:
        _fail(str(exc))
    click.echo(f"{db}: schema version {store.schema_version}"
               f" ({clustered} articles clustered, {grouped} event mentions grouped)")


# --- evaluation ------------------------------------------------------------------------------

@cli.group(name="eval")
def eval_() -> None:
    """Score tidings against gold data (PLOVER events, quotes, actors, extraction)."""


def _report(result: dict, as_json: bool, keys: Iterable[str]) -> None:
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return
    for key in keys:
        if key not in result:
            continue
        items = result[key].items() if isinstance(result[key], dict) else [(None, result[key])]
        for sub, value in items:  # a nested figure prints as key_sub ("content_f1")
            name = f"{key}_{sub}" if sub else key
            click.echo(f"{name:28s} {value:.3f}" if isinstance(value, float) else f"{name:28s} {value}")


@eval_.command("plover")
@click.argument("tsv", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print all figures as JSON.")
@click.option("--details", is_flag=True, help="Also print per-type scores and the confusion matrix.")
def eval_plover(tsv: str, as_json: bool, details: bool) -> None:
    """Score event coding on a PLV-format TSV (sentence, source, target, gold_root)."""
    from tidings.eval.plover import evaluate

    result = evaluate(Path(tsv))
    _report(result, as_json, ["rows", "sentences", "typed_pair_recall", "type_accuracy", "macro_f1",
                              "events_per_sentence", "type_precision_lb", "sentences_per_second"])
    if details and not as_json:
        from tidings.output import render_confusion

        render_confusion(result, sys.stdout)


@eval_.command("articles")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.argument("text_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print all figures (and the event lists) as JSON.")
@click.option("--details", is_flag=True, help="Also print per-type scores and list false, missed and wrong-dyad events.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=None,
              help="Score only events at or above this confidence (default: the pipeline's default).")
def eval_articles(gold: str, text_dir: str, as_json: bool, details: bool, min_confidence: float | None) -> None:
    """Score whole articles: every emitted event against hand-coded gold events (GUIDE.md format).

    Type match: same sentence and type (or an alternative type); dyad match: also the source and
    target countries. Precision counts matches to required or optional gold events; recall counts
    required ones. The publication date comes from a `_YYYY-MM-DD_` part of a file name."""
    from tidings.eval.articles import evaluate
    from tidings.output import render_article_eval

    try:
        result = evaluate(Path(gold), Path(text_dir), min_confidence=min_confidence)
    except (ValueError, FileNotFoundError) as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    _report(result, False, ["documents", "gold_required", "gold_optional", "emitted", "min_confidence",
                            "type_precision", "type_recall", "type_f1", "dyad_precision", "dyad_recall", "dyad_f1",
                            "articles_per_second"])
    if details:
        render_article_eval(result, sys.stdout)


@eval_.command("quotes")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True)
def eval_quotes(directory: str, as_json: bool) -> None:
    """Score quotes and attributions on PolNeAR-format data (brat .ann beside text/)."""
    from tidings.eval.quotes import evaluate

    result = evaluate(Path(directory))
    _report(result, as_json, ["documents", "gold", "emitted", "content", "content_speaker", "quotes_per_second",
                              "docs_per_second_with_parse_and_actors"])


@eval_.command("actors")
@click.argument("jsonl", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def eval_actors(jsonl: str, as_json: bool) -> None:
    """Score actor resolution on JSON Lines cases {text, context, date, expect}."""
    from tidings.actors import evaluate

    result = evaluate(Path(jsonl))
    _report(result, as_json, ["cases", "country_accuracy", "sector_accuracy", "resolutions_per_second"])


@eval_.command("extraction")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True)
def eval_extraction(directory: str, as_json: bool) -> None:
    """Score main-text extraction on article-extraction-benchmark data (ground-truth.json + html/)."""
    from tidings.eval.extraction import evaluate

    result = evaluate(Path(directory))
    if as_json:
        result = {k: v for k, v in result.items() if k != "per_page"} | {"per_page": result.get("per_page")}
    _report(result, as_json, ["pages", "precision", "recall", "f1"])


@cli.group()
def kb() -> None:
    """Extend the actor knowledge base (people, organisations) from open data."""


@kb.command("import")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False))
@click.option("--kb-dir", type=click.Path(file_okay=False), default=None,
              help="Folder of imported KB files (default: $TIDINGS_KB_DIR or ~/.local/share/tidings/kb).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Read at most this many entities (per pass).")
@click.option("--json", "as_json", is_flag=True)
def kb_import(dump: str, kb_dir: str | None, limit: int | None, as_json: bool) -> None:
    """Import people (positions held, to the day where known, and candidacies) and organisations
    from a Wikidata JSON dump (.json, .bz2, .gz).

    A person's code follows the article's date: the office held then (an office beats a candidacy
    held at the same time), a candidate (PTY) in the year before an election they ran in, ELI
    after their last office."""
    from tidings.actors.wikidata import import_dump

    summary = import_dump(Path(dump), Path(kb_dir) if kb_dir else None, limit=limit)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        for key in ("entities", "malformed", "countries", "positions", "people", "orgs", "aliases_dropped"):
            click.echo(f"{key:>16}: {getattr(summary, key)}")
        click.echo(f"{'entities/s':>16}: {summary.entities_per_second:.0f}")
        for reason, count in sorted(summary.skipped.items()):
            click.echo(f"{'skipped':>16}: {count} {reason}")
        for line in summary.warnings:
            click.secho(f"warning: {line}", fg="yellow", err=True)
        for path in summary.files:
            click.echo(f"{'wrote':>16}: {path}")
    if summary.error:
        _fail(summary.error, code=1)


if __name__ == "__main__":  # pragma: no cover
    main()
