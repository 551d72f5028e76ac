"""The Luigi path end to end: real local scheduler, two worker processes, real files.

One corpus is built from the project's raw/ (plus the seeds when ../shared is present) and
shared by the tests below; a second and a third build check determinism and rebuild.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.clean import clean_document, clean_paragraph
from pipeline.config import load_config
from pipeline.decoding import decode
from pipeline.store import read_records, verify

from .conftest import RAW, ROOT, SHARED, jinghua

RECORD_GLOBS = ("paragraphs-*.jsonl.zst", "documents-*.jsonl.zst", "rejects-*.jsonl.zst")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("corpus")
    raw = base / "raw"
    shutil.copytree(RAW, raw)
    if (SHARED / "seeds").is_dir():
        (raw / "seeds").mkdir()
        for seed in (SHARED / "seeds").glob("*.txt"):
            shutil.copy(seed, raw / "seeds" / seed.name)
    clean = base / "clean"
    p = jinghua("run", "--raw", str(raw), "--clean", str(clean), "--workers", "2")
    assert p.returncode == 0, p.stderr
    return {"raw": raw, "clean": clean, "current": clean / "current", "stdout": p.stdout}


def _records(version: Path, kind: str) -> list[dict]:
    return list(read_records(version, kind))


def test_run_publishes_a_complete_corpus(corpus) -> None:
    cur = corpus["current"]
    assert cur.is_symlink()
    for name in ("manifest.json", "catalog.sqlite", "report.json", "report.html"):
        assert (cur / name).is_file(), name
    for pattern in RECORD_GLOBS:
        assert list(cur.glob(pattern)), pattern
    assert verify(cur) is None
    assert "paragraphs" in corpus["stdout"] and "quarantined" in corpus["stdout"]


def test_every_raw_file_is_accounted_for_once(corpus) -> None:
    docs = _records(corpus["current"], "documents")
    found = sorted(p.relative_to(corpus["raw"]).as_posix() for p in corpus["raw"].rglob("*") if p.is_file())
    assert sorted(d["path"] for d in docs) == found
    quarantined = {d["path"]: d["reason"] for d in docs if d["status"] == "quarantined"}
    assert quarantined and all(quarantined.values())
    assert any("png" in r for r in quarantined.values())
    manifest = json.loads((corpus["current"] / "manifest.json").read_text())
    assert [f["path"] for f in manifest["input"]] == found


def test_spans_recover_the_raw_text(corpus) -> None:
    config = load_config()
    paras = _records(corpus["current"], "paragraphs")
    by_path: dict[str, list[dict]] = {}
    for p in paras:
        by_path.setdefault(p["source"]["path"], []).append(p)
    for path, records in by_path.items():
        data = (corpus["raw"] / path).read_bytes()
        text = decode(data, config["decode"]["candidates"], 65536, 0.7).text
        result = clean_document(data, path, config)
        for rec in records:
            raw_span = text[rec["source"]["start"]:rec["source"]["end"]]
            trace = result.traces[rec["id"]]
            first = trace[0][1] if trace else rec["text"]
            assert first == raw_span, (path, rec["id"])
            assert (trace[-1][2] if trace else first) == rec["text"]


def test_cleaning_is_idempotent(corpus) -> None:
    config = load_config()
    for rec in _records(corpus["current"], "paragraphs"):
        assert clean_paragraph(rec["text"], config).text == rec["text"], rec["id"]


def test_second_run_does_no_work(corpus) -> None:
    shards = sorted((corpus["clean"] / "cache" / "shards").iterdir())
    mtimes = [s.stat().st_mtime_ns for s in shards]
    versions = sorted((corpus["clean"] / "versions").iterdir())
    p = jinghua("run", "--raw", str(corpus["raw"]), "--clean", str(corpus["clean"]))
    assert p.returncode == 0 and p.stdout.startswith("nothing new")
    assert [s.stat().st_mtime_ns for s in sorted((corpus["clean"] / "cache" / "shards").iterdir())] == mtimes
    assert sorted((corpus["clean"] / "versions").iterdir()) == versions


def test_fresh_runs_and_rebuild_are_byte_identical(corpus, tmp_path: Path) -> None:
    other = tmp_path / "clean"
    assert jinghua("run", "--raw", str(corpus["raw"]), "--clean", str(other), "--workers", "1").returncode == 0
    assert jinghua("rebuild", "--raw", str(corpus["raw"]), "--clean", str(corpus["clean"])).returncode == 0
    for pattern in RECORD_GLOBS:
        mine = sorted(corpus["current"].glob(pattern))
        theirs = sorted((other / "current").glob(pattern))
        assert [f.name for f in mine] == [f.name for f in theirs]
        for a, b in zip(mine, theirs, strict=True):
            assert a.read_bytes() == b.read_bytes(), a.name


def test_explain_shows_span_ops_and_neighbours(corpus) -> None:
    paras = _records(corpus["current"], "paragraphs")
    repaired = next(p for p in paras if {"mojibake", "gbk-mojibake", "gbk-shift", "lost-bytes"} & set(p["ops"]))
    p = jinghua("explain", repaired["id"], "--raw", str(corpus["raw"]), "--clean", str(corpus["clean"]))
    assert p.returncode == 0, p.stderr
    assert repaired["source"]["path"] in p.stdout and "raw text:" in p.stdout
    op = next(o for o in repaired["ops"] if o in ("mojibake", "gbk-mojibake", "gbk-shift", "lost-bytes"))
    assert f"[{op}]" in p.stdout and "before:" in p.stdout and "after:" in p.stdout
    assert repaired["text"] in p.stdout
    rejects = _records(corpus["current"], "rejects")
    reject = next(r for r in rejects if r["rule"].startswith("metadata/"))
    q = jinghua("explain", reject["id"], "--raw", str(corpus["raw"]), "--clean", str(corpus["clean"]))
    assert q.returncode == 0 and reject["rule"] in q.stdout


def test_cross_script_duplicates_collapse(corpus) -> None:
    paras = _records(corpus["current"], "paragraphs")
    dups = [p for p in paras if any(d["doc_id"] != p["doc_id"] for d in p["duplicates"])]
    assert dups
    rejects = {r["id"]: r for r in _records(corpus["current"], "rejects") if r["rule"] == "dedup"}
    for p in dups:
        for d in p["duplicates"]:
            assert rejects[d["id"]]["text"] == p["text"]


def test_search_and_verify(corpus, tmp_path: Path) -> None:
    para = next(p for p in _records(corpus["current"], "paragraphs") if len(p["text"]) > 20)
    phrase = para["text"][5:13]
    p = jinghua("search", phrase, "--clean", str(corpus["clean"]))
    assert p.returncode == 0 and para["id"] in p.stdout
    copy = tmp_path / "copy"
    shutil.copytree(corpus["current"], copy)
    shard = sorted(copy.glob("paragraphs-*.jsonl.zst"))[0]
    data = bytearray(shard.read_bytes())
    data[10] ^= 1
    shard.write_bytes(bytes(data))
    assert verify(copy) == f"{shard.name}: sha256 differs from the manifest"


def test_warm_up_loads_what_forked_workers_would_load_again() -> None:
    """Luigi forks a process per shard task: what the stages load on first use must be loaded
    before (in a fresh process, the repair tables are empty until warm_up)."""
    probe = ("from pipeline import clean, config, repair\n"
             "loaders = (repair._tables, repair._suspect_pattern, repair.lexicon)\n"
             "before = [f.cache_info().currsize for f in loaders]\n"
             "clean.warm_up(config.load_config())\n"
             "print(before, [f.cache_info().currsize for f in loaders])")
    p = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["[0,", "0,", "0]", "[1,", "1,", "1]"], p.stdout


def test_recount_counts_flags_ops_and_rules() -> None:
    from pipeline.records import GUESSED, UNREPAIRED, recount

    result = {"document": {"status": "ok"},
              "paragraphs": [{"flags": [UNREPAIRED, GUESSED], "ops": ["html", "t2s"]}, {"flags": [], "ops": []},
                             {"flags": [UNREPAIRED], "ops": ["t2s"]}],
              "rejects": [{"rule": "widget-line"}, {"rule": "html/nav"}, {"rule": "widget-line"}]}
    recount(result)
    assert result["document"] == {"status": "ok", "paragraphs": 3, "rejects": 3, "unrepaired": 2, "guessed": 1,
                                  "ops": {"html": 1, "t2s": 2}, "rules": {"html/nav": 1, "widget-line": 2}}


def test_metadata_is_cleaned_alike_on_every_page(config) -> None:
    page = "<html><body><p>來源：新華社</p><p>正文內容，報道稱今年情況良好，各方面都很滿意。</p></body></html>"
    first, second = (clean_document(page.encode("utf-8"), f"site/{n}.html", config).document for n in range(2))
    assert first["source_name"] == second["source_name"] == "新华社"


def test_cleaning_after_the_caches_are_released_gives_the_same_records() -> None:
    from pipeline import charmodel
    from pipeline.clean import release_caches

    config = load_config()
    page = next(p for p in sorted(RAW.rglob("*")) if p.is_file() and p.suffix == ".html")
    before = clean_document(page.read_bytes(), page.name, config).records()
    assert charmodel.load.cache_info().currsize == 1
    release_caches()
    assert charmodel.load.cache_info().currsize == 0  # the tables are let go
    assert clean_document(page.read_bytes(), page.name, config).records() == before
