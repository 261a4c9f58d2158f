"""UIMA CAS XMI, the format INCEpTION exports and imports losslessly, through dkpro-cassis
(the library the INCEpTION team maintains).

Export writes a folder: one ``.xmi`` per dispatch, with the text as the sofa, sentences and
tokens (INCEpTION pages by sentence) and a DKPro ``NamedEntity`` per annotation, its tag the
``value``; and ``TypeSystem.xml``, the DKPro Core type system cassis ships, which INCEpTION
knows. Import reads a ``.xmi`` file or a folder of them. A ``TypeSystem.xml`` beside them
(INCEpTION puts one in every export) is merged in, so custom layers are read. It takes
``NamedEntity`` (and its DKPro subtypes) and custom span layers (``webanno.custom.*``, the tag
from ``value``, else ``label``, else the layer's name). Other annotations (tokens,
sentences, part of speech, relations, chains) are counted and reported, not taken.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from typing import TYPE_CHECKING, Any

from reader.corpus import DispatchSource
from reader.errors import ReaderError
from reader.formats import Candidate, FormatError, Output, Raw, Record, by_dispatch, ne_layer_losses
from reader.formats.conll import TOKEN
from reader.segments import sentence_spans

if TYPE_CHECKING:
    from cassis import TypeSystem

NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
SENTENCE = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence"
TOKEN_TYPE = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token"
METADATA = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"
_STRUCTURE = {SENTENCE, TOKEN_TYPE, "uima.tcas.DocumentAnnotation", METADATA}


def _cassis() -> Any:
    try:
        import cassis
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise ReaderError("the xmi format needs dkpro-cassis: pip install dkpro-cassis") from None
    return cassis


def write_xmi(corpus: DispatchSource, records: list[Record]) -> Output:
    cassis = _cassis()
    typesystem = cassis.load_dkpro_core_typesystem()
    entity = typesystem.get_type(NAMED_ENTITY)
    sentence_type, token_type = typesystem.get_type(SENTENCE), typesystem.get_type(TOKEN_TYPE)
    files: dict[str, str] = {}
    for dispatch, group in by_dispatch(corpus, records):
        cas = cassis.Cas(typesystem=typesystem)
        cas.sofa_string = dispatch.text
        cas.sofa_mime = "text/plain"
        for s in sentence_spans(dispatch.text):
            tokens = list(TOKEN.finditer(dispatch.text, s.start, s.end))
            if tokens:
                cas.add(sentence_type(begin=tokens[0].start(), end=tokens[-1].end()))
                cas.add_all([token_type(begin=m.start(), end=m.end()) for m in tokens])
        cas.add_all([entity(begin=r["start"], end=r["end"], value=r["tag"]) for r in group])
        files[dispatch.id.replace("/", "__") + ".xmi"] = cas.to_xmi(pretty_print=True)
    if files:
        files["TypeSystem.xml"] = typesystem.to_xml()
    first, last = ne_layer_losses("xmi", records, "CAS")
    return Output(files=files, losses=first + last)


def load_typesystem(text: str | None, where: str) -> TypeSystem:
    """DKPro Core's type system, merged with ``text`` (a TypeSystem.xml) when there is one."""
    cassis = _cassis()
    typesystem = cassis.load_dkpro_core_typesystem()
    if text is None:
        return typesystem
    _refuse_dtd(text, where)
    try:
        return cassis.merge_typesystems(typesystem, cassis.load_typesystem(text))
    except Exception as exc:  # cassis raises many kinds for a bad type system
        raise FormatError(where, f"not a UIMA type system ({type(exc).__name__}: {str(exc)[:80]})") from None


def _refuse_dtd(text: str, where: str) -> None:
    # No document type declarations: no entity expansion, no external files, from outside.
    if re.search(r"<!(DOCTYPE|ENTITY)", text[:100_000], re.IGNORECASE):
        raise FormatError(where, "XML with a DOCTYPE or ENTITY declaration is refused")


def _declared_types(text: str) -> Counter[str]:
    """Every ``prefix:Type`` element of the XMI, as a full type name, counted."""
    packages = {
        prefix: uri.removeprefix("http:///").removesuffix(".ecore").replace("/", ".")
        for prefix, uri in re.findall(r'xmlns:(\w+)="([^"]*)"', text[:20_000])
    }
    found: Counter[str] = Counter()
    for prefix, local in re.findall(r"<(\w+):(\w+)[\s/>]", text):
        if prefix in packages and prefix not in ("xmi", "cas"):
            found[f"{packages[prefix]}.{local}"] += 1
    return found


def read_xmi(text: str, name: str, typesystem: TypeSystem) -> list[Candidate]:
    cassis = _cassis()
    _refuse_dtd(text, name)
    try:
        with warnings.catch_warnings():  # types it does not know: reported below, one line each
            warnings.simplefilter("ignore")
            cas = cassis.load_cas_from_xmi(text, typesystem=typesystem, lenient=True)
    except Exception as exc:  # lxml and cassis raise many kinds for a malformed file
        raise FormatError(name, f"not a UIMA CAS XMI file ({type(exc).__name__}: {str(exc)[:80]})") from None
    body = cas.sofa_string or ""
    out: list[Candidate] = []
    unknown = [t for t in _declared_types(text) if t not in _STRUCTURE and not typesystem.contains_type(t)]
    for t in sorted(unknown):
        out.append(
            Candidate(
                {"_skip": f"type {t} is not in the type system (put INCEpTION's TypeSystem.xml beside it)"},
                name,
            )
        )
    skipped: Counter[str] = Counter()
    entity = typesystem.get_type(NAMED_ENTITY)
    for k, fs in enumerate(sorted(cas.select_all_fs(), key=lambda f: (getattr(f, "begin", -1), f.xmiID)), 1):
        type_ = fs.type
        type_name = type_.name
        is_entity = type_name == NAMED_ENTITY or typesystem.subsumes(entity, type_)
        is_custom = type_name.startswith("webanno.custom.") and typesystem.subsumes(
            typesystem.get_type("uima.tcas.Annotation"), type_
        )
        if not (is_entity or is_custom) or type_name in _STRUCTURE:
            if type_name not in _STRUCTURE and not type_name.startswith("uima.cas."):
                skipped[type_name.rsplit(".", 1)[-1]] += 1
            continue
        features = {f.name for f in type_.all_features}
        if {"Governor", "Dependent"} & features:  # a custom relation layer
            skipped[type_name.rsplit(".", 1)[-1] + " (relation)"] += 1
            continue
        tag = ""
        for feature in ("value", "label"):
            if feature in features and isinstance(fs.get(feature), str) and fs.get(feature):
                tag = fs.get(feature)
                break
        tag = tag or type_name.rsplit(".", 1)[-1]
        notes = [
            f"{f}: {fs.get(f)}"
            for f in sorted(features - {"sofa", "begin", "end", "value", "label"})
            if isinstance(fs.get(f), (str, int, float))
            and not isinstance(fs.get(f), bool)
            and fs.get(f) != ""
        ]
        record: Raw = {"start": fs.begin, "end": fs.end, "tag": tag, "_text": body}
        if notes:
            record["note"] = "; ".join(notes)
        out.append(Candidate(record, f"{name} annotation {k}"))
    for what, n in sorted(skipped.items()):
        out.append(Candidate({"_skip": f"{n} {what} annotations not taken"}, name))
    return out
