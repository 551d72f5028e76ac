"""The corpus as a product: incremental work, renames and deletions, rule changes, the lock,
near-duplicates and the report, through the real command line and Luigi's local scheduler."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.store import Layout, RunLock, StoreError, read_records

from .conftest import ROOT, jinghua

PARAGRAPHS = [
    "城东新建的社区图书馆本周六正式开放，馆内藏书三万余册，并设有少儿阅读区。",
    "市交通部门表示，今年将新开通十条公交线路，进一步方便市民出行。",
    "受冷空气影响，本周末全市气温将下降六到八摄氏度，请市民注意添衣保暖。",
    "在昨天举行的全市中学生运动会上，第三中学代表队获得了团体总分第一名。",
    "新建的污水处理厂投入运行后，每天可处理生活污水五万吨，出水水质达到一级标准。",
]


def page(n: int) -> str:
    body = "\n".join(f"{PARAGRAPHS[(n + i) % len(PARAGRAPHS)]}第{n}号稿件第{i}段。" for i in range(3))
    return f"网站首页\n第{n}号稿件的标题\n发布时间：2023-05-{n % 28 + 1:02d} 10:00 来源：本地新闻网\n{body}\n"


def write_pages(raw: Path, numbers: range) -> None:
    for n in numbers:
        path = raw / f"site{n % 7}" / f"{n:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(n), encoding="utf-8")


def run(raw: Path, clean: Path, *extra: str) -> str:
    p = jinghua("run", "--raw", str(raw), "--clean", str(clean), *extra)
    assert p.returncode == 0, p.stderr
    return p.stdout


def cleaned(stdout: str) -> int:
    return int(stdout.split("this run cleaned ")[1].split(" ")[0])


def docs(clean: Path) -> dict[str, dict]:
    return {d["path"]: d for d in read_records(clean / "current", "documents")}


def test_incremental_runs_clean_only_what_is_new(tmp_path: Path) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    write_pages(raw, range(1000))
    assert cleaned(run(raw, clean)) == 1000
    write_pages(raw, range(1000, 1001))
    assert cleaned(run(raw, clean)) == 1
    assert len(docs(clean)) == 1001
    (raw / "site0" / "00000.txt").unlink()
    out = run(raw, clean)
    assert cleaned(out) == 0 and "site0/00000.txt" not in docs(clean)
    (raw / "site1" / "00001.txt").rename(raw / "site1" / "renamed.txt")
    out = run(raw, clean)
    assert cleaned(out) == 0 and " 0 from the cache" not in out  # the renamed file is taken from its old shard
    after = docs(clean)
    assert "site1/00001.txt" not in after and after["site1/renamed.txt"]["paragraphs"] == 4
    write_pages(raw, range(2000, 2001))
    assert cleaned(run(raw, clean)) == 1
    assert len([p for p in (clean / "versions").iterdir() if not p.name.startswith(".")]) == 4  # current + --keep 3


def test_rename_equals_a_fresh_clean(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_pages(raw, range(20))
    run(raw, tmp_path / "a")
    (raw / "site3" / "00003.txt").rename(raw / "site3" / "moved.txt")
    run(raw, tmp_path / "a")
    run(raw, tmp_path / "b")
    for kind in ("paragraphs", "documents", "rejects"):
        a, b = tmp_path / "a" / "current", tmp_path / "b" / "current"
        assert list(read_records(a, kind)) == list(read_records(b, kind))


def test_a_rule_change_touches_only_the_records_it_concerns(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", raw)
    run(raw, tmp_path / "before")
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "configs" / "rules", rules)
    pack = rules / "portal-chrome.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("|点击收听|", "|"), encoding="utf-8")
    config = tmp_path / "c.yaml"
    packs = load_config()["boilerplate"]["packs"]  # same packs, same order, one rule edited
    config.write_text("boilerplate:\n  packs: [" + ", ".join(packs) + "]\n", encoding="utf-8")
    run(raw, tmp_path / "after", "--config", str(config))
    before = {r["id"]: r for r in read_records(tmp_path / "before" / "current", "rejects")}
    after = {r["id"]: r for r in read_records(tmp_path / "after" / "current", "rejects")}
    changed = [rid for rid in before.keys() | after.keys() if before.get(rid) != after.get(rid)]
    assert changed, "the rule change must show"
    for rid in changed:  # only the player line lost its rule (the head zone catches it now)
        assert before[rid]["rule"] == "portal-chrome/player-widget" and "点击收听" in before[rid]["text"]
        assert after[rid]["rule"] == "head-zone" and after[rid]["text"] == before[rid]["text"]
    paras_before = list(read_records(tmp_path / "before" / "current", "paragraphs"))
    paras_after = list(read_records(tmp_path / "after" / "current", "paragraphs"))
    assert [p["text"] for p in paras_before] == [p["text"] for p in paras_after]


def test_lock_refuses_a_second_run_and_takes_over_a_stale_one(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "clean")
    layout.prepare()
    with RunLock(layout), pytest.raises(StoreError, match="another run holds"):
        RunLock(layout).__enter__()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (layout.root / "run.lock").write_text(f"{dead.stdout.strip()}@{os.uname().nodename}")
    with RunLock(layout):
        assert (layout.root / "run.lock").read_text().startswith(str(os.getpid()))
    assert not (layout.root / "run.lock").exists()


def test_concurrent_runs_never_corrupt_the_corpus(tmp_path: Path) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    write_pages(raw, range(300))
    cmd = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--clean", str(clean)]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes in ([0, 0], [0, 2]), outs
    if codes == [0, 2]:
        assert any("another run holds" in err for _, err in outs)
    assert jinghua("verify", "--clean", str(clean)).returncode == 0
    assert len(docs(clean)) == 300


def test_near_duplicates_are_recorded(tmp_path: Path) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    text = "\n".join(PARAGRAPHS)
    (raw / "a").mkdir(parents=True)
    (raw / "a" / "original.txt").write_text("发布时间：2023-01-02 08:00\n" + text + "\n", encoding="utf-8")
    (raw / "a" / "reedit.txt").write_text("发布时间：2023-01-03 08:00\n" + text + "\n编辑补充了一句新的说明文字。\n",
                                          encoding="utf-8")
    other = "一场完全不同的足球比赛报道，主队在下半场连进两球逆转取胜。\n" * 3
    (raw / "a" / "other.txt").write_text(other, encoding="utf-8")
    run(raw, clean)
    d = docs(clean)
    assert d["a/reedit.txt"]["near_duplicate_of"] == d["a/original.txt"]["id"]
    assert d["a/original.txt"]["near_duplicates"] == [d["a/reedit.txt"]["id"]]
    assert "near_duplicate_of" not in d["a/other.txt"]


def test_report_renders_in_chromium(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    shutil.copytree(ROOT / "raw", raw)
    run(raw, clean)
    report = clean / "current" / "report.html"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", report.as_uri()], capture_output=True, text=True,
                         timeout=120)
    summary = json.loads((clean / "current" / "report.json").read_text(encoding="utf-8"))
    assert dom.stdout.count("<svg") >= 4 and "<rect" in dom.stdout
    assert f"<b>{summary['paragraphs']}</b>" in dom.stdout and "photo-gallery.html" in dom.stdout
    shot = tmp_path / "report.png"
    started = time.time()
    subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1000,1400", report.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 10_000, time.time() - started
