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
INT64_MAX = 2**63 - 1  # the largest LIMIT/OFFSET a database takes
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
    import os

    from tidings.ingest import iter_documents

    if not paths:
        _fail("give at least one PATH (or - for JSON Lines on standard input)")
    missing = [p for p in paths if p != "-" and "://" not in p and p.strip() and not os.path.lexists(p)]
    if missing:
        _fail(f"no such file or directory: {', '.join(missing)}")
    def note(path: str, reason: str) -> None:
        click.echo(f"not read: {path}: {reason}", err=True)

    return iter_documents(list(paths), stdin=sys.stdin, max_bytes=max_bytes, on_skip=note)


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
    twice stores everything once. In folders, files that are no articles (README, LICENSE,
    CHANGELOG, .md, .json, images …) are not read, with a note. A PATH that does not exist is
    refused; a new database file is announced on stderr. Prints a summary; exits 1 when any
    document of this run failed (its error is stored: see `tidings stats`).
    """
    from tidings.ingest_run import IngestSettings, run_ingest

    if not paths and not reprocess:
        _fail("give at least one PATH (or --reprocess)")
    _check_inputs(paths, db, reprocess)
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


def _is_new(db: str) -> bool:
    return "://" not in db and not Path(db).exists()


def _check_inputs(paths: tuple[str, ...], db: str, reprocess: bool) -> None:
    """Refuse a run that could only store "no such file" errors (a mistyped PATH), before any
    database is created; say so on stderr when a new database file is created."""
    import os

    missing = [p for p in paths if p != "-" and "://" not in p and p.strip() and not os.path.lexists(p)]
    if missing:
        _fail(f"no such file or directory: {', '.join(missing)} (nothing was read"
              + (", no database created)" if _is_new(db) else ")"))
    if _is_new(db):
        if reprocess and not paths:
            _fail(f"no database at {db}: nothing to re-process")
        if not Path(db).parent.is_dir():
            _fail(f"cannot create the database {db}: no folder {Path(db).parent}")
        click.echo(f"creating new database {db}", err=True)


@cli.command()
@click.argument("feeds_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--interval", default="15m", show_default=True, help="Time between polls: 30s, 15m, 2h, 1d.")
@click.option("--polls", type=click.IntRange(1), default=None, help="Stop after this many polls (default: until Ctrl-C).")
@db_option
@published_option
@max_bytes_option
@fetch_timeout_option
@extraction_confidence_option
@click.option("--create", is_flag=True, help="Create the database when --db names no existing file.")
def watch(feeds_file: str, interval: str, polls: int | None, db: str, published: str | None, max_bytes: int,
          fetch_timeout: float | None, min_confidence: float | None, create: bool) -> None:
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
    if _is_new(db):
        if not create:
            _fail(f"no database at {db} (check the path, or add --create to start a new one)")
        if not Path(db).parent.is_dir():
            _fail(f"cannot create the database {db}: no folder {Path(db).parent}")
        click.echo(f"creating new database {db}", err=True)
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


COLUMN_ALIASES = {"speaker": "attribution_speaker", "title": "article_title", "confirmed": "attribution_confirmed",
                  "disputed": "attribution_disputed", "kind": "attribution_kind", "place": "location_name"}

columns_option = click.option(
    "--columns", metavar="COL,COL",
    help="Table format: more columns to show, e.g. sentence,speaker (speaker: attribution_speaker; any column"
         " of --format jsonl). csv and jsonl always have every column.")


def _table_columns(default: list[str], extra: str | None, fmt: str, rows: list[dict],
                   known: Iterable[str]) -> list[str] | None:
    """The table's columns: the defaults plus `--columns` (checked against the listing's columns)."""
    if fmt != "table":
        if extra:
            raise click.BadParameter("only the table format picks columns (csv and jsonl have every column)",
                                     param_hint="--columns")
        return None
    wanted = [COLUMN_ALIASES.get(c.strip(), c.strip()) for c in (extra or "").split(",") if c.strip()]
    known = list(known)
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise click.BadParameter(f"no column {', '.join(map(repr, unknown))}; the columns are {', '.join(known)}"
                                 f" (and the aliases {', '.join(sorted(COLUMN_ALIASES))})", param_hint="--columns")
    return default + [c for c in wanted if c not in default]


def _uncoded(rows: list[dict], sides: Iterable[tuple[str, str]]) -> None:
    """For the table: an actor with neither country nor sector shows as "uncoded: NAME", not "?"."""
    for row in rows:
        for label_key, name_key in sides:
            label, names = row.get(label_key), row.get(name_key)
            if not label or "?" not in label.split("; "):
                continue
            parts, named = label.split("; "), (names or "").split("; ")
            if len(named) != len(parts):
                named = [names or "?"] * len(parts)
            row[label_key] = "; ".join(f"uncoded: {n}" if p == "?" else p for p, n in zip(parts, named))


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
        return click.option(*names, type=click.IntRange(1 if field.name == "limit" else 0, INT64_MAX), default=default,
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
@columns_option
def events(db, fmt, raw, columns, a, b, directed, **filters) -> None:
    """List coded events: who did what to whom, when, per whom (newest first by default).

    Reports of one event by several articles are merged (one row: the first report, with
    num_mentions, num_articles, num_sources, first_day, last_day; the filters apply to that
    first report); `--raw` lists every report, `--group ID` every report of one merged event.
    The options are the API's filters (GET /api/events), under the same names.
    """
    from tidings.export import COLUMNS as EXPORTED
    from tidings.store import EventFilter
    from tidings.vocabulary import FilterValueError, check_dyad, check_range

    try:
        check_dyad(a, b, directed)
        check_range(filters.get("since"), filters.get("until"))
    except FilterValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--" + exc.param) from None
    store = _open(db)
    raw = raw or bool(filters.get("group"))
    default = ["date", "type", "mode", "source", "target", "location", "factuality", "attribution_kind", "confidence",
               "trigger", "article_id"] + ([] if raw else ["num_articles", "num_sources"])
    query = EventFilter(**_filters(filters, EventFilter), merged=not raw)
    if a:
        from tidings.analysis import dyad_events

        rows = dyad_events(store, a, b, query, bool(directed))
    else:
        rows = store.events(query)
    if fmt == "table":
        for row in rows:  # "Kyiv (UKR)"; csv and jsonl keep place, place_country, geonameid, lat, lon apart
            row["location"] = " ".join(filter(None, [row["place"], row["place_country"] and f"({row['place_country']})"]))
    known = list(rows[0]) if rows else ["location"] + [c.name for c in EXPORTED["events"]
                                                      if not (raw and c.merged_only)]
    shown = _table_columns(default, columns, fmt, rows, known)
    if fmt == "table":
        _uncoded(rows, [("source", "source_names"), ("target", "target_names")])
    _emit(rows, fmt, columns=shown)

@cli.command()
@_filter_options(table="quotes")
@columns_option
def quotes(db, fmt, columns, **filters) -> None:
    """List direct and indirect quotes with their speakers."""
    from tidings.export import COLUMNS as EXPORTED
    from tidings.store import QuoteFilter

    store = _open(db)
    rows = store.quotes(QuoteFilter(**_filters(filters, QuoteFilter)))
    shown = _table_columns(["speaker", "speaker_actor", "direct", "text", "article_id"], columns, fmt, rows,
                           list(rows[0]) if rows else [c.name for c in EXPORTED["quotes"]])
    if fmt == "table":
        _uncoded(rows, [("speaker_actor", "speaker")])
    _emit(rows, fmt, columns=shown)


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
              show_default=True, help="plover: one POLECAT-style JSON record per merged event (events only).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
@_filter_options(table="events", skip=("merged", "order"), listing=False)
@click.option("--order", metavar="ORDER", help="Sort order, as the table's listing takes it (events: -date, date,"
                                               " type, article; quotes: -date, article, speaker; actors: mentions,"
                                               " name, country, events). Default: that listing's.")
@click.option("--raw", is_flag=True, help="Events: one row per report instead of per merged event.")
@db_option
def export(table: str, fmt: str, output: str | None, raw: bool, db: str, a, b, directed, **filters) -> None:
    """Export a table (events, quotes, actors, articles) as CSV, JSON Lines or Parquet.

    Takes the filters of `tidings events`, dyads (--a, --b, --directed) included (those a table
    has: --actor, --country, --sector, --since, --until, --article and --text for quotes;
    --actor, --country, --sector, --article and --text for actors); every matching row is written.
    Columns are typed (README, "Data dictionary"): Parquet has DATE, TIMESTAMP, BOOLEAN and
    integer columns and an event's sources and targets as lists (source, source_names,
    source_country, source_sector; the same for target), JSON Lines the same as JSON values, CSV
    joins the lists with "; ". Events are merged events (one row per event however many articles
    report it, with its counts) unless `--raw`. `--format plover` writes one POLECAT-style JSON
    record per merged event (Event ID, Event Date, Event Type, Event Mode, Actor …, Recipient …,
    Placename … of its first report), with the PLOVER manual's `actor` and `recipient` lists (every
    actor of every report), tidings' provenance fields, and the merged event's id and numbers of
    reports, articles and sources.
    """
    from tidings.export import ExportSettings, export as run_export
    from tidings.store import ActorFilter, EventFilter, QuoteFilter
    from tidings.vocabulary import BY_NAME, FilterValueError, check, check_dyad, check_range

    if fmt == "parquet" and not output:
        raise click.BadParameter("parquet needs --output FILE", param_hint="--output")
    try:
        check_dyad(a, b, directed)
        if a and table != "events":
            raise FilterValueError("a", "--a/--b select events (tidings export events)")
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
    from tidings.progress import progress_bar

    try:
        with progress_bar(sys.stderr.isatty(), f"exporting {table}") as bar:
            count = run_export(store, ExportSettings(table, fmt, output), sys.stdout, query,
                               progress=lambda done: bar.update(completed=done),
                               dyad=(a, b, bool(directed)) if a else None)
    except ValueError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write {output or 'standard output'}: {exc.strerror or exc}")
    if output:
        click.echo(f"{count} rows written to {output}", err=True)


@cli.command()
@click.option("--dyad", required=True, metavar="A:B",
              help="Two actors, e.g. RUS:UKR or RUSGOV:UKRMIL (codes or name parts; also A,B).")
@click.option("--by", type=click.Choice(["day", "week", "month"]), default="week", show_default=True)
@click.option("--since", callback=_date, metavar="YYYY-MM-DD")
@click.option("--until", callback=_date, metavar="YYYY-MM-DD")
@click.option("--directed", is_flag=True,
              help="Only A as source and B as target (and the reciprocal events of both: 'A and B agreed').")
@click.option("--raw", is_flag=True, help="Count every report (event mention) instead of merged events.")
@click.option("--background/--no-background", default=None,
              help="Only background events (earlier facts an article recalls), or none of them (the default).")
@click.option("--with-background", is_flag=True, help="Count background events too.")
@click.option("--full-range", is_flag=True,
              help="Every period from the first event to the last, not only those holding 98% of the events.")
@query_confidence_option
@click.option("--plot", type=click.Path(dir_okay=False),
              help="Also draw the series as a PNG file (titled A → B with --directed, A ↔ B otherwise).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@db_option
def trends(dyad: str, by: str, since, until, directed: bool, raw: bool, background: bool | None,
           with_background: bool, full_range: bool, min_confidence: float | None, plot: str | None, fmt: str,
           db: str) -> None:
    """Events between two actors over time: counts per PLOVER type and quad class.

    A reciprocal event, coded with all its parties as sources and no target ("Germany and
    Poland signed an agreement", "talks between A and B"), is between each two of its parties:
    it counts in its own column (reciprocal), apart from A → B and B → A.

    By default reports of one event in several articles count once (merged events); --raw
    counts every report. Background events (earlier facts an article recalls) are left out
    unless --background (only them) or --with-background (all). Without --since/--until the
    periods shown are those holding 98% of the events (a lone event years earlier does not
    add hundreds of empty periods; empty periods at either end never show); --full-range
    shows every period.
    """
    from tidings.analysis import clip_to_bulk, dyad_series, plot_series, series_title
    from tidings.analysis.queries import BULK_SHARE

    if with_background and background is not None:
        raise click.BadParameter("give --with-background or --background/--no-background, not both",
                                 param_hint="--with-background")
    background = None if with_background else (False if background is None else background)

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
    if not (since or until):
        rows, axis = clip_to_bulk(rows, share=1.0 if full_range else BULK_SHARE)
        if axis["clipped"]:
            cut = " and ".join(f"{n} {word}" for n, word in ((axis["before"], "earlier"), (axis["after"], "later")) if n)
            click.echo(f"{cut} event(s) outside the periods shown ({axis['first']} to {axis['last']}, holding"
                       f" {BULK_SHARE:.0%} of the {axis['events']} events); --full-range shows every period", err=True)
    if plot:
        try:
            plot_series(rows, plot, title=series_title(parts[0], parts[1], by, directed=directed, merged=not raw))
        except OSError as exc:
            _fail(f"cannot write the plot to {plot}: {exc.strerror or exc}")
        click.echo(f"plot written to {plot}", err=True)
    columns = ["period", "total", "verbal_cooperation", "material_cooperation", "verbal_conflict",
               "material_conflict"] if fmt == "table" else None
    if fmt == "table":
        rows = _fold_empty(rows, by)
    _emit(rows, fmt, columns=columns)


def _fold_empty(rows: list[dict], by: str, run: int = 3) -> list[dict]:
    """A table's runs of `run` or more empty periods as one line ("2014-06-02 … 2021-12-27",
    "(395 empty weeks)"), so that a gap of years is one line, not hundreds of zeros."""
    out: list[dict] = []
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j]["total"] == 0:
            j += 1
        if j - i >= run:
            out.append({"period": f"{rows[i]['period']} … {rows[j - 1]['period']}", "total": 0,
                        "verbal_cooperation": f"({j - i} empty {by}s)"})
            i = j
        else:
            out.append(dict(rows[i]))
            i += 1
    return out


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (localhost by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="TCP port to listen on.")
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


def _report(result: dict, as_json: bool, keys: Iterable[str | tuple[str, str]]) -> None:
    """The headline figures, one a line ("type_f1   0.512"), or everything as JSON. A key is a
    result field or (field, name to print)."""
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return
    for key in keys:
        key, label = key if isinstance(key, tuple) else (key, key)
        if key not in result:
            continue
        items = result[key].items() if isinstance(result[key], dict) else [(None, result[key])]
        for sub, value in items:  # a nested figure prints as key_sub ("content_f1")
            name = f"{label}_{sub}" if sub else label
            click.echo(f"{name:28s} {value:.3f}" if isinstance(value, float) else f"{name:28s} {value}")


class _scoring:
    """Run an evaluation with a progress bar on a terminal ("loading model", then "scoring
    N/TOTAL"); bad gold data becomes a clear error, not a traceback."""

    def __init__(self, what: str) -> None:
        from tidings.progress import progress_bar

        self.what = what
        self._bar = progress_bar(sys.stderr.isatty(), "loading model")

    def __enter__(self):
        bar = self._bar.__enter__()

        def progress(done: int, total: int) -> None:
            bar.update(description="scoring", completed=done, total=total)

        return progress

    def __exit__(self, kind, exc, tb) -> bool:
        self._bar.__exit__(kind, exc, tb)
        if isinstance(exc, (ValueError, KeyError, IndexError, OSError, UnicodeDecodeError)):
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            detail = f" ({exc.filename})" if isinstance(exc, OSError) and exc.filename else ""
            _fail(f"cannot score {self.what}: {type(exc).__name__}: {reason}{detail}")
        return False


@eval_.command("plover")
@click.argument("tsv", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print all figures as JSON.")
@click.option("--details", is_flag=True, help="Also print per-type scores and the confusion matrix.")
def eval_plover(tsv: str, as_json: bool, details: bool) -> None:
    """Score event coding on a PLV-format TSV (sentence, source, target, gold_root)."""
    from tidings.eval.plover import evaluate

    with _scoring(tsv) as progress:
        result = evaluate(Path(tsv), progress=progress)
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

    with _scoring(gold) as progress:
        result = evaluate(Path(gold), Path(text_dir), min_confidence=min_confidence, progress=progress)
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

    with _scoring(directory) as progress:
        result = evaluate(Path(directory), progress=progress)
    _report(result, as_json, ["documents", "gold", "emitted", "content", "content_speaker", "quotes_per_second",
                              "docs_per_second_with_parse_and_actors"])


@eval_.command("actors")
@click.argument("jsonl", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def eval_actors(jsonl: str, as_json: bool) -> None:
    """Score actor resolution on JSON Lines cases {text, context, date, expect}."""
    from tidings.actors import evaluate

    with _scoring(jsonl) as progress:
        result = evaluate(Path(jsonl), progress=progress)
    _report(result, as_json, [("n", "cases"), "country_accuracy", "sector_accuracy",
                              ("per_second", "resolutions_per_second")])


@eval_.command("extraction")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True)
def eval_extraction(directory: str, as_json: bool) -> None:
    """Score main-text extraction on article-extraction-benchmark data (ground-truth.json + html/)."""
    from tidings.eval.extraction import evaluate

    with _scoring(directory) as progress:
        result = evaluate(Path(directory), progress=progress)
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
    from tidings.progress import progress_bar

    with progress_bar(sys.stderr.isatty(), "reading the dump", total=limit) as bar:
        def progress(number: int, read: int) -> None:
            bar.update(description=f"reading the dump (pass {number})", completed=read)

        try:
            summary = import_dump(Path(dump), Path(kb_dir) if kb_dir else None, limit=limit, progress=progress)
        except OSError as exc:
            _fail(f"cannot import {dump}: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else ""))
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
