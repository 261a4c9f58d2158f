"""The ``reader`` command: argument parsing and sub-commands over the headless core.

Every error the user can fix is one line on stderr and a non-zero exit, with nothing
written. ``reader`` with no sub-command starts the app (``reader.tui`` is imported only
then).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from reader import __version__
from reader.config import Settings, load_settings
from reader.errors import ReaderError, UsageError
from reader.formats import EXPORT_FORMATS, IMPORT_FORMATS
from reader.inert import inert, one_line, plural

if TYPE_CHECKING:
    from reader.search import Hit

EXIT_USAGE = 2
EXIT_ERROR = 1


def _common(parser: argparse.ArgumentParser, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--corpus",
        action="append",
        metavar="PATH",
        default=default,
        help="folder or file of dispatches (repeatable; env READER_CORPUS; default seeds/)",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="annotation store (env READER_DB; default annotations.json)",
    )
    parser.add_argument(
        "--catalog",
        metavar="PATH",
        default=default,
        help="corpus catalog, SQLite (env READER_CATALOG; default: in the user cache folder)",
    )
    parser.add_argument(
        "--ner",
        metavar="BACKEND",
        default=default,
        help="entity backend: model (default, learned), rules, or spacy:<pipeline> (env READER_NER)",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default=default,
        help="colour and tables: auto (in a terminal; default), always (e.g. for less -R), never",
    )


class _Parser(argparse.ArgumentParser):
    """argparse, with its error line made inert (it quotes what was typed)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, inert(f"{self.prog}: error: {message}") + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reader",
        description="Read, tag and annotate news dispatches. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"dispatch-reader {__version__}")
    _common(parser, top=True)
    parser.add_argument(
        "--annotator",
        metavar="NAME",
        help="who you are: new annotations are yours (env READER_ANNOTATOR; config annotator; "
        "default: login name)",
    )
    parser.add_argument(
        "--blind", action="store_true", help="the app shows only your own annotations (config blind = true)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _common(p, top=False)
        return p

    command("app", "open the app (the default)")

    p = command("index", "build or refresh the corpus catalog (progress on stderr; resumable)")
    p.add_argument("--rebuild", action="store_true", help="forget the catalog and index every file again")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")

    p = command("list", "list the dispatches: id, title, source, date, words, annotations")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("show", "print a dispatch with its metadata, entities coloured")
    p.add_argument("dispatch", help="dispatch id (a unique prefix will do)")
    p.add_argument("--plain", action="store_true", help="no colours (as --color never)")

    p = command("tag", "annotate a span of a dispatch")
    p.add_argument("dispatch", help="dispatch id")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--quote", help="the exact text to tag")
    where.add_argument("--start", type=int, help="start offset (code points)")
    p.add_argument("--end", type=int, help="end offset, exclusive (with --start)")
    p.add_argument("--occurrence", type=int, help="which occurrence of --quote (1-based)")
    p.add_argument("--tag", required=True, help="the tag, e.g. event or PERSON")
    p.add_argument("--note", default="", help="a free-text note")
    p.add_argument("--json", action="store_true", help="print the stored record as JSON")

    p = command("annotations", "list annotations")
    p.add_argument("--dispatch", help="only this dispatch")
    p.add_argument("--tag", help="only this tag")
    p.add_argument("--json", action="store_true", help="print JSON records")

    p = command("delete", "delete an annotation by id")
    p.add_argument("annotation_id", help="the annotation id (a unique prefix will do)")

    p = command("export", "export annotations (JSON by default)")
    p.add_argument("--format", default="json", choices=EXPORT_FORMATS, help="output format (default json)")
    p.add_argument(
        "-o", "--output", metavar="PATH", help="write to PATH (a folder for brat; default: stdout)"
    )
    p.add_argument("--dispatch", help="only this dispatch")
    p.add_argument("--tag", help="only this tag")
    p.add_argument(
        "--annotator",
        dest="only_annotator",
        metavar="NAME",
        help="only NAME's annotations (e.g. the curator's)",
    )
    p.add_argument(
        "--strict", action="store_true", help="fail, writing nothing, if the format loses anything"
    )

    p = command("import", "import annotations from a file or folder (all or nothing)")
    p.add_argument("path", metavar="FILE_OR_FOLDER")
    p.add_argument(
        "--format", choices=IMPORT_FORMATS, help="input format (default: from the name and content)"
    )
    p.add_argument("--dry-run", action="store_true", help="show what would happen; store nothing")
    p.add_argument(
        "--strict", action="store_true", help="import nothing if anything in the file is not taken"
    )
    p.add_argument(
        "--add-texts",
        metavar="DIR",
        help="texts in the file that no dispatch has become new dispatches in DIR (a corpus folder)",
    )

    p = command("merge", "bring colleagues' stores or exports in (idempotent, any order)")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER", help="stores (.json) or import files")
    p.add_argument(
        "--format",
        choices=("store", *IMPORT_FORMATS),
        help="input format (default: a store if it is one, else as reader import detects)",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would change; store nothing")

    p = command("agreement", "inter-annotator agreement: span F1, Cohen's kappa, Krippendorff's alpha")
    p.add_argument("--dispatch", action="append", help="only this dispatch (repeatable; a prefix will do)")
    p.add_argument("--tag", action="append", help="only this tag (repeatable)")
    p.add_argument("--annotators", help="only these, comma-separated (default: everyone)")
    p.add_argument("--by-dispatch", action="store_true", help="also a row per dispatch and pair")
    p.add_argument("--json", action="store_true", help="print every figure as JSON")
    p.add_argument("--csv", metavar="FILE", help="write every figure as CSV to FILE")

    p = command("curate", "settle where annotators differ, automatically, under a curator's name")
    p.add_argument(
        "--strategy",
        default="agreed",
        help="agreed (everyone made it; default), majority, or threshold:N (at least N made it)",
    )
    p.add_argument(
        "--as", dest="curator", default="curator", metavar="NAME", help="the curator (default curator)"
    )
    p.add_argument("--dispatch", action="append", help="only this dispatch (repeatable; a prefix will do)")
    p.add_argument("--dry-run", action="store_true", help="show what would be settled; store nothing")

    p = command("entities", "list the named entities of a dispatch or a text file")
    p.add_argument("source", help="dispatch id, path of a text file, or - for stdin")
    p.add_argument("--json", action="store_true", help="print every mention as JSON")

    p = command("search", "search the corpus: hits with a line of context each")
    p.add_argument("query")
    p.add_argument("--regex", action="store_true", help="QUERY is a regular expression")
    p.add_argument("--case", action="store_true", help="match case")
    p.add_argument("--tag", help="only hits inside annotations with this tag (or, with --in, of this tag)")
    p.add_argument("--in", dest="where", choices=("text", "notes", "annotations"), default="text")
    p.add_argument("--limit", type=int, default=200, help="show at most N hits (default 200; 0: all)")
    p.add_argument("--json", action="store_true", help="print hits as JSON")

    p = command("dossier", "every dispatch that mentions an entity, its variants and company")
    p.add_argument("name", help="the entity, e.g. Grachev or 'Pavel Grachev'")
    p.add_argument("--merge", metavar="VARIANT", help="group VARIANT with NAME from now on")
    p.add_argument("--split", metavar="VARIANT", help="keep VARIANT out of NAME's group")
    p.add_argument("--json", action="store_true")

    p = command("tag-all", "tag every occurrence of a quote in a dispatch or the whole corpus")
    p.add_argument("quote")
    p.add_argument("--tag", required=True)
    p.add_argument("--note", default="")
    p.add_argument("--dispatch", help="only this dispatch (default: the whole corpus)")
    p.add_argument("--ignore-case", action="store_true")
    p.add_argument(
        "--exclude", type=int, nargs="*", default=[], metavar="N", help="leave out hit N (from --dry-run)"
    )
    p.add_argument("--dry-run", action="store_true", help="list the hits, numbered; tag nothing")

    p = command("stats", "annotations per tag and dispatch, entities by label, with bar charts")
    p.add_argument("--json", action="store_true")

    p = command(
        "doctor",
        "explain what is wrong with the annotation store (it is never changed) and list skipped corpus files",
    )
    p.add_argument(
        "--salvage", metavar="NEW_PATH", help="write every recoverable annotation into a new store"
    )

    p = command("check", "re-find annotations in edited dispatches: anchored, moved, fuzzy, orphaned")
    p.add_argument("--dispatch", help="only this dispatch")
    p.add_argument("--apply", action="store_true", help="store the new positions (one durable operation)")
    p.add_argument("--json", action="store_true", help="print every finding as JSON")

    p = command("lexicon", "teach the entity recognizer: labels and rejections applied to every dispatch")
    lex = p.add_subparsers(dest="lexicon_command", metavar="ACTION")
    lex.add_parser("list", help="what the recognizer has been taught")
    q = lex.add_parser("add", help="label every occurrence of SURFACE")
    q.add_argument("surface")
    q.add_argument("label", help="PERSON, ORG, GPE, LOC, NORP, DATE, ...")
    q = lex.add_parser("reject", help="never report SURFACE as an entity")
    q.add_argument("surface")
    q = lex.add_parser("remove", help="forget what was taught about SURFACE")
    q.add_argument("surface")

    p = command("learn", "train a personal entity model from your corrections (kept beside the store)")
    p.add_argument("--epochs", type=int, default=8, help="passes over the corrected dispatches (default 8)")
    p.add_argument(
        "--forget", action="store_true", help="delete the personal model: back to the packaged one"
    )

    command("config", "print the configuration file in effect and the settings")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(
            corpus=args.corpus,
            db=args.db,
            ner=args.ner,
            catalog=getattr(args, "catalog", None),
            annotator=args.annotator,
            blind=True if args.blind else None,
        )
        for warning in settings.warnings:
            _err(f"reader: warning: {warning}")
        command = args.command or "app"
        handler = COMMANDS[command]
        return handler(args, settings)
    except UsageError as exc:
        _err(f"reader: error: {exc}")
        return EXIT_USAGE
    except ReaderError as exc:
        _err(f"reader: error: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("reader: interrupted")
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`| head`): not an error. Point stdout at
        # devnull so the interpreter's final flush does not complain.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except sqlite3.Error as exc:
        _err(f"reader: error: the corpus catalog: {exc}; `reader index --rebuild` makes it afresh")
        return EXIT_ERROR
    except OSError as exc:
        _err(f"reader: error: {exc.filename or ''}{': ' if exc.filename else ''}{exc.strerror or exc}")
        return EXIT_ERROR


# -- helpers -------------------------------------------------------------------------------


def _err(line: str) -> None:
    """One line on stderr, made inert (it may quote a file name or a value from outside)."""
    sys.stderr.write(inert(line) + "\n")
    sys.stderr.flush()


def _workspace(settings: Settings, *, scan: bool = True) -> Any:
    """The workspace; an unindexed or changed corpus is indexed first, with progress."""
    from reader.workspace import Workspace, stderr_progress

    ws = Workspace.open(settings, scan=scan, progress=lambda: stderr_progress("indexing"))
    for notice in ws.notices:
        _err(f"reader: note: {notice}")
    if ws.last_scan.skipped:
        # Said when a refresh ran (the files changed), not on every command.
        count = ws.corpus.warning_count()
        if count:
            _err(
                f"reader: note: {plural(count, 'corpus file')} skipped or read with a fallback "
                "(`reader doctor` lists them)"
            )
    return ws


def _with_entities(ws: Any, store: Any) -> str:
    """Recognize whatever the catalog has not (backend and lexicon in the key); the key."""
    from reader.recognizer import lexicon_of
    from reader.workspace import stderr_progress

    return str(ws.ensure_entities(lexicon_of(store), stderr_progress("finding entities")))


def stderr_status(message: str) -> Any:
    """A spinner on stderr while long work runs (nothing when stderr is not a terminal)."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(inert(message) + " ...")


def _store(settings: Settings, corpus: Any = None, readonly: bool = False) -> Any:
    from reader.store import AnnotationStore

    return AnnotationStore.open(settings.db, corpus=corpus, annotator=settings.annotator, readonly=readonly)


def _color(args: argparse.Namespace) -> str:
    choice = getattr(args, "color", None) or "auto"
    if choice == "auto" and os.environ.get("FORCE_COLOR"):
        return "always"
    if choice == "auto" and os.environ.get("NO_COLOR"):
        return "never"
    return str(choice)


def _tty(args: argparse.Namespace) -> bool:
    """Draw tables and colour: stdout is a terminal (or --color always)."""
    color = _color(args)
    return color == "always" or (color == "auto" and sys.stdout.isatty())


def _console(args: argparse.Namespace) -> Any:
    from rich.console import Console

    color = _color(args)
    return Console(
        highlight=False,
        soft_wrap=False,
        markup=False,
        emoji=False,
        force_terminal=True if color == "always" else None,
        no_color=color == "never",
    )


def _print_json(data: Any) -> None:
    # Strict JSON: a NaN or infinity would be a bug, never silently written.
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


def _emit_rows(
    args: argparse.Namespace,
    columns: list[tuple[str, str]],
    rows: Any,
    widths: dict[str, int] | None = None,
) -> int:
    """Rows as a table in a terminal (ids never cut), else tab-separated with a header.

    ``columns`` are ``(name, justify)``; ``widths`` caps columns in the table only. Every
    value is made inert; piped rows are complete, one per line.
    """
    count = 0
    if not _tty(args):
        out = sys.stdout
        out.write("\t".join(name for name, _ in columns) + "\n")
        for row in rows:
            out.write("\t".join(one_line(str(v)) for v in row) + "\n")
            count += 1
        return count
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, justify in columns:
        cap = (widths or {}).get(name)
        table.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            no_wrap=True,
            overflow="ellipsis" if cap else "fold",
            max_width=cap,
            min_width=None,
        )
    for row in rows:
        table.add_row(*(one_line(str(v)) for v in row))
        count += 1
    if count:
        _console(args).print(table)
    return count


def _resolve_annotation(store: Any, prefix: str) -> str:
    if store.get(prefix) is not None:
        return prefix
    matches = [r["id"] for r in store.all() if r["id"].startswith(prefix)] if prefix else []
    if len(matches) == 1:
        return str(matches[0])
    if matches:
        raise UsageError(f"annotation id {prefix!r} is ambiguous ({len(matches)} match); give more of it")
    raise UsageError(f"no annotation with id {prefix!r} in {store.path}; `reader annotations` lists them")


# -- commands ------------------------------------------------------------------------------


def cmd_app(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from reader.tui.app import run_app
    except ImportError as exc:  # pragma: no cover - textual is a dependency
        raise ReaderError(f"the app cannot start ({exc}); the CLI commands still work") from None
    return run_app(settings)


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from reader.recognizer import lexicon_of
    from reader.workspace import Workspace, stderr_progress

    with Workspace.open(settings, scan=False, index_if_empty=False) as ws:
        for notice in ws.notices:
            _err(f"reader: note: {notice}")
        if args.rebuild:
            ws.catalog.rebuild()
        with _store(settings, readonly=True) as store:
            lexicon = lexicon_of(store)
        started = time.perf_counter()
        progress = stderr_progress("indexing")
        if progress is None:
            _err(f"reader: indexing {', '.join(settings.corpus)} into {ws.catalog.path}")
        # With a progress bar, say what follows it; without one the first line said enough.
        status = None if progress is None else (lambda line: _err(f"reader: {line}"))
        report = ws.catalog.refresh(
            entities_for=(ws.backend, lexicon), progress=progress, jobs=args.jobs, status=status
        )
        seconds = time.perf_counter() - started
        total = ws.catalog.count()
    print(
        f"catalog {ws.catalog.path}: {plural(total, 'dispatch', 'dispatches')}; "
        f"{report.added} added, {report.changed} changed, {report.removed} removed, "
        f"{report.recognized} recognized, {report.skipped} skipped, in {seconds:.1f} s"
    )
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    with _workspace(settings) as ws, _store(settings, readonly=True) as store:
        counts = store.counts()
        entries = ws.catalog.iter_entries()
        keys = ("id", "title", "source", "date", "words", "annotations")
        if args.json:
            # Streamed: one row at a time, whatever the size of the corpus.
            out = sys.stdout
            out.write("[")
            for n, e in enumerate(entries):
                row = dict(
                    zip(keys, (e.id, e.title, e.source, e.date, e.words, counts.get(e.id, 0)), strict=True)
                )
                out.write(("," if n else "") + "\n  " + json.dumps(row, ensure_ascii=False))
            out.write("\n]\n")
            return 0
        rows = ((e.id, e.title, e.source, e.date, e.words, counts.get(e.id, 0)) for e in entries)
        shown = _emit_rows(
            args,
            [
                ("id", "left"),
                ("title", "left"),
                ("source", "left"),
                ("date", "left"),
                ("words", "right"),
                ("annotations", "right"),
            ],
            rows,
            {"title": 60},
        )
    if not shown:
        _err(f"no dispatches in {', '.join(settings.corpus)}")
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from reader.recognizer import entities_for
    from reader.render import render_dispatch

    with _workspace(settings, scan=False) as ws:
        dispatch = ws.corpus.require(args.dispatch)
        with _store(settings, ws.corpus, readonly=True) as store:
            records = store.for_dispatch(dispatch.id)
            entities = entities_for(dispatch.text, settings, store)
    if args.plain:
        args.color = "never"
    _console(args).print(render_dispatch(dispatch, entities, records), soft_wrap=True)
    return 0


def cmd_tag(args: argparse.Namespace, settings: Settings) -> int:
    from reader.anchor import locate_quote

    with _workspace(settings, scan=False) as ws:
        dispatch = ws.corpus.require(args.dispatch)
        if args.quote is not None:
            if args.end is not None:
                raise UsageError("--end goes with --start, not with --quote")
            start = locate_quote(dispatch.text, args.quote, args.occurrence, where=dispatch.id)
            end = start + len(args.quote)
        else:
            if args.end is None:
                raise UsageError("--start needs --end")
            if args.occurrence is not None:
                raise UsageError("--occurrence goes with --quote")
            start, end = args.start, args.end
        with _store(settings, ws.corpus) as store:
            record = store.add(dispatch, start, end, args.tag, args.note)
    if args.json:
        _print_json(record)
    else:
        print(
            f"{record['id']}  {one_line(record['tag'], 40)}  {start}..{end}  {one_line(record['quote'], 60)}"
        )
    return 0


def _dispatch_filter(settings: Settings, given: str | None) -> str | None:
    """A --dispatch value resolved to one id (exact or a unique prefix), or None."""
    if not given:
        return None
    with _workspace(settings, scan=False) as ws:
        return str(ws.corpus.resolve(given))


def cmd_annotations(args: argparse.Namespace, settings: Settings) -> int:
    from reader.export import filter_records

    dispatch_id = _dispatch_filter(settings, args.dispatch)
    with _store(settings, readonly=True) as store:
        records = list(filter_records(store.all(), dispatch_id, args.tag))
    if args.json:
        _print_json(records)
        return 0
    if not records:
        _err("no annotations")
        return 0
    rows = (
        (r["id"], r["dispatch_id"], f"{r['start']}..{r['end']}", r["tag"], r["quote"], r.get("note", ""))
        for r in records
    )
    _emit_rows(
        args,
        [
            ("id", "left"),
            ("dispatch", "left"),
            ("span", "left"),
            ("tag", "left"),
            ("quote", "left"),
            ("note", "left"),
        ],
        rows,
        {"quote": 40, "note": 36, "tag": 20},
    )
    return 0


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    with _store(settings) as store:
        annotation_id = _resolve_annotation(store, args.annotation_id)
        record = store.remove(annotation_id)
    print(f"deleted {record['id']}  {one_line(record['tag'], 40)}  {one_line(record['quote'], 60)}")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from reader.export import filter_records, write_output
    from reader.formats import FOLDER_FORMATS, writer

    if args.format in FOLDER_FORMATS and not args.output:
        raise UsageError(f"--format {args.format} writes a folder: give it with -o FOLDER")
    with _workspace(settings) as ws:
        if args.dispatch:
            args.dispatch = ws.corpus.resolve(args.dispatch)
        with _store(settings, readonly=True) as store:
            records = list(filter_records(store.all(), args.dispatch, args.tag))
        if args.only_annotator:
            records = [r for r in records if r["annotator"] == args.only_annotator]
        output = writer(args.format)(ws.corpus, records)
    for loss in output.losses:
        _err(f"reader: {'error' if args.strict else 'note'}: {loss}")
    if args.strict and output.losses:
        _err("reader: error: --strict: nothing was written")
        return EXIT_ERROR
    if args.output:
        write_output(args.output, output)
        _err(
            f"exported {plural(len(records), 'annotation')} to {os.path.abspath(args.output)} ({args.format})"
        )
    else:
        sys.stdout.write(output.text)
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from reader.importer import TextAdder, commit, import_path

    with _workspace(settings) as ws, _store(settings, ws.corpus, readonly=args.dry_run) as store:
        adder = (
            TextAdder.for_folder(Path(args.add_texts), settings.corpus, lambda i: i in ws.corpus)
            if args.add_texts
            else None
        )
        plan = import_path(Path(args.path), args.format, ws.corpus, store, dry_run=True, adder=adder)
        if args.strict and plan.skipped:
            plan.errors.append(f"--strict: {len(plan.skipped)} things in the file would not be taken")
        added = [] if args.dry_run else commit(plan, store, adder)
        for dispatch in added:
            ws.catalog.refresh_one(os.path.abspath(dispatch.path), dispatch.id)
    for line in plan.reanchored:
        _err(f"reader: re-anchored: {line}")
    for line in plan.skipped:
        _err(f"reader: skipped: {line}")
    for line in plan.errors:
        _err(f"reader: error: {line}")
    if plan.errors:
        _err(f"reader: error: {plural(len(plan.errors), 'problem')} in {args.path}; nothing was imported")
        if any("unknown dispatch" in line for line in plan.errors) and adder is None:
            _err("reader: hint: --add-texts DIR adds texts the corpus does not have as new dispatches")
        return EXIT_ERROR
    verb = "would import" if args.dry_run else "imported"
    new_texts = len(adder.planned) if adder is not None and plan.records else 0
    texts = f"; {'would add' if args.dry_run else 'added'} {plural(new_texts, 'dispatch', 'dispatches')}" + (
        f" to {args.add_texts}" if new_texts else ""
    )
    print(
        inert(
            f"{verb} {plural(len(plan.records), 'annotation')} from {args.path} "
            f"({len(plan.reanchored)} re-anchored, {len(plan.skipped)} skipped, "
            f"{plan.duplicates} already present)" + (texts if adder is not None else "")
        )
    )
    return 0


def cmd_merge(args: argparse.Namespace, settings: Settings) -> int:
    from reader.merge import merge_into

    with _workspace(settings) as ws, _store(settings, ws.corpus, readonly=args.dry_run) as store:
        plan, _ = merge_into(store, ws.corpus, [Path(p) for p in args.paths], args.format, args.dry_run)
    for line in plan.conflicts:
        _err(f"reader: conflict: {line}")
    verb = "would merge" if args.dry_run else "merged"
    who = ", ".join(f"{a} {n}" for a, n in sorted(plan.by_annotator.items())) or "nothing new"
    print(
        inert(
            f"{verb} {plural(len(args.paths), 'source')}: {plan.added} added, {plan.updated} updated, "
            f"{plan.unchanged} already here, {len(plan.conflicts)} conflicts ({who})"
        )
    )
    return 0


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


AGREEMENT_COLUMNS = (
    "a", "b", "dispatches", "spans_a", "spans_b", "agreed", "overlapping", "disagreed", "only_a",
    "only_b", "exact_f1", "overlap_f1", "kappa", "alpha", "alpha_u", "tokens", "characters",
)  # fmt: skip


def _text_of(ws: Any, dispatch_id: str) -> str:
    dispatch = ws.corpus.get(dispatch_id)
    if dispatch is None:
        raise ReaderError(
            f"dispatch {dispatch_id!r} has annotations but is not in the corpus (or unreadable)"
        )
    return str(dispatch.text)


def cmd_agreement(args: argparse.Namespace, settings: Settings) -> int:
    from reader.agreement import agreement

    with _workspace(settings) as ws, _store(settings, ws.corpus, readonly=True) as store:
        dispatches = [ws.corpus.resolve(d) for d in args.dispatch] if args.dispatch else None
        names = [a.strip() for a in args.annotators.split(",") if a.strip()] if args.annotators else None
        report = agreement(
            store.scan(),
            lambda dispatch_id: _text_of(ws, dispatch_id),
            annotators=names,
            tags=args.tag,
            dispatches=dispatches,
            by_dispatch=args.by_dispatch,
        )
    if args.csv:
        import csv
        import io

        from reader.export import write_bytes_atomic

        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["scope", "value", *AGREEMENT_COLUMNS])
        scopes = [("all", "", report.pairs)]
        scopes += [("tag", t, fs) for t, fs in report.by_tag.items()]
        scopes += [("dispatch", d, fs) for d, fs in report.by_dispatch.items()]
        for scope, value, figures in scopes:
            for f in figures:
                row = f.as_dict()
                writer.writerow(
                    [scope, value, *("" if row[c] is None else row[c] for c in AGREEMENT_COLUMNS)]
                )
        write_bytes_atomic(Path(args.csv), buffer.getvalue().encode("utf-8"))
        _err(f"reader: wrote {args.csv}")
    if args.json:
        _print_json(report.as_dict())
        return 0
    if len(report.annotators) < 2 or not report.pairs or not any(f.dispatches for f in report.pairs):
        print(inert(f"no dispatch annotated by two annotators ({', '.join(report.annotators) or 'nobody'})"))
        return 0
    print(inert(f"Krippendorff's alpha, all {len(report.annotators)} annotators: {_fmt(report.alpha)}"))
    if report.alpha_u_dispatches:
        print(
            inert(
                f"Krippendorff's alpha_U (unitizing), all {len(report.annotators)} annotators, over the "
                f"{plural(report.alpha_u_dispatches, 'dispatch', 'dispatches')} every one did: "
                f"{_fmt(report.alpha_u)}"
            )
        )
    columns = [("a", "left"), ("b", "left"), ("dispatches", "right"), ("agreed", "right"),
               ("disagreed", "right"), ("only a", "right"), ("only b", "right"), ("exact F1", "right"),
               ("overlap F1", "right"), ("kappa", "right"), ("alpha", "right"),
               ("alpha_U", "right")]  # fmt: skip

    def rows(figures: list[Any], first: str = "") -> list[tuple[Any, ...]]:
        return [
            ((first,) if first else ())
            + (
                f.a,
                f.b,
                f.dispatches,
                f.agreed,
                f.disagreed,
                f.only_a,
                f.only_b,
                _fmt(f.exact_f1),
                _fmt(f.overlap_f1),
                _fmt(f.kappa),
                _fmt(f.alpha),
                _fmt(f.alpha_u),
            )  # fmt: skip
            for f in figures
            if f.dispatches
        ]

    _emit_rows(args, columns, rows(report.pairs))
    if report.by_tag:
        print()
        _emit_rows(
            args, [("tag", "left"), *columns], [r for t, fs in report.by_tag.items() for r in rows(fs, t)]
        )
    if report.by_dispatch:
        print()
        _emit_rows(
            args,
            [("dispatch", "left"), *columns],
            [r for d, fs in report.by_dispatch.items() for r in rows(fs, d)],
        )
    return 0


def cmd_curate(args: argparse.Namespace, settings: Settings) -> int:
    from reader.curation import parse_strategy, plan_curation, rejected_keys

    curator = args.curator.strip()
    if not curator:
        raise UsageError("--as needs a name")
    try:
        parse_strategy(args.strategy)
    except ReaderError as exc:
        raise UsageError(str(exc)) from None
    with _workspace(settings) as ws, _store(settings, ws.corpus, readonly=args.dry_run) as store:
        records = store.all()
        if args.dispatch:
            wanted = {ws.corpus.resolve(d) for d in args.dispatch}
            records = [r for r in records if r["dispatch_id"] in wanted]
        rejected = rejected_keys(store)
        plan = plan_curation(records, curator, args.strategy, rejected)
        if plan.records and not args.dry_run:
            store.put_many(plan.records)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(plan.counts.items())) or "no units"
    verb = "would settle" if args.dry_run else "settled"
    print(inert(f"units: {counts}"))
    print(
        inert(
            f"{verb} {plural(len(plan.records), 'unit')} by {args.strategy}, stored as {curator}"
            + (
                ""
                if args.dry_run or not plan.records
                else f" (reader export --annotator {curator} for the gold)"
            )
        )
    )
    return 0


def cmd_entities(args: argparse.Namespace, settings: Settings) -> int:
    from reader.recognizer import entities_for

    text = _read_source_text(args.source, settings)
    with _store(settings, readonly=True) as store:
        entities = entities_for(text, settings, store)
    if args.json:
        _print_json([e.as_dict() for e in entities])
        return 0
    summary: dict[tuple[str, str], list[int]] = {}
    for e in entities:
        summary.setdefault((e.text, e.label), []).append(e.start)
    ordered = sorted(summary.items(), key=lambda kv: (kv[0][1], -len(kv[1]), kv[1][0]))
    _emit_rows(
        args,
        [("text", "left"), ("label", "left"), ("count", "right"), ("first", "right")],
        ((text_, label, len(starts), starts[0]) for (text_, label), starts in ordered),
    )
    return 0


def _read_source_text(source: str, settings: Settings) -> str:
    from reader.corpus import decode, normalise, read_dispatch

    if source == "-":
        data = sys.stdin.buffer.read()
        text, warnings = decode(data, "<stdin>")
        for w in warnings:
            _err(f"reader: warning: {w}")
        return normalise(text)
    path = Path(source)
    if path.exists() and not path.is_dir():
        dispatch = read_dispatch(path, path.stem)
        for w in dispatch.warnings:
            _err(f"reader: warning: {w}")
        return dispatch.text
    with _workspace(settings, scan=False) as ws:
        return str(ws.corpus.require(source).text)


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from reader.search import search_annotations
    from reader.workspace import Archive

    if args.limit < 0:
        raise UsageError("--limit must be 0 (all) or more")
    with _workspace(settings, scan=False) as ws, _store(settings, ws.corpus, readonly=True) as store:
        records = store.all()
        if args.where != "text":
            if args.tag:
                records = [r for r in records if r["tag"] == args.tag]
            hits = search_annotations(records, args.query, args.where, regex=args.regex, case=args.case)
        elif args.limit and not args.tag and isinstance(ws.corpus, Archive):
            # As below, checked against the files meanwhile; only the hits shown are built,
            # and past them the matches are counted.
            archive = ws.corpus
            hits, total, dispatches = ws.exactly(
                lambda: archive.search_counted(args.query, regex=args.regex, case=args.case, shown=args.limit)
            )
            _print_hits(args, hits)
            more = f" (showing {len(hits)}; --limit 0 shows all)" if len(hits) < total else ""
            _err(f"{plural(total, 'hit')} in {plural(dispatches, 'dispatch', 'dispatches')}{more}")
            return 0
        else:
            # Answered from the catalog while a second process checks the files are as
            # catalogued; if any changed, the catalog is refreshed and the search redone.
            found = ws.exactly(lambda: list(ws.corpus.search(args.query, regex=args.regex, case=args.case)))
            if args.tag:
                spans: dict[str, list[tuple[int, int]]] = {}
                for r in records:
                    if r["tag"] == args.tag:
                        spans.setdefault(r["dispatch_id"], []).append((r["start"], r["end"]))
                found = (
                    h
                    for h in found
                    if any(a <= h.start and h.end <= b for a, b in spans.get(h.dispatch_id, []))
                )
            hits = list(found)
    shown = hits if not args.limit else hits[: args.limit]
    _print_hits(args, shown)
    dispatches = len({h.dispatch_id for h in hits})
    more = f" (showing {len(shown)}; --limit 0 shows all)" if len(shown) < len(hits) else ""
    _err(f"{plural(len(hits), 'hit')} in {plural(dispatches, 'dispatch', 'dispatches')}{more}")
    return 0


def _print_hits(args: argparse.Namespace, shown: Sequence[Hit]) -> None:
    if args.json:
        _print_json([h.as_dict() for h in shown])
    elif _tty(args):
        for h in shown:
            print(f"{inert(h.dispatch_id)}:{h.start}  {one_line(h.context)}")
    else:
        sys.stdout.write("dispatch\tstart\tend\tcontext\n")
        for h in shown:
            sys.stdout.write(f"{one_line(h.dispatch_id)}\t{h.start}\t{h.end}\t{one_line(h.context)}\n")


def cmd_dossier(args: argparse.Namespace, settings: Settings) -> int:
    from reader.corpus_entities import GROUPS_TABLE, build_dossier, decisions_of, dossier_dict

    writing = bool(args.merge or args.split)
    with _workspace(settings) as ws, _store(settings, ws.corpus, readonly=not writing) as store:
        if args.merge:
            store.put_row(GROUPS_TABLE, args.merge, {"canonical": args.name})
            print(f"grouped {one_line(args.merge)!r} with {one_line(args.name)!r}")
        if args.split:
            store.put_row(GROUPS_TABLE, args.split, {"canonical": ""})
            print(f"{one_line(args.split)!r} now stands alone")
        _with_entities(ws, store)
        dossier = build_dossier(args.name, ws.catalog, decisions_of(store))
        if dossier is None:
            raise ReaderError(f"no entity {args.name!r} in the corpus; `reader entities ID` lists them")
        data = dossier_dict(dossier, ws.corpus)
    if args.json:
        _print_json(data)
        return 0
    total = sum(d["count"] for d in data["dispatches"])
    print(
        one_line(
            f"{data['name']} ({data['label']}): {plural(total, 'mention')} in "
            f"{plural(len(data['dispatches']), 'dispatch', 'dispatches')}"
        )
    )
    print(one_line(f"variants: {', '.join(data['variants'])}"))
    for d in data["dispatches"]:
        print(f"\n{one_line(d['title'])}  ({one_line(d['id'])}, {d['count']})")
        for line in d["contexts"]:
            print(f"    {one_line(line)}")
    if data["cooccurring"]:
        print("\nmost often with:")
        for c in data["cooccurring"]:
            print(
                f"    {one_line(c['text'])} ({c['label']}): "
                f"{plural(c['dispatches'], 'dispatch', 'dispatches')}"
            )
    return 0


def cmd_tag_all(args: argparse.Namespace, settings: Settings) -> int:
    from reader.tagall import find_occurrences, tag_occurrences

    with _workspace(settings, scan=False) as ws:
        corpus = ws.corpus
        if args.dispatch:
            dispatches = [corpus.require(args.dispatch)]
        else:
            # The catalog's candidates, checked against the files beside (Workspace.exactly).
            dispatches = ws.exactly(lambda: corpus.candidates_for(args.quote))
        with _store(settings, corpus, readonly=args.dry_run) as store:
            hits = find_occurrences(dispatches, args.quote, args.tag, store, case=not args.ignore_case)
            if args.dry_run:
                for n, h in enumerate(hits, 1):
                    mark = " (already tagged)" if h.tagged else ""
                    print(f"{n:>4}  {inert(h.dispatch_id)}:{h.start}  {one_line(h.context)}{mark}")
                print(
                    f"{plural(len(hits), 'occurrence')}; tag them without --dry-run, "
                    "leaving some out with --exclude N ..."
                )
                return 0
            bad = [n for n in args.exclude if not 1 <= n <= len(hits)]
            if bad:
                raise UsageError(
                    f"--exclude {bad[0]}: there are {plural(len(hits), 'occurrence')} (see --dry-run)"
                )
            chosen = [h for n, h in enumerate(hits, 1) if n not in set(args.exclude)]
            records = tag_occurrences(corpus, chosen, args.tag, store, args.note)
    skipped = len(chosen) - len(records)
    print(
        f"tagged {plural(len(records), 'occurrence')} of {one_line(args.quote, 60)!r} "
        f"as {one_line(args.tag, 40)}" + (f" ({skipped} already were)" if skipped else "")
    )
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from reader.corpus_entities import corpus_stats, stats_report

    with _workspace(settings) as ws, _store(settings, ws.corpus, readonly=True) as store:
        records = store.all()
        key = _with_entities(ws, store)
        stats = corpus_stats(ws.catalog, key, records)
    if args.json:
        _print_json(stats)
        return 0
    summary, sections = stats_report(stats)
    print(one_line(summary))
    for title, lines in sections:
        if lines:
            print(f"\n{title}")
            for line in lines:
                print(f"  {one_line(line)}")
    return 0


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from reader.doctor import diagnose, salvage

    corpus = None
    try:
        ws = _workspace(settings)
    except ReaderError:
        ws = None
    corpus_warnings: list[str] = []
    try:
        corpus = ws.corpus if ws is not None else None
        d = diagnose(Path(settings.db), corpus)
        if ws is not None:
            corpus_warnings = ws.corpus.warnings
    finally:
        if ws is not None:
            ws.close()
    for warning in corpus_warnings:
        print(inert(f"corpus: {warning}"))
    for note in d.notes:
        print(inert(note))
    for problem in d.problems:
        print(inert(f"problem: {problem}"))
    if not d.problems:
        print("no problems found")
    if args.salvage:
        n = salvage(d, Path(args.salvage))
        print(
            inert(
                f"salvaged {plural(n, 'annotation')} into {args.salvage}; "
                "check it, then use it with --db or move it into place"
            )
        )
    elif d.problems and d.records:
        print(
            f"`reader doctor --salvage NEW_PATH` writes the {len(d.records)} recoverable annotations "
            "to a new file"
        )
    return 1 if d.problems and not args.salvage else 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from reader.check import STATES, check_records

    with _workspace(settings) as ws, _store(settings, ws.corpus, readonly=not args.apply) as store:
        records = store.all()
        if args.dispatch:
            wanted = ws.corpus.resolve(args.dispatch)
            records = [r for r in records if r["dispatch_id"] == wanted]
        report = check_records(records, ws.corpus)
        updates = report.updates()
        if args.apply and updates:
            store.put_many(updates)
    if args.json:
        _print_json(
            [
                {
                    "id": f.record["id"],
                    "dispatch_id": f.record["dispatch_id"],
                    "state": f.state,
                    "score": f.score,
                    "old": [f.record["start"], f.record["end"]],
                    "new": [f.updated["start"], f.updated["end"]] if f.updated else None,
                    "quote": f.record.get("anchor", {}).get("original_quote", f.record["quote"]),
                    "reason": f.reason,
                }
                for f in report.findings
            ]
        )
        return 0
    counts = report.counts()
    if not counts:
        print("no annotations to check")
    for dispatch_id, c in sorted(counts.items()):
        parts = ", ".join(f"{c[s]} {s}" for s in STATES if c[s])
        print(f"{inert(dispatch_id)}: {parts}")
    for f in report.needing_review():
        where = f"{f.record['start']}..{f.record['end']}"
        if f.updated is not None and f.state != "orphaned":
            where += f" -> {f.updated['start']}..{f.updated['end']}"
        score = f" score {f.score:.2f}" if f.state == "fuzzy" else ""
        quote = one_line(f.record.get("anchor", {}).get("original_quote", f.record["quote"]), 50)
        reason = f" ({one_line(f.reason)})" if f.reason else ""
        print(
            f"  {f.state:<8} {f.record['id'][:8]} [{one_line(f.record['tag'], 40)}] "
            f"{where}{score} {quote!r}{reason}"
        )
    if updates and not args.apply:
        print(
            f"{plural(len(updates), 'annotation')} would change; run with --apply to store the new positions"
        )
    elif updates:
        print(f"stored {plural(len(updates), 'updated annotation')}")
    return 0


def cmd_lexicon(args: argparse.Namespace, settings: Settings) -> int:
    from reader.recognizer import LEXICON_TABLE, REJECT, forget, lexicon_of, teach

    action = args.lexicon_command or "list"
    with _store(settings, readonly=action == "list") as store:
        if action == "add":
            teach(store, args.surface, args.label)
            print(f"taught: {one_line(args.surface)!r} is {one_line(args.label)} in every dispatch")
        elif action == "reject":
            teach(store, args.surface, REJECT)
            print(f"taught: {one_line(args.surface)!r} is never an entity")
        elif action == "remove":
            if not any(row.get("surface") == args.surface for row in store.table_rows(LEXICON_TABLE)):
                raise ReaderError(f"{args.surface!r} is not in the lexicon; `reader lexicon list` shows it")
            forget(store, args.surface)
            print(f"forgotten: {one_line(args.surface)!r}")
        else:
            taught, rejected = lexicon_of(store)
            for surface, label in taught:
                print(f"{label}\t{one_line(surface)}")
            for surface in rejected:
                print(f"{REJECT}\t{one_line(surface)}")
    return 0


def cmd_learn(args: argparse.Namespace, settings: Settings) -> int:
    import os

    from reader.export import write_bytes_atomic
    from reader.ner.learn import collect, learn
    from reader.ner.model import packaged_model
    from reader.recognizer import lexicon_of, personal_model_path

    target = personal_model_path(os.path.realpath(settings.db))
    if args.forget:
        if not target.exists():
            print("no personal model: the packaged one is in use")
            return 0
        target.unlink()
        print(f"deleted {inert(str(target))}: the packaged model is in use again")
        return 0
    if not 1 <= args.epochs <= 100:
        raise UsageError("--epochs must be between 1 and 100")
    ws = _workspace(settings)
    with _store(settings, corpus=ws.corpus, readonly=True) as store:
        records = [(r["dispatch_id"], r["start"], r["end"], r["tag"]) for r in store.all()]
        taught, rejected = lexicon_of(store)
    documents = collect(ws.corpus, records, taught, rejected)
    if not documents:
        raise ReaderError(
            "nothing to learn from: tag a name with an entity label (PERSON, ORG, GPE, ...), "
            "or use `reader lexicon add/reject`"
        )
    with stderr_status(f"learning from {plural(len(documents), 'dispatch')}"):
        data, report = learn(packaged_model(), documents, args.epochs)
    write_bytes_atomic(target, data)
    print(
        f"learned from {plural(report.corrections, 'correction')} "
        f"in {plural(report.dispatches, 'dispatch')}: the model now agrees with {report.agreed_after} "
        f"of them (before: {report.agreed_before})"
    )
    print(
        f"personal model: {inert(str(target))} ({len(data) / 1e6:.1f} MB); `reader learn --forget` undoes it"
    )
    if settings.ner != "model":
        print(f"note: it is used with --ner model; the backend in effect is {inert(settings.ner)}")
    return 0


def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    from reader.catalog import default_catalog_path

    catalog = settings.catalog or str(default_catalog_path(settings.corpus))
    lines = [
        f"config file: {settings.config_file or '(none; defaults)'}",
        f"corpus: {', '.join(settings.corpus)}",
        f"db: {settings.db}",
        f"catalog: {catalog}",
        f"annotator: {settings.annotator or '(login name)'}",
        f"ner: {settings.ner}",
        f"labels shown: {', '.join(settings.labels_shown)}",
        "tags:",
    ]
    for i, tag in enumerate(settings.tags, 1):
        key = f"{i}" if i <= 9 else (tag.key or " ")
        lines.append(
            f"  {key}  {one_line(tag.name, 30):<12} {one_line(tag.colour, 20):<8} "
            f"{one_line(tag.description, 80)}"
        )
    for line in lines:
        print(inert(line))
    return 0


COMMANDS = {
    "app": cmd_app,
    "index": cmd_index,
    "list": cmd_list,
    "show": cmd_show,
    "tag": cmd_tag,
    "annotations": cmd_annotations,
    "delete": cmd_delete,
    "export": cmd_export,
    "import": cmd_import,
    "entities": cmd_entities,
    "config": cmd_config,
    "lexicon": cmd_lexicon,
    "learn": cmd_learn,
    "check": cmd_check,
    "doctor": cmd_doctor,
    "search": cmd_search,
    "dossier": cmd_dossier,
    "tag-all": cmd_tag_all,
    "stats": cmd_stats,
    "merge": cmd_merge,
    "agreement": cmd_agreement,
    "curate": cmd_curate,
}
