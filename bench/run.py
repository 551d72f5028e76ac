"""`make bench`: end-to-end MB/s per core, time per stage, peak memory, and the plain chain.

Generates a reproducible corpus (bench/corpus.py), runs `jinghua run --workers 1` pinned to one
core (taskset -c 0 when available) into an empty clean/, and runs the plain chain that anyone
can write in an afternoon (chardet -> decode -> BeautifulSoup get_text -> ftfy.fix_text ->
opencc-python-reimplemented) on a sample of the same files. Results go to bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from . import detection, opencc_compare, repair_rate, schedule
from .corpus import GENERATOR, SEED, generate

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"


def pinned(cmd: list[str], cores: str = "0") -> list[str]:
    return ["taskset", "-c", cores, *cmd] if shutil.which("taskset") else cmd


MEASURE = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)")


def run_pipeline(raw: Path, clean: Path, workers: int = 1, fresh: bool = True) -> dict:
    """One `jinghua run` in its own process tree: wall time, peak RSS of that run alone, stages."""
    if fresh:
        shutil.rmtree(clean, ignore_errors=True)
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--clean", str(clean),
           "--workers", str(workers)]
    cores = ",".join(str(n) for n in range(workers))
    p = subprocess.run([sys.executable, "-c", MEASURE, *pinned(cmd, cores)],
                       capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if p.returncode:
        raise SystemExit(f"pipeline failed: {p.stderr[-2000:]}")
    peak_kb = int(p.stderr.strip().splitlines()[-1])
    report = json.loads((clean / "current" / "report.json").read_text(encoding="utf-8"))
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak_kb / 1024, 1),
            "stages": report["timings"]["stages"], "publishing": report["timings"].get("publishing", {}),
            "paragraphs": report["paragraphs"]}


# The cleaning workload alone, without Luigi or publishing: clean_document over the first files of
# the corpus in one process, timed after warm-up.
WORKLOAD = """import sys, time
from pathlib import Path
from pipeline.clean import clean_document, warm_up
from pipeline.config import load_config
config = load_config()
warm_up(config)
files = sorted(p for p in Path(sys.argv[1]).rglob("*") if p.is_file())[:int(sys.argv[2])]
pages = [(f.read_bytes(), str(f)) for f in files]
started = time.perf_counter()
for data, path in pages:
    clean_document(data, path, config)
print(time.perf_counter() - started)
"""


def two_core_ceiling(raw: Path, files: int = 1500, rounds: int = 3) -> dict:
    """The speed-up two processes can get on this host for this work: cleaning the same files
    alone on core 0, then on cores 0 and 1 at once, three times (a VM whose two cores share a
    physical core or its caches, or a busy host, gets less than 2); the median round."""
    def clean(core: str) -> subprocess.Popen:
        return subprocess.Popen(pinned([sys.executable, "-c", WORKLOAD, str(raw), str(files)], core),
                                stdout=subprocess.PIPE, text=True, cwd=HERE.parent)

    ratios = []
    for _ in range(rounds):
        alone = float(clean("0").communicate()[0])
        pair = [clean("0"), clean("1")]
        ratios.append((2 * alone / max(float(p.communicate()[0]) for p in pair), alone))
    ceiling, alone = sorted(ratios)[rounds // 2]
    return {"files": files, "alone_s": round(alone, 2), "ceiling": round(ceiling, 2),
            "rounds": [round(r, 2) for r, _ in ratios]}


def incremental(raw: Path, clean: Path, full_seconds: float, mb: float, files: int) -> dict:
    """Add 1% new files to a built corpus of ``files`` pages and run again: the cost relative to
    the full run. The new pages repost old articles as often as the corpus's own pages do."""
    extra = WORK / "extra"
    shutil.rmtree(extra, ignore_errors=True)
    generate(extra, mb * 0.01, seed=7, reposts_of=(SEED, files))
    target = raw / "zz-new"
    shutil.copytree(extra, target)
    try:
        run = run_pipeline(raw, clean, fresh=False)
    finally:
        shutil.rmtree(target)
    manifest = json.loads((clean / "current" / "manifest.json").read_text(encoding="utf-8"))
    return {"added_mb": round(mb * 0.01, 2), "seconds": run["seconds"],
            "fraction_of_full": round(run["seconds"] / full_seconds, 3), "parts": len(manifest["parts"]),
            "linked_parts": manifest["reused_parts"], "patched_parts": manifest["patched_parts"]}


