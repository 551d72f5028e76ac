"""The Luigi task graph: one ``CleanShard`` per shard of raw files (a worker takes them in batches),
one ``Publish`` over them.

Tasks are thin: they call ``batch`` functions and write through their target's temporary path,
so a killed worker leaves no partial output and its shard is simply redone. A task's identity is
its shard key (or the plan id), which already hashes the files, the config and the pipeline
version; directories are insignificant parameters, so workers on machines that mount the shared
storage at different paths still agree on task ids under one ``luigid``::

    CleanShard(shard_key=k1) ──┐
    CleanShard(shard_key=k2) ──┼──▶ Publish(plan_id) ──▶ versions/<plan_id>/ ◀── current
    ...                        │
    CleanShard(shard_key=kN) ──┘
"""

from __future__ import annotations

import functools
import shutil
import socket
import time
from pathlib import Path

import luigi
import luigi.rpc

from . import batch
from .clean import release_caches
from .config import Config, load_config
from .store import Layout, file_sha256, read_plan, read_stats, write_keys, write_shard, write_stats

_CONFIGS: dict[str, Config] = {}  # config file -> loaded config, once a process


def share_config(path: str, config: Config) -> None:
    """Hand the tasks the config the caller loaded from ``path``: the processes Luigi forks for
    tasks inherit it instead of parsing the file and compiling its rules again, each of them."""
    _CONFIGS[path] = config


def _config(path: str) -> Config:
    if path not in _CONFIGS:
        _CONFIGS[path] = load_config(path or None)
    return _CONFIGS[path]


def _remove_leftovers(directory: Path, key: str, keep: tuple[str, ...]) -> None:
    """Delete the temporaries named after ``key`` that a worker killed while writing left behind.

    A task runs on one worker at a time, so whatever is not one of its final names is stale."""
    for path in directory.glob(f"*{key}*"):
        if path.name in keep:
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


class _PlanTask(luigi.Task):
    # Under luigid a task whose worker dies or fails is retried after the scheduler's retry_delay;
    # the third failure disables it, so the waiting workers stop instead of retrying forever.
    retry_count = 3

    plan_file = luigi.Parameter(significant=False)
    clean_dir = luigi.Parameter(significant=False)
    config_file = luigi.Parameter(default="", significant=False)

    @property
    def layout(self) -> Layout:
        return Layout(Path(self.clean_dir))

    def config(self) -> Config:
        config = _config(self.config_file)
        plan = read_plan(Path(self.plan_file))
        if config.hash != plan.config_hash:
            raise RuntimeError(f"config {self.config_file or 'default'} changed since the plan was made")
        return config


