"""Settings: corpus, store path, annotator, tag set, entity backend, labels shown.

Precedence is CLI > environment (``READER_CORPUS``, ``READER_DB``, ``READER_NER``,
``READER_ANNOTATOR``) > ``reader.toml`` (working folder, else the user config folder) >
defaults. A bad file yields one warning line naming the file, key and line; its defaults
are used instead.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reader.models import ENTITY_LABELS

CONFIG_NAME = "reader.toml"
RESERVED_KEYS = frozenset("hjklwbspevtaxnNgGLq?/[](){}123456789 DRTEC")
"""Keys the reading screen already uses (where tag keys apply); a tag's own key must be another one."""
DEFAULT_SHOWN_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "DATE", "EVENT", "LAW", "PRODUCT", "MISC")


@dataclass(frozen=True)
class TagDef:
    """One tag of the tag set."""

    name: str
    key: str = ""
    """A single key that applies the tag in the app (digits 1-9 are given by position)."""
    colour: str = ""
    description: str = ""


DEFAULT_TAGS = (
    TagDef("PERSON", colour="#5fafff", description="a person named in the text"),
    TagDef("ORG", colour="#d787ff", description="an organisation"),
    TagDef("GPE", colour="#5fd787", description="a country, city or state"),
    TagDef("LOC", colour="#87d7af", description="a place that is not a polity"),
    TagDef("DATE", colour="#ffd75f", description="a date or period"),
    TagDef("claim", colour="#ff8787", description="a claim worth checking"),
    TagDef("event", colour="#ffaf5f", description="something that happened"),
    TagDef("quote", colour="#afafaf", description="a quotation"),
    TagDef("military", colour="#d7af87", description="military matters"),
)


@dataclass(frozen=True)
class Settings:
    corpus: tuple[str, ...] = ("seeds",)
    db: str = "annotations.json"
    catalog: str = ""
    """The corpus catalog (SQLite); empty: the user cache folder, keyed by the corpus roots."""
    annotator: str = ""
    blind: bool = False
    """Show only this annotator's annotations (colleagues' work stays hidden while annotating)."""
    ner: str = "model"
    """Entity backend: ``model`` (the learned tagger, default), ``rules`` or ``spacy:<pipeline>``."""
    tags: tuple[TagDef, ...] = DEFAULT_TAGS
    labels_shown: tuple[str, ...] = DEFAULT_SHOWN_LABELS
    config_file: str = ""
    """The reader.toml in effect, or empty when none was found."""
    warnings: tuple[str, ...] = field(default=())


def find_config_file(cwd: Path | None = None) -> Path | None:
    local = (cwd or Path.cwd()) / CONFIG_NAME
    if local.is_file():
        return local
    from platformdirs import user_config_dir

    user = Path(user_config_dir("dispatch-reader")) / CONFIG_NAME
    return user if user.is_file() else None


def _line_of(text: str, key: str) -> int:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
    match = pattern.search(text)
    if match is None:
        match = re.compile(rf"^\s*\[+\s*{re.escape(key)}\s*\]+", re.MULTILINE).search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 0


