"""Publishing costs what changed: parts of the corpus whose shard and corpus-wide decisions are
unchanged are linked from the previous version, and the result equals a fresh run file for file.
Site chrome learned from the corpus is removed, listed in site_chrome.jsonl, and kept in step."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import orjson
import pytest

from pipeline import batch
from pipeline.catalog import search
from pipeline.config import load_config
from pipeline.store import Layout, ends_shard, read_plan, read_records, verify, write_keys

from .conftest import jinghua
from .test_catalog import catalog_rows

SITES = {"harbor": ("港城日报移动客户端上线啦", "联系本报：热线电话八八六六"),
         "valley": ("山谷晨讯今日要目速览", "山谷晨讯编辑部祝您周末愉快")}
TOPICS = ["渔港码头的冷链仓库完成扩建，日吞吐能力提高到两千吨，渔民卸货排队的时间明显缩短。",
          "山区公路的隧道工程进入收尾阶段，通车后两个乡镇之间的车程将从一小时缩短到二十分钟。",
          "城南老年活动中心新开设了书法和合唱课程，报名人数在三天内就超过了两百人。",
          "今年早稻收割比往年提前一周，农技站的专家建议农户抓紧晾晒，防止连续阴雨造成损失。"]
RECORD_GLOBS = ("paragraphs-*.jsonl.zst", "documents-*.jsonl.zst", "rejects-*.jsonl.zst")


def write_pages(raw: Path, site: str, numbers: range) -> None:
    banner, contact = SITES[site]
    for n in numbers:
        body = "\n".join(f"{TOPICS[(n + i) % len(TOPICS)]}这是{site}第{n}篇稿件的第{i}段。" for i in range(3))
        path = raw / site / f"{n:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{site}第{n}篇稿件的标题\n{body}\n{banner}\n{contact}\n", encoding="utf-8")


def run(raw: Path, clean: Path, config: Path) -> str:
    p = jinghua("run", "--raw", str(raw), "--clean", str(clean), "--config", str(config))
    assert p.returncode == 0, p.stderr
    return p.stdout


def manifest(clean: Path) -> dict:
    return json.loads((clean / "current" / "manifest.json").read_text(encoding="utf-8"))


def same_files(a: Path, b: Path) -> None:
    for pattern in RECORD_GLOBS:
        mine, theirs = sorted((a / "current").glob(pattern)), sorted((b / "current").glob(pattern))
        assert mine and [f.name for f in mine] == [f.name for f in theirs]
        for x, y in zip(mine, theirs, strict=True):
            assert x.read_bytes() == y.read_bytes(), x.name


def test_unchanged_parts_are_linked_and_the_corpus_equals_a_fresh_run(tmp_path: Path) -> None:
    raw, clean, config = tmp_path / "raw", tmp_path / "clean", tmp_path / "c.yaml"
    config.write_text("run:\n  shard_files: 4\n", encoding="utf-8")
    write_pages(raw, "harbor", range(30))
    write_pages(raw, "valley", range(30))
    run(raw, clean, config)
    first = manifest(clean)
    assert len(first["parts"]) >= 6 and first["reused_parts"] == 0

    write_pages(raw, "valley", range(30, 33))  # new pages sort at the end of the corpus
    run(raw, clean, config)
    second = manifest(clean)
    assert second["counts"]["documents"] == 63
    assert second["reused_parts"] >= len(first["parts"]) // 2, "unchanged parts must be linked, not rewritten"
    linked = {f["file"] for f in second["shards"]} & {f["file"] for f in first["shards"]}
    version = clean / "versions" / second["version"]
    assert any(os.stat(version / name).st_nlink > 1 for name in linked)
    assert verify(clean / "current") is None

    fresh = tmp_path / "fresh"
    run(raw, fresh, config)
    same_files(clean, fresh)
    assert catalog_rows(clean / "current" / "catalog.sqlite") == catalog_rows(fresh / "current" / "catalog.sqlite")
    learned = [(c / "current" / "site_chrome.jsonl").read_bytes() for c in (clean, fresh)]
    assert learned[0] == learned[1]
    # the catalog was updated in place of a rebuild: old and new pages are found, once each
    for phrase in ("harbor第3篇稿件的第1段", "valley第31篇稿件的第2段"):
        hits = search(clean / "current" / "catalog.sqlite", phrase)
        assert [h["text"] for h in hits] == [h["text"] for h in search(fresh / "current" / "catalog.sqlite", phrase)]
        assert len(hits) == 1

    (raw / "harbor" / "0003.txt").unlink()
    run(raw, clean, config)
    assert not search(clean / "current" / "catalog.sqlite", "harbor第3篇稿件的第1段")
    assert manifest(clean)["reused_parts"] >= 1
    run(raw, fresh, config)
    assert catalog_rows(clean / "current" / "catalog.sqlite") == catalog_rows(fresh / "current" / "catalog.sqlite")
    p = jinghua("rebuild", "--raw", str(raw), "--clean", str(clean), "--config", str(config))
    assert p.returncode == 0, p.stderr
    assert manifest(clean)["reused_parts"] == 0  # a rebuild writes every part anew
    same_files(clean, fresh)


def test_site_chrome_is_learned_removed_and_listed(tmp_path: Path) -> None:
    raw, clean, config = tmp_path / "raw", tmp_path / "clean", tmp_path / "c.yaml"
    config.write_text("run:\n  shard_files: 4\n", encoding="utf-8")
    write_pages(raw, "harbor", range(12))
    write_pages(raw, "valley", range(3))  # too few pages to learn from
    run(raw, clean, config)
    learned = [orjson.loads(line) for line in (clean / "current" / "site_chrome.jsonl").read_bytes().splitlines()]
    assert {(e["site"], e["text"], e["pages"]) for e in learned} == {("harbor", text, 12) for text in SITES["harbor"]}
    kept = [p["text"] for p in read_records(clean / "current", "paragraphs")]
    assert not set(SITES["harbor"]) & set(kept)
    assert set(SITES["valley"]) <= set(kept)  # three pages are no evidence
    rejects = [r for r in read_records(clean / "current", "rejects") if r["rule"] == "site-chrome"]
    assert len(rejects) == 24 and {r["text"] for r in rejects} == set(SITES["harbor"])
    titles = {d["path"]: d["title"] for d in read_records(clean / "current", "documents")}
    assert titles["harbor/0005.txt"] == "harbor第5篇稿件的标题"
    p = jinghua("explain", rejects[0]["id"], "--raw", str(raw), "--clean", str(clean))
    assert p.returncode == 0 and "(rule site-chrome)" in p.stdout
    assert "why: repeated across the pages of site 'harbor'" in p.stdout and rejects[0]["text"] in p.stdout


def test_a_new_page_repeating_old_paragraphs_patches_their_parts(tmp_path: Path) -> None:
    """Old paragraphs gain copies (a new page that sorts last) or lose the kept copy (one that
    sorts first): their documents are written anew inside otherwise copied parts, and everything
    equals a fresh run: records, catalog rows with their parts, learned chrome, report figures."""
    raw, clean, config = tmp_path / "raw", tmp_path / "clean", tmp_path / "c.yaml"
    config.write_text("run:\n  shard_files: 4\n", encoding="utf-8")
    write_pages(raw, "harbor", range(30))
    write_pages(raw, "valley", range(30))
    # The banner's example in site_chrome.jsonl is its smallest form: one page, in the same shard
    # as a page that gains a copy, shows it with a space (the same line to site chrome).
    n = next(n for n in range(30) if not ends_shard(f"harbor/{n:04d}.txt", 4))
    spaced = raw / "harbor" / f"{n:04d}.txt"
    banner = SITES["harbor"][0]
    spaced.write_text(spaced.read_text(encoding="utf-8").replace(banner, banner[:4] + " " + banner[4:]), "utf-8")
    run(raw, clean, config)
    first = manifest(clean)

    def page_text(site: str, n: int, i: int) -> str:
        return f"{TOPICS[(n + i) % len(TOPICS)]}这是{site}第{n}篇稿件的第{i}段。"

    (raw / "valley" / "0099.txt").write_text(
        "转载稿件\n" + "\n".join(page_text("harbor", m, 1) for m in (n + 1, 17, 26)) + "\n", encoding="utf-8")
    (raw / "harbor" / "0000-early.txt").write_text(
        "抢先稿件\n" + "\n".join(page_text("valley", n, 2) for n in (8, 21)) + "\n", encoding="utf-8")
    run(raw, clean, config)
    second = manifest(clean)
    assert second["patched_parts"] >= 3, "parts whose documents gained or lost copies are patched"
    assert second["reused_parts"] >= len(first["parts"]) // 2
    assert verify(clean / "current") is None
    kept = {p["text"]: p for p in read_records(clean / "current", "paragraphs")}
    assert [d["doc_id"] for d in kept[page_text("harbor", 17, 1)]["duplicates"]] == [
        p["id"] for p in read_records(clean / "current", "documents") if p["path"] == "valley/0099.txt"]
    assert kept[page_text("valley", 21, 2)]["doc_id"] == next(
        d["id"] for d in read_records(clean / "current", "documents") if d["path"] == "harbor/0000-early.txt")

    fresh = tmp_path / "fresh"
    run(raw, fresh, config)
    same_files(clean, fresh)
    assert catalog_rows(clean / "current" / "catalog.sqlite") == catalog_rows(fresh / "current" / "catalog.sqlite")
    assert catalog_parts(clean) == catalog_parts(fresh)
    learned = [(c / "current" / "site_chrome.jsonl").read_text(encoding="utf-8") for c in (clean, fresh)]
    assert banner[:4] + " " + banner[4:] in learned[0] and learned[0] == learned[1]
    figures = [{k: v for k, v in json.loads((c / "current" / "report.json").read_text(encoding="utf-8")).items()
                if k != "timings"} for c in (clean, fresh)]
    assert figures[0] == figures[1]
    assert [p["summary"] for p in second["parts"]] == [p["summary"] for p in manifest(fresh)["parts"]]


def catalog_parts(clean: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(clean / "current" / "catalog.sqlite")
    try:
        return con.execute("SELECT id, part FROM documents ORDER BY id").fetchall()
    finally:
        con.close()


def test_explain_reads_only_the_part_of_its_document(tmp_path: Path) -> None:
    raw, clean, config = tmp_path / "raw", tmp_path / "clean", tmp_path / "c.yaml"
    config.write_text("run:\n  shard_files: 4\n", encoding="utf-8")
    write_pages(raw, "harbor", range(20))
    run(raw, clean, config)
    parts = manifest(clean)["parts"]
    mine, other = parts[0], parts[-1]
    reject = next(read_records(clean / "current", "rejects", mine["files"]["rejects"]))
    for name in other["files"]["rejects"] + other["files"]["paragraphs"]:  # damage another part's files
        path = clean / "current" / name
        path.unlink()  # a hard link may be shared with the cache: replace, do not write through
        path.write_bytes(b"not zstandard")
    assert verify(clean / "current") is not None
    p = jinghua("explain", reject["id"], "--raw", str(raw), "--clean", str(clean))
    assert p.returncode == 0, p.stderr
    assert f"(rule {reject['rule']})" in p.stdout and reject["text"][:20] in p.stdout


def test_damaged_files_of_the_previous_version_are_written_anew(tmp_path: Path) -> None:
    """A part is linked or patched only from files that match the previous manifest."""
    raw, clean, config = tmp_path / "raw", tmp_path / "clean", tmp_path / "c.yaml"
    config.write_text("run:\n  shard_files: 4\n", encoding="utf-8")
    write_pages(raw, "harbor", range(24))
    run(raw, clean, config)
    for name in [f["file"] for f in manifest(clean)["shards"]][::2]:
        path = clean / "current" / name
        path.unlink()
        path.write_bytes(b"damaged")
    copy = f"{TOPICS[1]}这是harbor第4篇稿件的第1段。"  # an old paragraph, repeated: its part is patched
    (raw / "harbor" / "0099.txt").write_text(f"转载\n{copy}\n", encoding="utf-8")
    run(raw, clean, config)
    assert verify(clean / "current") is None
    fresh = tmp_path / "fresh"
    run(raw, fresh, config)
    same_files(clean, fresh)
    assert catalog_rows(clean / "current" / "catalog.sqlite") == catalog_rows(fresh / "current" / "catalog.sqlite")
    assert catalog_parts(clean) == catalog_parts(fresh)


def test_two_workers_write_the_parts_in_two_processes_and_publish_what_one_does(tmp_path: Path) -> None:
    raw, config = tmp_path / "raw", tmp_path / "c.yaml"
    config.write_text("run:\n  shard_files: 4\n", encoding="utf-8")
    write_pages(raw, "harbor", range(24))
    write_pages(raw, "valley", range(24))
    one, two = tmp_path / "one", tmp_path / "two"
    run(raw, one, config)
    p = jinghua("run", "--raw", str(raw), "--clean", str(two), "--config", str(config), "--workers", "2")
    assert p.returncode == 0, p.stderr
    assert len(manifest(two)["parts"]) >= 4
    same_files(two, one)
    assert catalog_rows(two / "current" / "catalog.sqlite") == catalog_rows(one / "current" / "catalog.sqlite")
    assert catalog_parts(two) == catalog_parts(one)
    hits = [[h["text"] for h in search(c / "current" / "catalog.sqlite", "valley第23篇稿件")] for c in (two, one)]
    assert hits[0] and hits[0] == hits[1]
    assert verify(two / "current") is None
    figures = [json.loads((c / "current" / "report.json").read_text(encoding="utf-8")) for c in (one, two)]
    assert [f["paragraphs"] for f in figures] == [figures[0]["paragraphs"]] * 2
    assert not [f for f in (two / "current").iterdir() if f.name.startswith(".")]  # no temporary left


def test_a_failing_process_writing_parts_fails_the_publish_and_publishes_nothing(tmp_path: Path, monkeypatch) -> None:
    raw, clean, config = tmp_path / "raw", tmp_path / "clean", tmp_path / "c.yaml"
    config.write_text("run:\n  shard_files: 4\n", encoding="utf-8")
    write_pages(raw, "harbor", range(16))
    run(raw, clean, config)
    layout = Layout(clean)
    version = layout.current_version()
    plan = read_plan(layout.plan_file(version))
    (clean / "current").unlink()
    published = {f.name: f.read_bytes() for f in layout.version_dir(version).glob("*.jsonl.zst")}
    shutil.rmtree(layout.version_dir(version))
    parent, write = os.getpid(), batch._write_or_patch

    def fails_in_the_forked_process(*args, **kwargs):
        if os.getpid() != parent:
            raise ValueError("disk full in the second writer")
        return write(*args, **kwargs)

    monkeypatch.setattr(batch, "_write_or_patch", fails_in_the_forked_process)
    with pytest.raises(RuntimeError, match="disk full in the second writer"):
        batch.assemble(layout, plan, load_config(config), 0.0, processes=2)
    assert layout.current_version() is None and not layout.version_dir(version).exists()
    monkeypatch.setattr(batch, "_write_or_patch", write)
    batch.assemble(layout, plan, load_config(config), 0.0, processes=2)
    assert {f.name: f.read_bytes() for f in layout.version_dir(version).glob("*.jsonl.zst")} == published


def test_keys_read_back_as_derived_and_lost_or_damaged_keys_are_derived_again(tmp_path: Path) -> None:
    """A shard's packed keys read back equal to the keys derived from its documents (site, where
    each short line stands, order, ids, paragraph keys, signatures); keys lost, damaged or in an
    earlier version's format are derived again from the shard, and the corpus is the same."""
    raw, clean, config = tmp_path / "raw", tmp_path / "clean", tmp_path / "c.yaml"
    config.write_text("run:\n  shard_files: 4\n", encoding="utf-8")
    write_pages(raw, "harbor", range(12))
    write_pages(raw, "valley", range(12))
    (raw / "valley" / "0100.txt").write_bytes((raw / "harbor" / "0003.txt").read_bytes())  # a repost: dedup keys
    run(raw, clean, config)
    layout, settings = Layout(clean), load_config(config)
    plan = read_plan(layout.plan_file(layout.current_version()))
    derived = {key: [batch.document_shard_keys(r, settings) for r in batch.iter_shard(layout.shard_file(key))]
               for key in plan.shards}
    assert {key: batch._keys(layout, key, settings) for key in plan.shards} == derived
    assert any(s.lines for keys in derived.values() for s, _ in keys)  # site-chrome lines were packed too
    assert any(d.signature for keys in derived.values() for _, d in keys)
    first, second, third, fourth = damaged = sorted(plan.shards)[:4]
    layout.keys_file(first).unlink()
    layout.keys_file(second).write_bytes(layout.keys_file(second).read_bytes()[:-9])  # cut short
    write_keys(layout.keys_file(third), b'[["harbor", true, [["%s", "head"]]]]' % (b"00" * 20))  # the old JSON
    flipped = bytearray(layout.keys_file(fourth).read_bytes())
    flipped[len(flipped) // 2] ^= 0x01
    layout.keys_file(fourth).write_bytes(flipped)
    assert {key: batch._keys(layout, key, settings) for key in damaged} == {key: derived[key] for key in damaged}
    published = {f.name: f.read_bytes() for pattern in RECORD_GLOBS for f in (clean / "current").glob(pattern)}
    (clean / "current").unlink()
    shutil.rmtree(layout.versions)
    assert "cleaned 0 files" in run(raw, clean, config)  # published again from the cache, keys derived where lost
    assert {f.name: f.read_bytes() for pattern in RECORD_GLOBS for f in (clean / "current").glob(pattern)} == published
