"""Annotating as a team from the CLI: annotators, merge, agreement, curation, blind exports."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from reader.store import AnnotationStore

from .conftest import SEED_000, SEED_001, SEEDS, run


def tag(capsys, who: str, db: Path, dispatch: str, quote: str, label: str, *extra: str) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(
        capsys, "--annotator", who, "--db", str(db), "tag", dispatch, "--quote", quote, "--tag", label, *extra
    )
    assert code == 0, err


def three_annotators(capsys, tmp_path: Path) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """Alice, Bob and Carol each annotate in a store of their own, as on three machines."""
    stores = {who: tmp_path / f"{who}.json" for who in ("alice", "bob", "carol")}
    for who in stores:
        tag(capsys, who, stores[who], SEED_000, "Pavel Grachev", "PERSON")
    tag(capsys, "alice", stores["alice"], SEED_000, "Kaliningrad", "GPE")
    tag(capsys, "bob", stores["bob"], SEED_000, "Kaliningrad", "LOC")
    tag(capsys, "carol", stores["carol"], SEED_000, "Kaliningrad", "GPE", "--note", "a Russian exclave")
    tag(capsys, "alice", stores["alice"], SEED_001, "Igor Sergeev", "PERSON")
    tag(capsys, "bob", stores["bob"], SEED_001, "Igor Sergeev", "PERSON")
    return stores


def everything(db: Path) -> list[dict[str, object]]:
    with AnnotationStore.open(db, readonly=True) as store:
        return sorted(store.all(), key=lambda r: str(r["id"]))


def test_merge_is_idempotent_and_independent_of_order(env, capsys, tmp_path) -> None:
    stores = three_annotators(capsys, tmp_path)
    # Bob also exports his work as JSON, which a colleague merges as well: nothing doubles.
    bob_export = tmp_path / "bob-export.json"
    assert run(capsys, "--db", str(stores["bob"]), "export", "-o", str(bob_export))[0] == 0
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    order_one = [stores["alice"], stores["bob"], stores["carol"], bob_export]
    order_two = [bob_export, stores["carol"], stores["alice"], stores["bob"]]
    code, out, err = run(capsys, "--db", str(one), "merge", *map(str, order_one))
    assert code == 0, err
    assert "8 added, 0 updated, 3 already here, 0 conflicts (alice 3, bob 3, carol 2)" in out
    for path in order_two:  # one at a time, another order
        assert run(capsys, "--db", str(two), "merge", str(path))[0] == 0
    assert everything(one) == everything(two) and len(everything(one)) == 8
    before = everything(one)
    code, out, _ = run(capsys, "--db", str(one), "merge", *map(str, order_one))
    assert "0 added, 0 updated, 11 already here" in out and everything(one) == before
    # --dry-run writes nothing.
    three = tmp_path / "three.json"
    code, out, _ = run(capsys, "--db", str(three), "merge", str(stores["alice"]), "--dry-run")
    assert code == 0 and "would merge" in out and not three.exists()


def test_merge_keeps_the_newer_edit_of_one_record_and_reports_the_other(env, capsys, tmp_path) -> None:
    stores = three_annotators(capsys, tmp_path)
    shared = tmp_path / "shared.json"
    run(capsys, "--db", str(shared), "merge", str(stores["alice"]))
    record = next(r for r in everything(stores["alice"]) if r["tag"] == "GPE")
    # Alice re-tags her record in her own store afterwards; the shared copy still has the old one.
    with AnnotationStore.open(stores["alice"]) as store:
        store.update(str(record["id"]), tag="LOC")
    code, out, err = run(capsys, "--db", str(shared), "merge", str(stores["alice"]))
    assert code == 0 and "1 updated" in out and "1 conflicts" in out
    assert f"conflict: {record['id']}: edited in two places" in err and "[LOC]" in err
    (now,) = [r for r in everything(shared) if r["id"] == record["id"]]
    assert now["tag"] == "LOC"
    # The old version merged again later loses to the newer one already here.
    old = tmp_path / "old.json"
    old.write_text(
        json.dumps(
            {
                "format": "dispatch-reader",
                "version": 1,
                "dispatches": [{"id": SEED_000, "annotations": [record]}],
            }
        )
    )
    code, out, err = run(capsys, "--db", str(shared), "merge", str(old))
    assert code == 0 and "0 updated" in out and "kept the one updated" in err
    assert [r["tag"] for r in everything(shared) if r["id"] == record["id"]] == ["LOC"]


def test_merge_refuses_a_bad_source_whole(env, capsys, tmp_path) -> None:
    stores = three_annotators(capsys, tmp_path)
    shared = tmp_path / "shared.json"
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "dispatch-reader", "dispatches": [{"id": "nope", "annotations": [{"tag": "X"}]}]}'
    )
    code, _, err = run(capsys, "--db", str(shared), "merge", str(stores["alice"]), str(bad))
    assert code == 1 and str(bad) in err and "Traceback" not in err and not shared.exists()
    assert err.count("\n") == 1
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2")
    code, _, err = run(capsys, "--db", str(shared), "merge", str(broken))
    assert code == 1 and str(broken) in err and "not valid JSON" in err and "Traceback" not in err


def test_agreement_table_json_and_csv(env, capsys, tmp_path) -> None:
    stores = three_annotators(capsys, tmp_path)
    shared = tmp_path / "shared.json"
    run(capsys, "--db", str(shared), "merge", *map(str, stores.values()))
    code, out, _ = run(capsys, "--db", str(shared), "agreement")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("Krippendorff's alpha, all 3 annotators: ")
    # alpha_U for all three over the one dispatch every one of them did.
    assert lines[1].startswith("Krippendorff's alpha_U (unitizing), all 3 annotators, over the 1 dispatch")
    header = lines[2].split("\t")
    assert header[-1] == "alpha_U"
    rows = {
        tuple(line.split("\t")[:2]): dict(zip(header, line.split("\t"), strict=True)) for line in lines[3:6]
    }
    # Alice and Bob: both dispatches, Grachev and Sergeev agreed, Kaliningrad GPE vs LOC.
    ab = rows[("alice", "bob")]
    assert (ab["dispatches"], ab["agreed"], ab["disagreed"], ab["exact F1"]) == ("2", "2", "2", "0.667")
    # Carol did only the first dispatch: her pairs count one.
    assert rows[("alice", "carol")]["dispatches"] == "1" and rows[("alice", "carol")]["exact F1"] == "1.000"
    data = json.loads(run(capsys, "--db", str(shared), "agreement", "--json", "--annotators", "alice,bob")[1])
    assert data["annotators"] == ["alice", "bob"] and len(data["pairs"]) == 1
    person = data["by_tag"]["PERSON"][0]
    assert person["exact_f1"] == 1.0 and person["kappa"] == 1.0 and person["alpha"] == 1.0
    one = json.loads(run(capsys, "--db", str(shared), "agreement", "--json", "--dispatch", SEED_001[:5])[1])
    assert [(p["a"], p["b"], p["dispatches"]) for p in one["pairs"] if p["dispatches"]] == [
        ("alice", "bob", 1)
    ]
    target = tmp_path / "agreement.csv"
    code, _, err = run(capsys, "--db", str(shared), "agreement", "--csv", str(target), "--by-dispatch")
    table = list(csv.DictReader(target.open(encoding="utf-8")))
    assert code == 0 and {r["scope"] for r in table} == {"all", "tag", "dispatch"}
    assert {r["value"] for r in table if r["scope"] == "dispatch"} == {SEED_000, SEED_001}


def test_curate_by_strategy_links_sources_and_exports_the_gold(env, capsys, tmp_path) -> None:
    stores = three_annotators(capsys, tmp_path)
    shared = tmp_path / "shared.json"
    run(capsys, "--db", str(shared), "merge", *map(str, stores.values()))
    # Complete agreement: only Grachev (all three) and Sergeev (both who did that dispatch).
    code, out, _ = run(capsys, "--db", str(shared), "curate", "--dry-run")
    assert code == 0 and "would settle 2 units by agreed" in out and "1 disputed" in out
    code, out, _ = run(capsys, "--db", str(shared), "curate", "--strategy", "majority", "--as", "dana")
    assert code == 0 and "settled 3 units by majority, stored as dana" in out
    gold = [r for r in everything(shared) if r["annotator"] == "dana"]
    by_quote = {r["quote"]: r for r in gold}
    assert set(by_quote) == {"Pavel Grachev", "Kaliningrad", "Igor Sergeev"}
    assert by_quote["Kaliningrad"]["tag"] == "GPE" and by_quote["Kaliningrad"]["note"] == "a Russian exclave"
    sources = {r["id"]: r for r in everything(shared)}
    assert {sources[i]["annotator"] for i in by_quote["Kaliningrad"]["sources"]} == {"alice", "carol"}
    # Curating again settles nothing more; the gold exports on its own, in any format.
    assert (
        "settled 0 units"
        in run(capsys, "--db", str(shared), "curate", "--strategy", "majority", "--as", "dana")[1]
    )
    out_file = tmp_path / "gold.json"
    code, _, err = run(capsys, "--db", str(shared), "export", "--annotator", "dana", "-o", str(out_file))
    exported = [a for d in json.loads(out_file.read_text())["dispatches"] for a in d["annotations"]]
    assert code == 0 and sorted(a["quote"] for a in exported) == sorted(by_quote)
    assert all(a["annotator"] == "dana" and a["sources"] for a in exported)
    code, _, err = run(capsys, "--db", str(shared), "curate", "--strategy", "threshold:x")
    assert code == 2 and "threshold:N" in err


def test_two_annotators_write_one_store_at_once(env, tmp_path) -> None:
    """On one shared host, two annotators' processes write the same store through its lock."""
    db = tmp_path / "shared.json"
    script = (
        "import sys\n"
        "from reader.cli import main\n"
        "who = sys.argv[1]\n"
        "for i in range(25):\n"
        "    assert main(['--annotator', who, '--db', sys.argv[2], 'tag', sys.argv[3],\n"
        "                 '--start', str(i * 10), '--end', str(i * 10 + 5), '--tag', 'claim']) == 0\n"
    )
    environ = {**os.environ, "READER_CORPUS": str(SEEDS)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, who, str(db), SEED_000], env=environ, stdout=subprocess.DEVNULL
        )
        for who in ("alice", "bob")
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    records = everything(db)
    assert len(records) == 50
    assert {a: sum(r["annotator"] == a for r in records) for a in ("alice", "bob")} == {
        "alice": 25,
        "bob": 25,
    }
