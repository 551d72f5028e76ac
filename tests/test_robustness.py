"""Never crash, never lose a file: bad input is quarantined with a reason or cleaned, the run exits 0
and reports it; operator errors are one line without a traceback.

One corpus of bad input (plus good pages) is built in a temporary directory and cleaned by the real
command line; the tests below check what it published. Faults that need the file system to fail
(a full disk, an unreadable directory when running as root) are injected into a CLI process.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.batch import read_raw
from pipeline.clean import clean_document
from pipeline.config import load_config
from pipeline.store import RawFile, file_sha256, fs_name, inventory, read_inventory, read_records, relpath, verify

from .conftest import ROOT, jinghua
from .test_properties import assert_accounted

PAGE = ("<html><head><title>{t}</title></head><body><h1>{t}</h1><p>{a}</p><p>{b}</p>"
        "<div class='share'>分享到：微信 微博</div></body></html>")
BODY_A = "今天上午，本市召开新闻发布会，介绍了今年以来经济运行的总体情况和下一步工作安排。"
BODY_B = "发布会上，有关负责人回答了记者提问，表示将继续加大投入力度，确保各项任务落到实处。"
MAX_BYTES = 6_000_000  # the corpus's config: the 5 MB line is cleaned, the 64 MB file is too large

# path -> the start of its quarantine reason, or None when it must be cleaned
EXPECTED: dict[str, str | None] = {
    "good/page.html": None, "good/dump-gbk.txt": None,
    "empty.html": "empty file", "random.bin": "not text", "image.html": "not text: png image",
    "paper.html": "not text: pdf document", "archive.html": "not text: gzip archive",
    "truncated-utf8.txt": None, "truncated-gbk.txt": None, "nul-bytes.txt": None,
    "one-line-5mb.txt": None, "huge.txt": "too large", "deep.html": None, "chrome-only.html": None,
    "pipes.txt": None, "crumbs.txt": None, "crumbs.html": None, "unclosed-tags.html": None,
    "site/\\xd0\\xc2\\xce\\xc5.txt": None, "new\nline.txt": None, "back\\x5cx41slash.txt": None,
    "dangling.html": "dangling symlink", "outside.html": "symlink pointing outside raw/",
    "outside-dir": "symlink pointing outside raw/", "linked-dir": "symlink to a directory",
    "loop-a": "symlink loop", "loop-b": "symlink loop", "fifo": "not a regular file",
}


def write_bad_corpus(base: Path) -> Path:
    """raw/ full of bad input beside a few good pages, and things outside it that links point to."""
    raw = base / "raw"
    (raw / "good").mkdir(parents=True)
    (raw / "good" / "page.html").write_text(PAGE.format(t="本市召开新闻发布会", a=BODY_A, b=BODY_B), encoding="utf-8")
    (raw / "good" / "dump-gbk.txt").write_bytes(f"经济运行总体平稳\n\n{BODY_B}\n相关推荐\n".encode("gbk"))
    (raw / "empty.html").write_bytes(b"")
    (raw / "random.bin").write_bytes(random.Random(7).randbytes(4096))
    (raw / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (raw / "paper.html").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    (raw / "archive.html").write_bytes(gzip.compress(PAGE.encode(), mtime=0))
    (raw / "truncated-utf8.txt").write_bytes(("截断的UTF-8文本，" + BODY_A).encode()[:-1])
    (raw / "truncated-gbk.txt").write_bytes(("截断的GBK文本，" + BODY_A).encode("gbk")[:-1])
    (raw / "nul-bytes.txt").write_bytes(f"含有空字节\x00的一行，{BODY_A}\n第二\x00\x00行文字。".encode())
    (raw / "one-line-5mb.txt").write_bytes(("单行文件，" + BODY_B).encode() * 37_000)
    with open(raw / "huge.txt", "wb") as f:
        f.truncate(64 << 20)  # sparse: no disk, and reading it whole would show in the run's time
    (raw / "deep.html").write_bytes(b"<html><body>" + b"<div>" * 100_000 + "深层的文字。".encode()
                                    + b"</div>" * 100_000 + b"</body></html>")
    (raw / "chrome-only.html").write_text(
        "<html><body><div>手机版</div><div>微信扫一扫</div><div>打印 纠错</div>"
        "<div>收听本文 00:00/00:00</div></body></html>", encoding="utf-8")
    (raw / "pipes.txt").write_text("| " * 50_000, encoding="utf-8")
    (raw / "crumbs.txt").write_text("首页 > " * 20_000, encoding="utf-8")
    (raw / "crumbs.html").write_text("<html><body><p>" + "首页 &gt; " * 20_000 + "</p></body></html>",
                                     encoding="utf-8")
    (raw / "unclosed-tags.html").write_text("<html><body><p>" + "<b" * 50_000 + "</p></body></html>",
                                            encoding="utf-8")
    (raw / "site").mkdir()
    (raw / "site" / os.fsdecode("新闻.txt".encode("gbk"))).write_text("文件名是GBK编码的。", encoding="utf-8")
    (raw / "new\nline.txt").write_text("文件名里有换行符。", encoding="utf-8")
    (raw / "back\\x41slash.txt").write_text("文件名里有像转义的反斜杠。", encoding="utf-8")
    (raw / "dangling.html").symlink_to(raw / "gone.html")
    (base / "outside").mkdir()
    (base / "outside" / "page.html").write_text(PAGE.format(t="外部", a=BODY_A, b=BODY_B), encoding="utf-8")
    (raw / "outside.html").symlink_to(base / "outside" / "page.html")
    (raw / "outside-dir").symlink_to(base / "outside")
    (raw / "linked-dir").symlink_to(raw / "good")
    (raw / "loop-a").symlink_to(raw / "loop-b")
    (raw / "loop-b").symlink_to(raw / "loop-a")
    os.mkfifo(raw / "fifo")  # opening it would block the run forever
    return raw


def listing(base: Path, skip: tuple[Path, ...]) -> dict[bytes, tuple[int, int, int]]:
    """Every entry under ``base`` (bytes path -> mode, size, mtime), except the trees in ``skip``."""
    out = {}
    skipped = {os.fsencode(p) for p in skip}
    for top, dirs, files in os.walk(os.fsencode(base)):
        dirs[:] = [d for d in dirs if os.path.join(top, d) not in skipped]
        for name in dirs + files:
            st_ = os.lstat(os.path.join(top, name))
            out[os.path.join(top, name)] = (st_.st_mode, st_.st_size, st_.st_mtime_ns)
    return out


def found_under(raw: Path) -> list[bytes]:
    """What ``raw`` holds, as bytes paths: files, links (to directories too) and other entries."""
    found = []
    for top, dirs, files in os.walk(os.fsencode(raw)):
        links = [d for d in dirs if os.path.islink(os.path.join(top, d))]
        found += [os.path.relpath(os.path.join(top, n), os.fsencode(raw)) for n in files + links]
    return sorted(found)


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("bad")
    raw = write_bad_corpus(base)
    config = base / "config.yaml"
    config.write_text(f"input:\n  max_bytes: {MAX_BYTES}\n", encoding="utf-8")
    clean, cache = base / "clean", base / "cache"
    before = listing(base, (clean, cache))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JINGHUA_CACHE", str(cache))
        started = time.monotonic()
        p = jinghua("run", "--raw", str(raw), "--clean", str(clean), "--config", str(config), timeout=240)
        seconds = time.monotonic() - started
    assert p.returncode == 0, p.stderr
    current = clean / "current"
    documents = list(read_records(current, "documents"))
    records = {doc["id"]: {"document": doc, "paragraphs": [], "rejects": []} for doc in documents}
    for kind in ("paragraphs", "rejects"):
        for rec in read_records(current, kind):
            records[rec["doc_id"]][kind].append(rec)
    return {"base": base, "raw": raw, "clean": clean, "current": current, "stdout": p.stdout,
            "before": before, "after": listing(base, (clean, cache)), "seconds": seconds,
            "config": load_config(config), "documents": documents, "records": records,
            "docs": {r["document"]["path"]: r["document"] for r in records.values()}}


def test_run_exits_0_and_reports_every_quarantined_file(bad) -> None:
    assert verify(bad["current"]) is None
    quarantined = {path: d["reason"] for path, d in bad["docs"].items() if d["status"] == "quarantined"}
    assert set(quarantined) == {path for path, why in EXPECTED.items() if why}
    for path, reason in quarantined.items():
        assert reason.startswith(EXPECTED[path]), (path, reason)
        assert f"quarantined {path}: {reason}" in bad["stdout"]
    report = json.loads((bad["current"] / "report.json").read_text(encoding="utf-8"))
    assert {q["path"] for q in report["quarantined"]} == set(quarantined)


def test_every_file_under_raw_is_one_document_with_a_relative_path(bad) -> None:
    docs = bad["documents"]
    assert sorted(d["path"] for d in docs) == sorted(EXPECTED)
    assert sorted(fs_name(d["path"]) for d in docs) == found_under(bad["raw"])  # each once, named as on disk
    for d in docs:
        assert not d["path"].startswith("/") and ".." not in d["path"].split("/")
        assert d["status"] == "ok" or d["reason"]


def test_every_line_of_every_ok_document_is_accounted_for(bad) -> None:
    checked = 0
    for result in bad["records"].values():
        doc = result["document"]
        if doc["status"] != "ok":
            continue
        data = (bad["raw"] / os.fsdecode(fs_name(doc["path"]))).read_bytes()
        assert_accounted(data, result, bad["config"])
        for rec in result["paragraphs"] + result["rejects"]:
            assert rec["source"]["path"] == doc["path"] and rec["source"]["sha256"] == doc["sha256"]
        checked += 1
    assert checked == sum(why is None for why in EXPECTED.values())


def test_bad_input_is_cleaned_as_far_as_it_goes(bad) -> None:
    docs, records = bad["docs"], bad["records"]

    def texts(path: str) -> list[str]:
        return [p["text"] for p in records[docs[path]["id"]]["paragraphs"]]

    assert docs["chrome-only.html"]["paragraphs"] == 0 and docs["chrome-only.html"]["rejects"] >= 4
    assert "深层的文字。" in texts("deep.html")
    assert docs["one-line-5mb.txt"]["paragraphs"] == 1
    assert any("空字节的一行" in t for t in texts("nul-bytes.txt")) and "第二行文字。" in texts("nul-bytes.txt")
    assert texts("site/\\xd0\\xc2\\xce\\xc5.txt") == ["文件名是GBK编码的。"]
    assert texts("back\\x5cx41slash.txt") == ["文件名里有像转义的反斜杠。"]
    assert docs["huge.txt"]["size"] == 64 << 20
    for result in records.values():
        for p in result["paragraphs"]:
            assert "\ufffd" not in p["text"] or "unrepaired-corruption" in p["flags"], p["id"]
    assert any("unrepaired-corruption" in p["flags"] for p in records[docs["truncated-gbk.txt"]["id"]]["paragraphs"])


def test_nothing_is_written_outside_clean(bad) -> None:
    assert bad["after"] == bad["before"]
    assert not (bad["raw"] / "gone.html").exists()
    assert list((bad["base"] / "cache").iterdir()), "compiled data goes to $JINGHUA_CACHE, here inside tmp"


def test_pathological_pages_finish_fast(bad) -> None:
    assert bad["seconds"] < 120  # a quadratic regex on any of them would take many minutes


PAGE_HEAD = "<html><body>"


@pytest.mark.parametrize("text", [
    "| " * 50_000, "首页 > " * 20_000, PAGE_HEAD + "<p>" + "首页 &gt; " * 20_000, PAGE_HEAD + "<b" * 50_000,
    PAGE_HEAD + "<meta " * 20_000, PAGE_HEAD + '<p class="' * 10_000, PAGE_HEAD + "<!" * 50_000,
    PAGE_HEAD + "<?" * 50_000, PAGE_HEAD + "<script " * 20_000, PAGE_HEAD + "<div>" * 100_000 + "深层。",
], ids=["pipes", "crumbs", "crumbs-html", "unclosed-tags", "unclosed-meta", "unclosed-attributes",
        "bogus-comments", "bogus-instructions", "unclosed-script", "deep"])
def test_chrome_that_could_backtrack_is_cleaned_in_linear_time(config, text: str) -> None:
    clean_document("预热。".encode(), "warm.txt", config)
    started = time.perf_counter()
    result = clean_document(text.encode(), "page.html", config)
    assert time.perf_counter() - started < 3
    assert result.document["status"] == "ok"


@pytest.mark.parametrize("charset", ["undefined", "punycode", "utf-7", "cp037", "utf-16", "idna"])
def test_a_declared_charset_that_cannot_be_meant_is_not_believed(config, charset: str) -> None:
    page = f'<html><head><meta charset="{charset}"></head><body><p>{BODY_A}</p><p>Plain ASCII too.</p></body></html>'
    result = clean_document(page.encode(), "page.html", config)
    assert result.document["declared_charset"] == charset and result.document["encoding"] == "utf-8"
    assert [p["text"] for p in result.paragraphs] == [BODY_A, "Plain ASCII too."]


def test_rule_patterns_never_see_lines_longer_than_their_max_chars(tmp_path: Path) -> None:
    """A catastrophically backtracking pattern is harmless: no line beyond its max_chars reaches it."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "slow.yaml").write_text(
        "pack: slow\nrules:\n  - id: backtracks\n    pattern: '^(a|aa)+$'\n    max_chars: 16\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("boilerplate:\n  packs: [rules/slow.yaml]\n", encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("aaaaaaaaaaaa\n" + "a" * 60 + "!\n" + "a" * 100_000 + "!\n", encoding="utf-8")
    p = jinghua("clean", str(page), "--all", "--config", str(tmp_path / "c.yaml"), timeout=60)
    assert p.returncode == 0, p.stderr
    records = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["reject"]["rule"] for r in records if "reject" in r] == ["slow/backtracks"]


