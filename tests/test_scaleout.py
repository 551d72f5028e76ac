"""Scale-out against a real ``luigid``: three workers share one clean/ and one is killed mid-shard.

The scheduler runs on a free loopback port with its own state file and a config that detects a dead
worker in seconds rather than minutes (``worker_disconnect_delay``, ``retry_delay``,
``prune_on_get_work``). The corpus is generated here: a few hundred GBK, Big5 and UTF-8 pages in
about 16 shards, some reposted under other names (cross-shard duplicates) and two that are not text.

"No shard is done twice" is checked three ways: a watcher sees every shard file appear once and
never be replaced; luigid names one worker per shard, and the victim only for shards written before
the kill; the stats count every file once (a killed shard is redone whole: the shard is the unit).
"Only one worker publishes": one version, ``current`` switched once, luigid names a survivor.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_config
from pipeline.script import get_converter
from pipeline.store import Layout, inventory, make_plan, read_stats

from .conftest import ROOT, jinghua

RECORD_GLOBS = ("paragraphs-*.jsonl.zst", "documents-*.jsonl.zst", "rejects-*.jsonl.zst")
SHARD_FILES = 25  # about 16 shards of the 400 files
LUIGI_CFG = """\
[scheduler]
worker_disconnect_delay = 4
retry_delay = 1
prune_on_get_work = true

