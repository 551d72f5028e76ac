"""The Luigi task graph: one ``CleanShard`` per shard of raw files, one ``Publish`` over them.

Tasks are thin: they call ``batch`` functions and write through their target's temporary path,
so a killed worker leaves no partial output and its shard is simply redone. A task's identity is
its shard key (or the plan id), which already hashes the files, the config and the pipeline
version; directories are insignificant parameters, so workers on machines that mount the shared
storage at different paths still agree on task ids under one ``luigid``.
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import luigi

from . import batch
from .config import Config, load_config
from .store import Layout, read_plan, write_shard, write_stats


@cache
def _config(path: str) -> Config:
    return load_config(path or None)


class _PlanTask(luigi.Task):
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
    """Clean the files of one shard into ``cache/shards/<key>.jsonl.gz``."""

    shard_key = luigi.Parameter()
    raw_dir = luigi.Parameter(significant=False)

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(self.layout.shard_file(self.shard_key)))

    def run(self) -> None:
        files = read_plan(Path(self.plan_file)).shards[self.shard_key]

        def progress(done: int, total: int) -> None:
            if done == total or done % 50 == 0:
                self.set_progress_percentage(round(100 * done / total))
                self.set_status_message(f"{done}/{total} files")

        results, stats = batch.clean_shard(Path(self.raw_dir), files, self.config(), self.layout, progress)
        write_stats(self.layout.stats_file(self.shard_key), stats)
        with self.output().temporary_path() as tmp:
            write_shard(Path(tmp), results)


class Publish(_PlanTask):
    """Merge every shard, dedup corpus-wide and publish ``versions/<id>``; ``current`` points there."""

    plan_id = luigi.Parameter()
    raw_dir = luigi.Parameter(significant=False)
    started = luigi.FloatParameter(default=0.0, significant=False)

    def requires(self) -> list[CleanShard]:
        plan = read_plan(Path(self.plan_file))
        return [CleanShard(plan_file=self.plan_file, clean_dir=self.clean_dir, config_file=self.config_file,
                           shard_key=key, raw_dir=self.raw_dir) for key in sorted(plan.shards)]

    def complete(self) -> bool:
        return self.layout.current_version() == self.plan_id and \
            (self.layout.version_dir(self.plan_id) / "manifest.json").is_file()

    def run(self) -> None:
        self.set_status_message("merging shards")
        plan = read_plan(Path(self.plan_file))
        batch.assemble(self.layout, plan, self.config(), self.started or time.time())


def build(publish: Publish, workers: int, scheduler_host: str | None, scheduler_port: int) -> bool:
    """Run the graph with the local scheduler, or against a central ``luigid``."""
    kwargs: dict[str, object] = {"workers": workers, "log_level": "WARNING", "no_lock": True}
    if scheduler_host:
        kwargs.update(scheduler_host=scheduler_host, scheduler_port=scheduler_port)
    else:
        kwargs["local_scheduler"] = True
    return bool(luigi.build([publish], **kwargs))