# --- reading: too-large files, names that are not UTF-8 ----------------------------------------

def test_too_large_files_are_never_read_whole(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    with open(raw / "huge.html", "wb") as f:
        f.truncate(64 << 20)
    tracemalloc.start()
    try:
        [f] = inventory(raw, max_bytes=1 << 20)
        data, problem = read_raw(raw, f, 1 << 20)
        grown = RawFile("huge.html", 100, f.sha256)  # listed small, grown since: read no further than the limit
        _, grown_problem = read_raw(raw, grown, 1 << 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data is None and problem == f"too large: {64 << 20} bytes > input.max_bytes"
    assert grown_problem.startswith("changed since inventory")
    assert peak < 8 << 20, f"peak {peak} bytes"


def test_a_too_large_files_hash_covers_its_size(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for path, size in ((a, 3 << 20), (b, 4 << 20)):
        with open(path, "wb") as f:
            f.truncate(size)
    assert file_sha256(a, 1000) != file_sha256(b, 1000)  # the same first bytes, but another file
    small = tmp_path / "small"
    small.write_bytes(b"x" * 3000)
    assert file_sha256(small, 3000) == file_sha256(small) == hashlib.sha256(b"x" * 3000).hexdigest()


NAME_PARTS = st.sampled_from([b"a", b"x", b"4", b"1", b"\\", b"\\x4", b"\\x41", b"\xd0", b"\xc2", b"\xff",
                              "新闻".encode(), "新闻".encode("gbk"), b" ", b"\n", b"."])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(NAME_PARTS, min_size=1, max_size=8).map(b"".join), min_size=1, max_size=3))
def test_relpath_names_every_file_and_fs_name_finds_it_again(parts: list[bytes]) -> None:
    name = b"/".join(b"_" + p for p in parts)  # no empty, "." or ".." components
    rel = relpath(Path(os.fsdecode(b"raw/" + name)), Path("raw"))
    assert fs_name(rel) == name
    assert rel.encode("utf-8")  # a valid string for JSON records


# --- unreadable directories ---------------------------------------------------------------------

def run_patched(patch: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line in a process where ``patch`` (Python source) has replaced something first."""
    code = f"import errno, os, sys\n{patch}\nfrom pipeline.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=240)


def small_raw(base: Path) -> Path:
    raw = base / "raw"
    (raw / "locked").mkdir(parents=True)
    (raw / "page.txt").write_text(BODY_A + "\n", encoding="utf-8")
    (raw / "locked" / "inside.txt").write_text(BODY_B + "\n", encoding="utf-8")
    return raw


def test_unreadable_directory_is_quarantined(tmp_path: Path) -> None:
    raw = small_raw(tmp_path)
    (raw / "locked").chmod(0)
    try:
        if os.access(raw / "locked", os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reads (see the simulated case below)")
        p = jinghua("run", "--raw", str(raw), "--clean", str(tmp_path / "clean"))
    finally:
        (raw / "locked").chmod(0o755)
    assert p.returncode == 0, p.stderr
    assert "quarantined locked: unreadable directory: Permission denied" in p.stdout


def test_unreadable_directory_is_quarantined_simulated(tmp_path: Path) -> None:
    """The same, for root: listing the directory fails as it would for anyone else."""
    raw = small_raw(tmp_path)
    patch = f"""
real_scandir = os.scandir
def scandir(path=".", *a):
    if os.fsdecode(path) == {str(raw / "locked")!r}:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    return real_scandir(path, *a)
os.scandir = scandir
"""
    p = run_patched(patch, "run", "--raw", str(raw), "--clean", str(tmp_path / "clean"))
    assert p.returncode == 0, p.stderr
    assert "files 2 (ok 1, quarantined 1)" in p.stdout
    assert "quarantined locked: unreadable directory: Permission denied" in p.stdout


# --- operator errors: one line naming the problem, non-zero exit, no traceback ----------------------

def one_line_error(p: subprocess.CompletedProcess[str], *words: str) -> None:
    assert p.returncode != 0
    lines = [line for line in p.stderr.splitlines() if not line.startswith("cleaning: ")]
    assert len(lines) == 1 and lines[0].startswith("jinghua: "), p.stderr
    assert all(w in lines[0] for w in words), lines[0]
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize("text,words", [
    ("repair:\n  fixs: []\n", ("unknown key 'repair.fixs'",)),
    ("script:\n  target: t2x\n", ("script.target 't2x' is not an OpenCC config",)),
])
def test_bad_config_on_the_command_line(tmp_path: Path, text: str, words: tuple[str, ...]) -> None:
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "raw").mkdir()
    p = jinghua("run", "--config", str(tmp_path / "bad.yaml"), "--raw", str(tmp_path / "raw"),
                "--clean", str(tmp_path / "clean"))
    one_line_error(p, str(tmp_path / "bad.yaml"), *words)
    assert not (tmp_path / "clean").exists()


def test_clean_dir_not_writable(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "file.txt").write_text("a file, not a directory")
    clean = tmp_path / "file.txt" / "clean"
    p = jinghua("run", "--raw", str(tmp_path / "raw"), "--clean", str(clean))
    one_line_error(p, "clean directory not writable", str(clean))
    debug = jinghua("--debug", "run", "--raw", str(tmp_path / "raw"), "--clean", str(clean))
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "StoreError" in debug.stderr


FULL = "def full(*args, **kwargs):\n    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"


@pytest.fixture
def published(tmp_path: Path) -> dict[str, Path]:
    """A published corpus, and a new raw file so that the next run has work to do."""
    raw = small_raw(tmp_path)
    clean = tmp_path / "clean"
    assert jinghua("run", "--raw", str(raw), "--clean", str(clean)).returncode == 0
    (raw / "new.txt").write_text(BODY_A.replace("本市", "全省") + "\n", encoding="utf-8")
    return {"raw": raw, "clean": clean, "previous": Path(os.readlink(clean / "current"))}


def recovers(published: dict[str, Path]) -> None:
    """The published corpus is untouched, and the next run, with the fault gone, publishes."""
    clean = published["clean"]
    assert Path(os.readlink(clean / "current")) == published["previous"] and verify(clean / "current") is None
    p = jinghua("run", "--raw", str(published["raw"]), "--clean", str(clean))
    assert p.returncode == 0, p.stderr
    assert "files 3 (ok 3, quarantined 0)" in p.stdout


def test_disk_full_while_planning(published) -> None:
    p = run_patched(FULL + "import pipeline.store\npipeline.store.write_atomic = full",
                    "run", "--raw", str(published["raw"]), "--clean", str(published["clean"]))
    one_line_error(p, "No space left on device")
    recovers(published)


def test_disk_full_while_writing_a_shard(published) -> None:
    p = run_patched(FULL + "import pipeline.tasks\npipeline.tasks.write_shard = full",
                    "run", "--raw", str(published["raw"]), "--clean", str(published["clean"]))
    one_line_error(p, "No space left on device")
    recovers(published)


def test_corrupt_plan_in_cache_is_redone(published) -> None:
    for plan in (published["clean"] / "cache" / "plans").glob("*.json"):
        plan.write_text('{"id": "trunc', encoding="utf-8")
    p = jinghua("rebuild", "--raw", str(published["raw"]), "--clean", str(published["clean"]))
    assert p.returncode == 0, p.stderr
    assert "files 3 (ok 3, quarantined 0)" in p.stdout


def test_corrupt_shard_in_cache_is_redone(published) -> None:
    for shard in (published["clean"] / "cache" / "shards").glob("*.jsonl.zst"):
        shard.write_bytes(b"not zstd")
    p = jinghua("run", "--raw", str(published["raw"]), "--clean", str(published["clean"]))
    assert p.returncode == 0, p.stderr
    assert "files 3 (ok 3, quarantined 0)" in p.stdout


def test_too_many_lines_is_quarantined_before_extraction(tmp_path: Path) -> None:
    from pipeline.clean import clean_document
    from pipeline.config import load_config

    config = tmp_path / "c.yaml"
    config.write_text("input:\n  max_lines: 100\n", encoding="utf-8")
    doc = clean_document(("短\n" * 500).encode(), "many.txt", load_config(config)).document
    assert doc["status"] == "quarantined" and doc["reason"] == "too many lines or tags: 500 > input.max_lines"
    assert clean_document(("短句。\n" * 50).encode(), "few.txt", load_config(config)).document["status"] == "ok"


def test_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a free loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("今天上午，本市召开新闻发布会，介绍了夏季防汛工作的安排。\n", encoding="utf-8")
    p = jinghua("run", "--raw", str(raw), "--clean", str(tmp_path / "clean"),
                "--scheduler-host", "127.0.0.1", "--scheduler-port", str(port), timeout=60)
    one_line_error(p, "scheduler unreachable", f"127.0.0.1:{port}")


def test_cached_values_are_built_once_and_rebuilt_when_damaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.cache import cache_path, load_or_build

    monkeypatch.setenv("JINGHUA_CACHE", str(tmp_path / "cache"))
    builds = []

    def build() -> dict[str, int]:
        builds.append(1)
        return {"词": 3}

    assert load_or_build("t.pickle", build) == {"词": 3} and len(builds) == 1
    assert load_or_build("t.pickle", build) == {"词": 3} and len(builds) == 1  # from the file
    cache_path("t.pickle").write_bytes(b"\x80\x05truncated")
    assert load_or_build("t.pickle", build) == {"词": 3} and len(builds) == 2
    assert load_or_build("t.pickle", build, valid=lambda v: v == {}) == {"词": 3} and len(builds) == 3
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("JINGHUA_CACHE", str(tmp_path / "file" / "cache"))  # cannot be created: built every time
    assert load_or_build("t.pickle", build) == {"词": 3} and len(builds) == 4


def test_superseded_cache_files_do_not_pile_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.cache import KEEP, cache_dir, load_or_build

    monkeypatch.setenv("JINGHUA_CACHE", str(tmp_path / "cache"))
    for n in range(KEEP + 3):  # each version of the code builds its tables under a name of its own
        load_or_build(f"tables-{n:04x}.pickle", lambda n=n: n)
        os.utime(cache_dir() / f"tables-{n:04x}.pickle", (1000 + n, 1000 + n))
    assert load_or_build("tables-0000.pickle", lambda: -1) == -1  # pruned: built again, the newest file
    load_or_build("tables-0004.pickle", lambda: -1)  # read: marked used
    load_or_build("other-0001.pickle", lambda: "x")  # another family is left alone
    load_or_build("tables-9999.pickle", lambda: 9)
    names = sorted(p.name for p in cache_dir().glob("*.pickle"))
    assert names == ["other-0001.pickle", "tables-0000.pickle", "tables-0004.pickle", "tables-9999.pickle"]


def test_a_damaged_inventory_is_read_as_it_was_or_as_empty(published) -> None:
    """Any flipped byte of the inventory (stat and sha256 of every raw file) either changes
    nothing or makes it unreadable, so every file is hashed again: never another hash for a file,
    which would quarantine it as changed at every run."""
    path = published["clean"] / "cache" / "inventory.json.zst"
    data, original = path.read_bytes(), read_inventory(path)
    assert len(original) >= 2  # the files of the first run
    for at in range(len(data)):
        flipped = bytearray(data)
        flipped[at] ^= 0x10
        path.write_bytes(bytes(flipped))
        assert read_inventory(path) in (original, {}), at