class _Bad(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _parse(data: dict[str, Any], base: Settings) -> Settings:
    known = {"corpus", "db", "catalog", "annotator", "blind", "ner", "tags", "labels_shown"}
    for key in data:
        if key not in known:
            raise _Bad(key, f"unknown key {key!r} (known: {', '.join(sorted(known))})")
    changes: dict[str, Any] = {}
    if "corpus" in data:
        value = data["corpus"]
        if isinstance(value, str):
            value = [value]
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            raise _Bad("corpus", "corpus must be a path or a list of paths")
        changes["corpus"] = tuple(value)
    for key in ("db", "catalog", "annotator", "ner"):
        if key in data:
            if not isinstance(data[key], str) or (key not in ("annotator", "catalog") and not data[key]):
                raise _Bad(key, f"{key} must be a non-empty string")
            changes[key] = data[key]
    if "ner" in changes and not (changes["ner"] in ("model", "rules") or changes["ner"].startswith("spacy:")):
        raise _Bad("ner", "ner must be 'model', 'rules' or 'spacy:<pipeline>'")
    if "blind" in data:
        if not isinstance(data["blind"], bool):
            raise _Bad("blind", "blind must be true or false")
        changes["blind"] = data["blind"]
    if "labels_shown" in data:
        value = data["labels_shown"]
        if not isinstance(value, list) or any(v not in ENTITY_LABELS for v in value):
            raise _Bad("labels_shown", f"labels_shown must list labels from {', '.join(ENTITY_LABELS)}")
        changes["labels_shown"] = tuple(value)
    if "tags" in data:
        tags = data["tags"]
        if not isinstance(tags, list) or not tags:
            raise _Bad("tags", "tags must be a list of [[tags]] tables")
        parsed: list[TagDef] = []
        for tag in tags:
            if not isinstance(tag, dict) or not isinstance(tag.get("name"), str) or not tag["name"].strip():
                raise _Bad("tags", "every [[tags]] entry needs a non-empty name")
            extra = set(tag) - {"name", "key", "colour", "color", "description"}
            if extra:
                raise _Bad(sorted(extra)[0], f"unknown key {sorted(extra)[0]!r} in [[tags]]")
            key = str(tag.get("key", ""))
            if len(key) > 1:
                raise _Bad("key", f"tag {tag['name']!r}: key must be a single character")
            if key and key in RESERVED_KEYS:
                raise _Bad("key", f"tag {tag['name']!r}: key {key!r} is taken by the app")
            colour = str(tag.get("colour", tag.get("color", "")))
            if colour and not _is_colour(colour):
                raise _Bad(
                    "colour", f"tag {tag['name']!r}: {colour!r} is not a colour (try '#ff8787' or 'red')"
                )
            parsed.append(
                TagDef(
                    tag["name"].strip(),
                    key,
                    str(tag.get("colour", tag.get("color", ""))),
                    str(tag.get("description", "")),
                )
            )
        changes["tags"] = tuple(parsed)
    return replace(base, **changes)


def _is_colour(value: str) -> bool:
    from rich.color import Color, ColorParseError

    try:
        Color.parse(value)
    except ColorParseError:
        return False
    return True


def load_settings(
    *,
    corpus: list[str] | None = None,
    db: str | None = None,
    catalog: str | None = None,
    ner: str | None = None,
    annotator: str | None = None,
    blind: bool | None = None,
    config_path: Path | None = None,
    env: dict[str, str] | None = None,
) -> Settings:
    """Resolve settings from CLI values, the environment, the config file and defaults."""
    env = dict(os.environ) if env is None else env
    settings = Settings()
    warnings: list[str] = []
    path = config_path or find_config_file()
    if path is not None and path.is_file():
        text = ""
        try:
            text = path.read_text(encoding="utf-8")
            settings = _parse(tomllib.loads(text), settings)
        except tomllib.TOMLDecodeError as exc:
            warnings.append(f"{path}: {exc}; using the defaults")
        except (OSError, UnicodeDecodeError) as exc:
            warnings.append(f"{path}: cannot be read ({exc}); using the defaults")
        except _Bad as exc:
            warnings.append(f"{path}, line {_line_of(text, exc.key)}: {exc}; using the defaults")
        settings = replace(settings, config_file=str(path))
    changes: dict[str, Any] = {}
    if env.get("READER_CORPUS"):
        changes["corpus"] = tuple(env["READER_CORPUS"].split(os.pathsep))
    if env.get("READER_DB"):
        changes["db"] = env["READER_DB"]
    if env.get("READER_CATALOG"):
        changes["catalog"] = env["READER_CATALOG"]
    if env.get("READER_NER"):
        changes["ner"] = env["READER_NER"]
    if env.get("READER_ANNOTATOR"):
        changes["annotator"] = env["READER_ANNOTATOR"]
    if corpus:
        changes["corpus"] = tuple(corpus)
    if db:
        changes["db"] = db
    if catalog:
        changes["catalog"] = catalog
    if ner:
        changes["ner"] = ner
    if annotator:
        changes["annotator"] = annotator
    if blind is not None:
        changes["blind"] = blind
    return replace(settings, warnings=tuple(warnings), **changes)