[worker]
wait_interval = 0.2
wait_jitter = 0.3
max_keep_alive_idle_duration = 5
"""

PLACES = ["东城区", "西湖镇", "北港新区", "南山街道", "河西村", "新桥开发区", "老城区", "滨江片区", "青石乡"]
SUBJECTS = ["市政府", "交通局", "气象台", "教育部门", "当地居民", "农业合作社", "港口管理处", "科技园区",
            "文化中心", "铁路部门", "环保志愿者", "医院急诊科", "图书馆", "消防队", "渔业协会"]
VERBS = ["宣布", "启动", "完成", "讨论", "公布", "推进", "调整", "评估", "举办", "修订"]
OBJECTS = ["新的公交线路", "夏季防汛方案", "老旧小区改造计划", "春季植树活动", "社区医疗服务", "历史街区保护规划",
           "农产品展销会", "港口扩建工程", "中小学课程安排", "夜间市场管理办法", "城市绿道建设", "水库安全检查"]
DETAILS = ["预计明年年底前全部完成", "相关部门表示将持续跟进", "不少市民对此表示欢迎", "专家认为还需进一步论证",
           "项目总投资约为{n}亿元", "首批{n}个试点已经确定", "覆盖人口超过{n}万人", "工作人员连续加班{n}天",
           "计划分{n}个阶段实施", "现场共有{n}名志愿者参与"]


def make_corpus(raw: Path, files: int = 400) -> None:
    """News-like pages under seven site directories; every 25th reposts an earlier page's text."""
    rng = random.Random(20240611)
    to_traditional = get_converter("s2tw").convert
    bodies: list[list[str]] = []
    for i in range(files):
        def sentence() -> str:
            detail = rng.choice(DETAILS).format(n=rng.randint(2, 98))
            return f"{rng.choice(PLACES)}{rng.choice(SUBJECTS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{detail}。"

        body = bodies[i - 13] if i % 25 == 24 else \
            ["".join(sentence() for _ in range(rng.randint(3, 7))) for _ in range(rng.randint(12, 24))]
        bodies.append(body)
        site = raw / f"site{i % 7}"
        site.mkdir(parents=True, exist_ok=True)
        if i % 4 == 0:
            (site / f"{i:04d}.txt").write_bytes("\n\n".join(body).encode("gbk"))
        elif i % 4 == 1:
            page = "".join(f"<p>{p}</p>" for p in body)
            html = f"<html><head><meta charset='utf-8'><title>新闻 {i}</title></head><body>{page}</body></html>"
            (site / f"{i:04d}.html").write_bytes(html.encode("utf-8"))
        elif i % 4 == 2:
            (site / f"{i:04d}.txt").write_bytes("\n\n".join(to_traditional(p) for p in body).encode("big5"))
        else:
            (site / f"{i:04d}.txt").write_bytes("\n\n".join(body).encode("utf-8"))
    (raw / "site0" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (raw / "site1" / "blob.bin").write_bytes(bytes(rng.randrange(256) for _ in range(3000)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.02) -> Any:
    """Poll until ``condition()`` is truthy and return it; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def task_list(port: int, status: str) -> dict[str, dict[str, Any]]:
    """luigid's tasks in one status (``/api/task_list``), keyed by task id."""
    query = urllib.parse.quote(json.dumps({"status": status, "upstream_status": ""}))
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/task_list?data={query}", timeout=5) as r:
        return json.loads(r.read())["response"]


def ran_by(task: dict[str, Any]) -> int | None:
    """The pid in the id of the worker luigid gave the task to; None for a task a worker found
    complete without running it (luigid forgets the worker of a task it fails when that worker
    dies: a shard the victim wrote before the kill, in the batch it was killed in)."""
    return int(re.search(r"pid=(\d+)\)", task["worker_running"])[1]) if task["worker_running"] else None


def answers(port: int, luigid: subprocess.Popen[bytes], log: Path) -> bool:
    if luigid.poll() is not None:
        pytest.fail(f"luigid exited: {log.read_text()[-2000:]}")
    try:
        task_list(port, "DONE")
    except OSError:
        return False
    return True


class Watcher(threading.Thread):
    """Records each shard file and the ``current`` link as first seen, and whether either is ever
    replaced afterwards (a rename into place gives a new inode)."""

    def __init__(self, layout: Layout) -> None:
        super().__init__(daemon=True)
        self.layout = layout
        self.first: dict[str, tuple[int, int]] = {}  # name -> (inode, mtime_ns)
        self.replaced: set[str] = set()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.005):
            paths = [Path(e.path) for e in os.scandir(self.layout.shards) if e.name.endswith(".jsonl.zst")]
            for path in [*paths, self.layout.current]:
                try:
                    st = path.lstat()
                except FileNotFoundError:
                    continue
                if self.first.setdefault(path.name, (st.st_ino, st.st_mtime_ns)) != (st.st_ino, st.st_mtime_ns):
                    self.replaced.add(path.name)


def test_three_workers_one_killed_publish_once_and_match_a_local_run(tmp_path: Path) -> None:
    raw, clean, reference = tmp_path / "raw", tmp_path / "clean", tmp_path / "reference"
    make_corpus(raw)
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"run:\n  shard_files: {SHARD_FILES}\n")
    luigi_cfg = tmp_path / "luigi.cfg"
    luigi_cfg.write_text(LUIGI_CFG)
    config = load_config(config_file)
    files = inventory(raw, config["input"]["max_bytes"])
    plan = make_plan(files, config.hash, SHARD_FILES)
    assert len(plan.shards) >= 8

    # Leftovers of workers killed while writing, in an earlier attempt: a half shard, a half version.
    layout = Layout(clean)
    layout.prepare()
    first_key = sorted(plan.shards)[0]
    half_shard = layout.shards / f"{first_key}.jsonl.zst-luigi-tmp-0123456789"
    half_shard.write_bytes(b"\x1f\x8b half")
    half_version = layout.versions / f".{plan.id}.x1y2z3"
    half_version.mkdir()
    (half_version / "paragraphs-00000.jsonl.zst").write_bytes(b"half")

    port, logs = free_port(), ExitStack()
    (tmp_path / "luigid").mkdir()

    def log(name: str) -> Any:
        return logs.enter_context(open(tmp_path / name, "wb"))

    env = {**os.environ, "LUIGI_CONFIG_PATH": str(luigi_cfg)}
    luigid = subprocess.Popen(
        [str(Path(sys.executable).parent / "luigid"), "--address", "127.0.0.1", "--port", str(port),
         "--state-path", str(tmp_path / "luigid" / "state.pickle"), "--logdir", str(tmp_path / "luigid")],
        env=env, stdout=log("luigid.out"), stderr=subprocess.STDOUT, start_new_session=True)
    command = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--clean", str(clean),
               "--config", str(config_file), "--scheduler-host", "127.0.0.1", "--scheduler-port", str(port)]
    workers: list[subprocess.Popen[bytes]] = []
    watcher = Watcher(layout)
    try:
        wait_for(lambda: answers(port, luigid, tmp_path / "luigid.out"), 15, "luigid to answer", interval=0.1)
        watcher.start()
        for n in range(3):
            workers.append(subprocess.Popen(
                command, cwd=ROOT, env=env, start_new_session=True,
                stdout=log(f"worker{n}.out"), stderr=log(f"worker{n}.err")))
        victim, survivors = workers[2], workers[:2]

        def victim_mid_shard() -> tuple[str, int, int] | None:
            """(shard key, files done, files) of a shard the victim is running, at most a quarter
            done (the rest of the shard outlasts the poll and the kill, also on a loaded host)."""
            for task in task_list(port, "RUNNING").values():
                message = re.fullmatch(r"shard (\w+): (\d+)/(\d+) files", task["status_message"] or "")
                if f"pid={victim.pid})" in (task["worker_running"] or "") and message:
                    done, total = int(message[2]), int(message[3])
                    assert 0 <= task["progress_percentage"] <= 100  # Luigi's progress is visible too
                    if 0 < done <= total // 4:
                        return message[1], done, total
            return None

        killed_key, killed_done, killed_total = wait_for(victim_mid_shard, 30, "the victim to be mid-shard")
        os.killpg(victim.pid, signal.SIGKILL)
        killed_at = time.time_ns()
        assert victim.wait(timeout=10) == -signal.SIGKILL
        assert not layout.shard_file(killed_key).exists(), "the kill did not land mid-shard"

        for w in survivors:
            w.wait(timeout=45)
        outputs = [(tmp_path / f"worker{n}.out").read_text() for n in range(3)]
        errors = [(tmp_path / f"worker{n}.err").read_text() for n in range(3)]
        for n, w in enumerate(survivors):
            assert w.returncode == 0, errors[n]
            assert outputs[n].startswith(f"files {len(files)} ("), outputs[n]
            assert "with the workers of luigid 127.0.0.1" in outputs[n] and "corpus: " in outputs[n]
            assert re.search(r"^cleaning: (\d+)/\1 shards \(100%\)$", errors[n], re.M), errors[n]
        watcher.stop.set()
        watcher.join(timeout=5)

        # Published once: one version, `current` points to it, the half-written one is gone.
        assert sorted(p.name for p in layout.versions.iterdir()) == [plan.id]
        assert os.readlink(clean / "current") == f"versions/{plan.id}"
        # Only complete shard files are left: no temporary of the victim, nor the planted one.
        assert sorted(p.name for p in layout.shards.iterdir()) == sorted(
            name for key in plan.shards for name in (f"{key}.jsonl.zst", f"{key}.keys.zst", f"{key}.stats.json"))

        # No shard done twice: each appeared once and was never replaced; the killed one after the kill.
        assert set(watcher.first) == {layout.shard_file(key).name for key in plan.shards} | {"current"}
        assert not watcher.replaced
        assert watcher.first[layout.shard_file(killed_key).name][1] > killed_at
        # luigid: every task DONE, each run by one worker; the victim only finished shards before the kill.
        done = task_list(port, "DONE")
        # (a worker takes shards in batches: the batch is a task of its own, its shards are DONE with it)
        shards = {t["params"]["shard_key"]: t for t in done.values()
                  if t["name"] == "CleanShard" and t["params"]["shard_key"] in plan.shards}
        assert set(shards) == set(plan.shards)
        assert {ran_by(t) for t in shards.values()} <= {w.pid for w in workers} | {None}
        for key, task in shards.items():
            if ran_by(task) in (victim.pid, None):
                assert watcher.first[layout.shard_file(key).name][1] < killed_at
        assert ran_by(shards[killed_key]) in {w.pid for w in survivors}
        (publish,) = [t for t in done.values() if t["name"] == "Publish"]
        assert publish["params"]["plan_id"] == plan.id and ran_by(publish) in {w.pid for w in survivors}
        # The stats count every file once: the killed shard was redone whole by a survivor.
        stats = {key: read_stats(layout.stats_file(key)) for key in plan.shards}
        assert 0 < killed_done < killed_total == len(plan.shards[killed_key])
        assert sum(s["files_cleaned"] + s["files_reused"] for s in stats.values()) == len(files)

        # The killed worker, started again, finds nothing to do.
        again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith("nothing new"), again.stdout
    finally:
        watcher.stop.set()
        for w in workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGKILL)
                w.wait(timeout=10)
        luigid.terminate()
        try:
            luigid.wait(timeout=10)
        except subprocess.TimeoutExpired:
            luigid.kill()
            luigid.wait(timeout=10)
        logs.close()

    # Record for record the corpus of one machine.
    local = jinghua("run", "--raw", str(raw), "--clean", str(reference), "--config", str(config_file), timeout=60)
    assert local.returncode == 0, local.stderr
    for pattern in RECORD_GLOBS:
        mine, theirs = sorted((clean / "current").glob(pattern)), sorted((reference / "current").glob(pattern))
        assert mine and [f.name for f in mine] == [f.name for f in theirs]
        for a, b in zip(mine, theirs, strict=True):
            assert a.read_bytes() == b.read_bytes(), a.name