class CleanShard(_PlanTask):
    """Clean the files of one shard into ``cache/shards/<key>.jsonl.zst`` (and its keys beside it).

    Luigi hands a worker several pending shards at once (a batch: their keys joined by spaces, at
    most ``max_batch_size``, see :func:`batch_size`), cleaned one after the other in one process:
    with ``--workers N`` each task runs in a process of its own, whose caches start cold. Each
    shard of a batch is written as it is done; a batch that fails fails its shards, and those not
    written are redone."""

    shard_key = luigi.Parameter(batch_method=" ".join)
    raw_dir = luigi.Parameter(significant=False)

    def output(self) -> list[luigi.LocalTarget]:
        return [luigi.LocalTarget(str(self.layout.shard_file(key))) for key in self.shard_key.split()]

    def run(self) -> None:
        plan = read_plan(Path(self.plan_file))
        config = self.config()
        sources = {sha: self.layout.shard_file(key) for sha, key in plan.sources.items()}
        todo = [(key, target) for key, target in zip(self.shard_key.split(), self.output(), strict=True)
                if not self._written(key)]
        total, done = sum(len(plan.shards[key]) for key, _ in todo), 0
        for key, target in todo:
            files = plan.shards[key]
            progress = functools.partial(self._progress, key, done, total)
            _remove_leftovers(self.layout.shards, key, ())  # not written: whatever is there is stale
            lines, keys, counts = batch.clean_shard(Path(self.raw_dir), files, config, sources, progress)
            write_keys(self.layout.keys_file(key), keys)
            with target.temporary_path() as tmp:
                write_shard(Path(tmp), lines)
                counts["shard_sha256"] = file_sha256(Path(tmp))
            write_stats(self.layout.stats_file(key), counts)
            done += len(files)

    def _progress(self, key: str, before: int, total: int, n: int, of: int) -> None:
        """Shown in the visualiser: the batch's percentage, the files of the shard in progress."""
        if n == of or n % max(1, of // 20) == 0:
            self.set_progress_percentage(round(100 * (before + n) / total))
            self.set_status_message(f"shard {key}: {n}/{of} files")

    def _written(self, key: str) -> bool:
        """Whether a shard file exists and still has the hash recorded when it was written: a
        damaged or half-copied shard is redone, not published."""
        shard = self.layout.shard_file(key)
        recorded = read_stats(self.layout.stats_file(key)).get("shard_sha256")
        return shard.is_file() and recorded == file_sha256(shard)

    def complete(self) -> bool:
        return all(self._written(key) for key in self.shard_key.split())


def batch_size(shards: int, workers: int) -> int:
    """Shards a worker takes at once: about eight batches a worker and at most eight shards. A
    forked process cleaned 6 shards one after the other in 14% less CPU than 6 processes one each
    (its caches stay warm); smaller batches end closer together, and under ``luigid`` let the
    workers of other machines have their share and cost little to redo when a worker is killed."""
    return max(1, min(8, -(-shards // (8 * max(1, workers)))))


class Publish(_PlanTask):
    """Merge every shard, dedup corpus-wide and publish ``versions/<id>``; ``current`` points there."""

    plan_id = luigi.Parameter()
    raw_dir = luigi.Parameter(significant=False)
    started = luigi.FloatParameter(default=0.0, significant=False)
    reuse = luigi.BoolParameter(default=True, significant=False)  # False: rebuild every part
    workers = luigi.IntParameter(default=1, significant=False)  # processes that may write parts at once

    def requires(self) -> list[CleanShard]:
        plan = read_plan(Path(self.plan_file))
        return [CleanShard(plan_file=self.plan_file, clean_dir=self.clean_dir, config_file=self.config_file,
                           shard_key=key, raw_dir=self.raw_dir) for key in sorted(plan.shards)]

    def complete(self) -> bool:
        return self.layout.is_current(self.plan_id)

    def run(self) -> None:
        self.set_status_message("merging shards")
        release_caches()  # what cleaning loaded is not needed for publishing
        _remove_leftovers(self.layout.versions, self.plan_id, (self.plan_id,))
        plan = read_plan(Path(self.plan_file))
        batch.assemble(self.layout, plan, self.config(), self.started or time.time(), self.reuse,
                       min(self.workers, batch.cores()))


FAILURES: list[str] = []  # why tasks failed in this process, for the one-line error of the CLI
# Seconds a worker under luigid waits without work before it starts a new round (Luigi's
# ``[worker] max_keep_alive_idle_duration`` where the Luigi config sets it): a round checks every
# shard of the plan again.
IDLE_ROUND = 60
STALLED_ROUNDS = 2  # rounds in a row with the corpus pending and no task running or failed anywhere, at most


@luigi.Task.event_handler(luigi.Event.FAILURE)
def _remember_failure(task: luigi.Task, exception: BaseException) -> None:
    name = getattr(task, "shard_key", None) or getattr(task, "plan_id", "")
    FAILURES.append(f"{task.task_family} {name}: {type(exception).__name__}: {exception}")


def build(publish: Publish, workers: int, scheduler_host: str | None, scheduler_port: int,
          verbose: bool = False, shards: int = 0) -> bool:
    """Run the graph with the local scheduler, or as one of the workers of a central ``luigid``.

    Under ``luigid`` a worker stays while shards it needs are pending or held by other workers
    (Luigi's ``keep_alive``), and while another worker publishes it waits, round after round,
    until the corpus is published; a publisher that dies meanwhile is replaced by the next round.
    A round also ends after ``IDLE_ROUND`` seconds without work: luigid can be left holding a
    shard of a killed worker's batch as pending with no worker allowed to run it (seen under load:
    every survivor waited for it forever), and a new round hands luigid the graph again, the
    shard done. A worker gives up when the corpus stays pending with no task running or waiting
    for a retry anywhere for more than ``STALLED_ROUNDS`` rounds. ``shards`` (to clean) sizes the
    batches of shards a worker takes at once. An unreachable scheduler raises
    ``ConnectionError``. Task failures are collected in ``FAILURES`` (Luigi's own log with
    tracebacks only when ``verbose``).
    """
    FAILURES.clear()
    CleanShard.max_batch_size = batch_size(shards, workers)
    kwargs: dict[str, object] = {"workers": workers, "log_level": "WARNING" if verbose else "CRITICAL",
                                 "no_lock": True}
    if not scheduler_host:
        return bool(luigi.build([publish], local_scheduler=True, **kwargs))
    socket.create_connection((scheduler_host, scheduler_port), timeout=10).close()  # fail fast
    luigi.configuration.get_config().set("worker", "keep_alive", "true")
    if not luigi.configuration.get_config().has_option("worker", "max_keep_alive_idle_duration"):
        luigi.configuration.get_config().set("worker", "max_keep_alive_idle_duration", str(IDLE_ROUND))
    scheduler = luigi.rpc.RemoteScheduler(f"http://{scheduler_host}:{scheduler_port}")
    stalled = 0
    try:
        while True:
            ok = luigi.build([publish], scheduler_host=scheduler_host, scheduler_port=scheduler_port, **kwargs)
            if publish.complete():
                return True
            status = scheduler.task_list(search=publish.plan_id).get(publish.task_id, {}).get("status")
            if not ok or status not in ("RUNNING", "FAILED", "PENDING"):  # nothing left that could publish it
                return False
            # pending, nothing running or awaiting a retry anywhere: the next round hands luigid the graph again
            busy = status != "PENDING" or any(scheduler.task_list(status=s) for s in ("RUNNING", "FAILED"))
            stalled = 0 if busy else stalled + 1
            if stalled > STALLED_ROUNDS:
                return False
            time.sleep(1)
    except luigi.rpc.RPCError as e:
        raise ConnectionError(str(e)) from None