def clean_text_share(mb: float = 5) -> dict:
    """Decode + repair on a corpus of clean paragraphs only (the clean side of tests/damage.py, a
    third of the files GB18030, the rest UTF-8): their share of the run's time (issue #4: < 10%)."""
    from tests.damage import clean_texts

    raw = WORK / f"clean-text-{mb:g}mb"
    if not raw.is_dir():
        texts = clean_texts(11, int(mb * 1e6))
        for i in range(0, len(texts), 8):
            path = raw / f"site{i % 7}" / f"{i:05d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(("\n".join(texts[i:i + 8]) + "\n").encode("gb18030" if i % 3 == 0 else "utf-8"))
    run = run_pipeline(raw, WORK / "clean-text-out")
    decode, repair = run["stages"].get("decode", 0.0), run["stages"].get("repair", 0.0)
    return {"mb": mb, "seconds": run["seconds"], "decode_s": decode, "repair_s": repair,
            "share": round((decode + repair) / run["seconds"], 3)}


def plain_chain(files: list[Path]) -> float:
    """Seconds for the afternoon chain on these files (in this process, one core)."""
    import chardet
    import ftfy
    import opencc
    from bs4 import BeautifulSoup

    cc = opencc.OpenCC("t2s")
    started = time.perf_counter()
    for f in files:
        data = f.read_bytes()
        enc = chardet.detect(data[:65536])["encoding"] or "utf-8"
        text = data.decode(enc, errors="replace")
        if f.suffix == ".html":
            text = BeautifulSoup(text, "html.parser").get_text("\n")
        cc.convert(ftfy.fix_text(text))
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, nargs="+", default=[10, 50], help="corpus sizes (MB)")
    ap.add_argument("--chain-mb", type=float, default=3, help="sample size for the plain chain (MB)")
    ap.add_argument("--skip-opencc", action="store_true", help="skip script conversion vs the official OpenCC")
    args = ap.parse_args()
    results: dict = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                     f"Python {platform.python_version()}", "runs": []}
    for mb in args.mb:
        raw = WORK / f"raw-{mb:g}mb-{GENERATOR}"
        if not raw.is_dir():
            generate(raw, mb)
        files_list = sorted(p for p in raw.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in files_list)
        run = run_pipeline(raw, WORK / "clean")
        run.update(mb=round(size / 1e6, 1), files=len(files_list), mb_per_s=round(size / 1e6 / run["seconds"], 2))
        results["runs"].append(run)
        print(f"{run['mb']:>6} MB {run['files']:>6} files: {run['seconds']:>7} s  {run['mb_per_s']:>6} MB/s per core  "
              f"peak RSS {run['peak_rss_mb']} MB")
    if (os.cpu_count() or 1) >= 2:
        ceiling = results["two_core_ceiling"] = two_core_ceiling(raw)
        print(f"two cores: cleaning the same files on both cores at once does {ceiling['ceiling']}x the work of "
              f"one core alone (rounds: {ceiling['rounds']}): what 2 processes can get on this host")
        two = run_pipeline(raw, WORK / "clean", workers=2)
        speedup = round(results["runs"][-1]["seconds"] / two["seconds"], 2)
        results["two_workers"] = {"seconds": two["seconds"], "speedup": speedup, "publishing": two["publishing"]}
        print(f"2 workers on 2 cores: {two['seconds']} s = {results['two_workers']['speedup']}x one worker; "
              "publishing (s): " + ", ".join(f"{k} {v}" for k, v in two["publishing"].items()) + " (one worker: "
              + ", ".join(f"{k} {v}" for k, v in results["runs"][-1]["publishing"].items()) + ")")
    inc = incremental(raw, WORK / "clean", results["runs"][-1]["seconds"], results["runs"][-1]["mb"],
                      results["runs"][-1]["files"])
    results["incremental_1pct"] = inc
    print(f"incremental run after adding 1% new files: {inc['seconds']} s = "
          f"{inc['fraction_of_full'] * 100:.1f}% of the full run ({inc['linked_parts']} of {inc['parts']} parts "
          f"linked, {inc['patched_parts']} patched, the rest written)")
    sample, total = [], 0
    for p in files_list:
        if total > args.chain_mb * 1e6:
            break
        sample.append(p)
        total += p.stat().st_size
    chain_s = plain_chain(sample)
    chain = round(total / 1e6 / chain_s, 3)
    results["plain_chain"] = {"mb": round(total / 1e6, 1), "seconds": round(chain_s, 2), "mb_per_s": chain}
    last = results["runs"][-1]
    results["ratio"] = round(last["mb_per_s"] / chain, 1)
    print(f"plain chain: {chain} MB/s on {total / 1e6:.1f} MB; jinghua is {results['ratio']}x faster")
    print("time per stage (s): " + ", ".join(f"{k} {v}" for k, v in last["stages"].items()))
    share = results["clean_text"] = clean_text_share()
    print(f"clean text only ({share['mb']} MB): decode {share['decode_s']} s + repair {share['repair_s']} s = "
          f"{share['share']:.1%} of the run's {share['seconds']} s")
    repair_rate.run(results)
    detection.run(results)
    schedule.run(results)
    if not args.skip_opencc:
        opencc_compare.run(results)
    (HERE / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
