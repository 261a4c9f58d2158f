"""The ``reader`` command: argument parsing and sub-commands over the headless core.

Every error the user can fix is one line on stderr and a non-zero exit, with nothing
written. ``reader`` with no sub-command starts the app (``reader.tui`` is imported only
then).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reader import __version__
from reader.config import Settings, load_settings
from reader.errors import ReaderError
from reader.formats import EXPORT_FORMATS, IMPORT_FORMATS

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
        "--ner",
        metavar="BACKEND",
        default=default,
        help="entity backend: rules (default) or spacy:<pipeline> (env READER_NER)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader",
        description="Read, tag and annotate news dispatches. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"dispatch-reader {__version__}")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _common(p, top=False)
        return p

    command("app", "open the app (the default)")

    p = command("list", "list the dispatches: id, title, source, date, words, annotations")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("show", "print a dispatch with its metadata, entities coloured")
    p.add_argument("dispatch", help="dispatch id (a unique prefix will do)")
    p.add_argument("--plain", action="store_true", help="no colours")

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
        "--strict", action="store_true", help="fail, writing nothing, if the format loses anything"
    )

    p = command("import", "import annotations from a file or folder (all or nothing)")
    p.add_argument("path", metavar="FILE_OR_FOLDER")
    p.add_argument(
        "--format", choices=IMPORT_FORMATS, help="input format (default: from the name and content)"
    )
    p.add_argument("--dry-run", action="store_true", help="show what would happen; store nothing")

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

    p = command("doctor", "explain what is wrong with the annotation store (it is never changed)")
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

    command("config", "print the configuration file in effect and the settings")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(corpus=args.corpus, db=args.db, ner=args.ner)
        for warning in settings.warnings:
            print(f"reader: warning: {warning}", file=sys.stderr)
        command = args.command or "app"
        handler = COMMANDS[command]
        return handler(args, settings)
    except ReaderError as exc:
        print(f"reader: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


# -- helpers -------------------------------------------------------------------------------


def _corpus(settings: Settings, quiet: bool = False) -> Any:
    from reader.corpus import load_corpus

    corpus = load_corpus(settings.corpus)
    if not quiet:
        for warning in corpus.warnings:
            print(f"reader: warning: {warning}", file=sys.stderr)
    return corpus


def _store(settings: Settings, corpus: Any = None, readonly: bool = False) -> Any:
    from reader.store import AnnotationStore

    return AnnotationStore.open(settings.db, corpus=corpus, annotator=settings.annotator, readonly=readonly)


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _resolve_annotation(store: Any, prefix: str) -> str:
    if store.get(prefix) is not None:
        return prefix
    matches = [r["id"] for r in store.all() if r["id"].startswith(prefix)] if prefix else []
    if len(matches) == 1:
        return str(matches[0])
    if matches:
        raise ReaderError(f"annotation id {prefix!r} is ambiguous ({len(matches)} match); give more of it")
    raise ReaderError(f"no annotation with id {prefix!r} in {store.path}; `reader annotations` lists them")


# -- commands ------------------------------------------------------------------------------


def cmd_app(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from reader.tui.app import run_app
    except ImportError as exc:  # pragma: no cover - textual is a dependency
        raise ReaderError(f"the app cannot start ({exc}); the CLI commands still work") from None
    return run_app(settings)


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    corpus = _corpus(settings)
    with _store(settings, corpus, readonly=True) as store:
        counts = store.counts()
    rows = [
        {
            "id": d.id,
            "title": d.title,
            "source": d.source,
            "date": d.date,
            "words": d.words,
            "annotations": counts.get(d.id, 0),
        }
        for d in corpus
    ]
    if args.json:
        _print_json(rows)
        return 0
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, justify in (
        ("id", "left"),
        ("title", "left"),
        ("source", "left"),
        ("date", "left"),
        ("words", "right"),
        ("annotations", "right"),
    ):
        table.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            no_wrap=True,
            overflow="ellipsis",
            max_width=48 if name == "title" else None,
        )
    for row in rows:
        table.add_row(*(str(row[k]) for k in row))
    if not rows:
        print(f"no dispatches in {', '.join(settings.corpus)}", file=sys.stderr)
    _console().print(table)
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from reader.render import render_dispatch

    corpus = _corpus(settings, quiet=True)
    dispatch = corpus.require(args.dispatch)
    with _store(settings, corpus, readonly=True) as store:
        records = store.for_dispatch(dispatch.id)
        from reader.recognizer import entities_for

        entities = entities_for(dispatch.text, settings, store)
    console = _console()
    if args.plain:
        console.no_color = True
    console.print(render_dispatch(dispatch, entities, records), soft_wrap=True)
    return 0


def cmd_tag(args: argparse.Namespace, settings: Settings) -> int:
    from reader.anchor import locate_quote

    corpus = _corpus(settings, quiet=True)
    dispatch = corpus.require(args.dispatch)
    if args.quote is not None:
        if args.end is not None:
            raise ReaderError("--end goes with --start, not with --quote")
        start = locate_quote(dispatch.text, args.quote, args.occurrence, where=dispatch.id)
        end = start + len(args.quote)
    else:
        if args.end is None:
            raise ReaderError("--start needs --end")
        if args.occurrence is not None:
            raise ReaderError("--occurrence goes with --quote")
        start, end = args.start, args.end
    with _store(settings, corpus) as store:
        record = store.add(dispatch, start, end, args.tag, args.note)
    if args.json:
        _print_json(record)
    else:
        print(f"{record['id']}  {record['tag']}  {start}..{end}  {record['quote'][:60]!r}")
    return 0


def cmd_annotations(args: argparse.Namespace, settings: Settings) -> int:
    from reader.export import filter_records

    with _store(settings, readonly=True) as store:
        records = list(filter_records(store.all(), args.dispatch, args.tag))
    if args.json:
        _print_json(records)
        return 0
    if not records:
        print("no annotations", file=sys.stderr)
        return 0
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in ("id", "dispatch", "span", "tag", "quote", "note"):
        table.add_column(
            name,
            overflow="ellipsis",
            no_wrap=True,
            max_width=36 if name in ("quote", "note") else None,
            min_width=8 if name in ("id", "tag") else 11 if name == "span" else None,
        )
    for r in records:
        quote = " ".join(r["quote"].split())
        table.add_row(
            r["id"][:8],
            r["dispatch_id"],
            f"{r['start']}..{r['end']}",
            r["tag"],
            quote if len(quote) <= 60 else quote[:59] + "…",
            r.get("note", ""),
        )
    _console().print(table)
    return 0


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    with _store(settings) as store:
        annotation_id = _resolve_annotation(store, args.annotation_id)
        record = store.remove(annotation_id)
    print(f"deleted {record['id']}  {record['tag']}  {record['quote'][:60]!r}")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from reader.export import filter_records, write_output
    from reader.formats import FOLDER_FORMATS, writer

    corpus = _corpus(settings, quiet=True)
    if args.dispatch:
        args.dispatch = corpus.require(args.dispatch).id
    if args.format in FOLDER_FORMATS and not args.output:
        raise ReaderError(f"--format {args.format} writes a folder: give it with -o FOLDER")
    with _store(settings, readonly=True) as store:
        records = list(filter_records(store.all(), args.dispatch, args.tag))
    output = writer(args.format)(corpus, records)
    for loss in output.losses:
        print(f"reader: {'error' if args.strict else 'note'}: {loss}", file=sys.stderr)
    if args.strict and output.losses:
        print("reader: error: --strict: nothing was written", file=sys.stderr)
        return EXIT_ERROR
    if args.output:
        write_output(args.output, output)
        print(f"exported {len(records)} annotations to {args.output} ({args.format})", file=sys.stderr)
    else:
        sys.stdout.write(output.text)
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from reader.importer import import_path

    corpus = _corpus(settings, quiet=True)
    with _store(settings, corpus, readonly=args.dry_run) as store:
        plan = import_path(Path(args.path), args.format, corpus, store, dry_run=args.dry_run)
    for line in plan.reanchored:
        print(f"reader: re-anchored: {line}", file=sys.stderr)
    for line in plan.skipped:
        print(f"reader: skipped: {line}", file=sys.stderr)
    for line in plan.errors:
        print(f"reader: error: {line}", file=sys.stderr)
    if plan.errors:
        print(
            f"reader: error: {len(plan.errors)} problems in {args.path}; nothing was imported",
            file=sys.stderr,
        )
        return EXIT_ERROR
    verb = "would import" if args.dry_run else "imported"
    print(
        f"{verb} {len(plan.records)} annotations from {args.path} "
        f"({len(plan.reanchored)} re-anchored, {len(plan.skipped)} skipped, "
        f"{plan.duplicates} already present)"
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
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, justify in (
        ("text", "left"),
        ("label", "left"),
        ("count", "right"),
        ("first", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for (text_, label), starts in sorted(summary.items(), key=lambda kv: (kv[0][1], -len(kv[1]), kv[1][0])):
        table.add_row(text_, label, str(len(starts)), str(starts[0]))
    _console().print(table)
    return 0


def _read_source_text(source: str, settings: Settings) -> str:
    from reader.corpus import decode, normalise, read_dispatch

    if source == "-":
        data = sys.stdin.buffer.read()
        text, warnings = decode(data, "<stdin>")
        for w in warnings:
            print(f"reader: warning: {w}", file=sys.stderr)
        return normalise(text)
    path = Path(source)
    if path.is_file():
        dispatch = read_dispatch(path, path.stem)
        for w in dispatch.warnings:
            print(f"reader: warning: {w}", file=sys.stderr)
        return dispatch.text
    corpus = _corpus(settings, quiet=True)
    return str(corpus.require(source).text)


def _progress(label: str) -> Any:
    """A progress callback that draws on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(1, total)
        sys.stderr.write(f"\r{label} [{'█' * filled}{' ' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from reader.search import index_path, load_index, save_index, search, search_annotations, update_index

    corpus = _corpus(settings, quiet=True)
    with _store(settings, corpus, readonly=True) as store:
        records = store.all()
    if args.where != "text":
        if args.tag:
            records = [r for r in records if r["tag"] == args.tag]
        hits = search_annotations(records, args.query, args.where, regex=args.regex, case=args.case)
    else:
        path = index_path(settings.db)
        index = load_index(path)
        indexed, dropped = update_index(index, corpus, _progress("indexing"))
        if indexed or dropped:
            save_index(index, path)
        hits = search(corpus, args.query, index=index, regex=args.regex, case=args.case)
        if args.tag:
            spans: dict[str, list[tuple[int, int]]] = {}
            for r in records:
                if r["tag"] == args.tag:
                    spans.setdefault(r["dispatch_id"], []).append((r["start"], r["end"]))
            hits = [
                h for h in hits if any(a <= h.start and h.end <= b for a, b in spans.get(h.dispatch_id, []))
            ]
    shown = hits if not args.limit else hits[: args.limit]
    if args.json:
        _print_json([h.as_dict() for h in shown])
    else:
        for h in shown:
            print(f"{h.dispatch_id}:{h.start}  {h.context}")
    dispatches = len({h.dispatch_id for h in hits})
    more = f" (showing {len(shown)}; --limit 0 shows all)" if len(shown) < len(hits) else ""
    print(f"{len(hits)} hits in {dispatches} dispatches{more}", file=sys.stderr)
    return 0


def _entities_everywhere(settings: Settings, corpus: Any, store: Any) -> Any:
    from reader.corpus_entities import cache_path, corpus_entities

    backend = settings.ner
    return corpus_entities(corpus, backend, store, cache_path(settings.db), _progress("finding entities"))


def cmd_dossier(args: argparse.Namespace, settings: Settings) -> int:
    from reader.corpus_entities import GROUPS_TABLE, build_dossier, decisions_of, dossier_dict

    corpus = _corpus(settings, quiet=True)
    writing = bool(args.merge or args.split)
    with _store(settings, corpus, readonly=not writing) as store:
        if args.merge:
            store.put_row(GROUPS_TABLE, args.merge, {"canonical": args.name})
            print(f"grouped {args.merge!r} with {args.name!r}")
        if args.split:
            store.put_row(GROUPS_TABLE, args.split, {"canonical": ""})
            print(f"{args.split!r} now stands alone")
        entities = _entities_everywhere(settings, corpus, store)
        dossier = build_dossier(args.name, corpus, entities, decisions_of(store))
    if dossier is None:
        raise ReaderError(f"no entity {args.name!r} in the corpus; `reader entities ID` lists them")
    data = dossier_dict(dossier, corpus)
    if args.json:
        _print_json(data)
        return 0
    total = sum(d["count"] for d in data["dispatches"])  # type: ignore[attr-defined]
    print(f"{data['name']} ({data['label']}): {total} mentions in {len(data['dispatches'])} dispatches")  # type: ignore[arg-type]
    print(f"variants: {', '.join(data['variants'])}")  # type: ignore[arg-type]
    for d in data["dispatches"]:  # type: ignore[attr-defined]
        print(f"\n{d['id']}  {d['title']}  ({d['count']})")
        for line in d["contexts"]:
            print(f"    {line}")
    if data["cooccurring"]:
        print("\nmost often with:")
        for c in data["cooccurring"]:  # type: ignore[attr-defined]
            print(f"    {c['text']} ({c['label']}): {c['dispatches']} dispatches")
    return 0


def cmd_tag_all(args: argparse.Namespace, settings: Settings) -> int:
    from reader.tagall import find_occurrences, tag_occurrences

    corpus = _corpus(settings, quiet=True)
    dispatches = [corpus.require(args.dispatch)] if args.dispatch else list(corpus)
    with _store(settings, corpus, readonly=args.dry_run) as store:
        hits = find_occurrences(dispatches, args.quote, args.tag, store, case=not args.ignore_case)
        if args.dry_run:
            for n, h in enumerate(hits, 1):
                mark = " (already tagged)" if h.tagged else ""
                print(f"{n:>4}  {h.dispatch_id}:{h.start}  {h.context}{mark}")
            print(
                f"{len(hits)} occurrences; tag them without --dry-run, leaving some out with --exclude N ..."
            )
            return 0
        bad = [n for n in args.exclude if not 1 <= n <= len(hits)]
        if bad:
            raise ReaderError(f"--exclude {bad[0]}: there are {len(hits)} occurrences (see --dry-run)")
        chosen = [h for n, h in enumerate(hits, 1) if n not in set(args.exclude)]
        records = tag_occurrences(corpus, chosen, args.tag, store, args.note)
    skipped = len(chosen) - len(records)
    print(
        f"tagged {len(records)} occurrences of {args.quote!r} as {args.tag}"
        + (f" ({skipped} already were)" if skipped else "")
    )
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from reader.corpus_entities import corpus_stats, stats_report

    corpus = _corpus(settings, quiet=True)
    with _store(settings, corpus, readonly=True) as store:
        records = store.all()
        entities = _entities_everywhere(settings, corpus, store)
    stats = corpus_stats(corpus, records, entities)
    if args.json:
        _print_json(stats)
        return 0
    summary, sections = stats_report(stats)
    print(summary)
    for title, lines in sections:
        if lines:
            print(f"\n{title}")
            for line in lines:
                print(f"  {line}")
    return 0


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from reader.doctor import diagnose, salvage

    try:
        corpus = _corpus(settings, quiet=True)
    except ReaderError:
        corpus = None
    d = diagnose(Path(settings.db), corpus)
    for note in d.notes:
        print(note)
    for problem in d.problems:
        print(f"problem: {problem}")
    if not d.problems:
        print("no problems found")
    if args.salvage:
        n = salvage(d, Path(args.salvage))
        print(
            f"salvaged {n} annotations into {args.salvage}; "
            "check it, then use it with --db or move it into place"
        )
    elif d.problems and d.records:
        print(
            f"`reader doctor --salvage NEW_PATH` writes the {len(d.records)} recoverable annotations "
            "to a new file"
        )
    return 1 if d.problems and not args.salvage else 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from reader.check import STATES, check_records

    corpus = _corpus(settings, quiet=True)
    with _store(settings, corpus, readonly=not args.apply) as store:
        records = store.all()
        if args.dispatch:
            records = [r for r in records if r["dispatch_id"] == args.dispatch]
        report = check_records(records, corpus)
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
        print(f"{dispatch_id}: {parts}")
    for f in report.needing_review():
        where = f"{f.record['start']}..{f.record['end']}"
        if f.updated is not None and f.state != "orphaned":
            where += f" -> {f.updated['start']}..{f.updated['end']}"
        score = f" score {f.score:.2f}" if f.state == "fuzzy" else ""
        quote = " ".join(f.record.get("anchor", {}).get("original_quote", f.record["quote"]).split())[:50]
        reason = f" ({f.reason})" if f.reason else ""
        print(f"  {f.state:<8} {f.record['id'][:8]} [{f.record['tag']}] {where}{score} {quote!r}{reason}")
    if updates and not args.apply:
        print(f"{len(updates)} annotations would change; run with --apply to store the new positions")
    elif updates:
        print(f"stored {len(updates)} updated annotations")
    return 0


def cmd_lexicon(args: argparse.Namespace, settings: Settings) -> int:
    from reader.recognizer import LEXICON_TABLE, REJECT, forget, lexicon_of, teach

    action = args.lexicon_command or "list"
    with _store(settings, readonly=action == "list") as store:
        if action == "add":
            teach(store, args.surface, args.label)
            print(f"taught: {args.surface!r} is {args.label} in every dispatch")
        elif action == "reject":
            teach(store, args.surface, REJECT)
            print(f"taught: {args.surface!r} is never an entity")
        elif action == "remove":
            if not any(row.get("surface") == args.surface for row in store.table_rows(LEXICON_TABLE)):
                raise ReaderError(f"{args.surface!r} is not in the lexicon; `reader lexicon list` shows it")
            forget(store, args.surface)
            print(f"forgotten: {args.surface!r}")
        else:
            taught, rejected = lexicon_of(store)
            for surface, label in taught:
                print(f"{label}\t{surface}")
            for surface in rejected:
                print(f"{REJECT}\t{surface}")
    return 0


def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    print(f"config file: {settings.config_file or '(none; defaults)'}")
    print(f"corpus: {', '.join(settings.corpus)}")
    print(f"db: {settings.db}")
    print(f"annotator: {settings.annotator or '(login name)'}")
    print(f"ner: {settings.ner}")
    print(f"labels shown: {', '.join(settings.labels_shown)}")
    print("tags:")
    for i, tag in enumerate(settings.tags, 1):
        key = f"{i}" if i <= 9 else " "
        print(f"  {key}  {tag.name:<12} {tag.colour:<8} {tag.description}")
    return 0


COMMANDS = {
    "app": cmd_app,
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
    "check": cmd_check,
    "doctor": cmd_doctor,
    "search": cmd_search,
    "dossier": cmd_dossier,
    "tag-all": cmd_tag_all,
    "stats": cmd_stats,
}
