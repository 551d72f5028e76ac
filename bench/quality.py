"""`make bench-quality`: how much of the article text jinghua, trafilatura and GNE get right.

Runs the three extractors on the HTML pages of the generated portal set (tests/portals.py) and,
when ../shared is checked out beside the project, on the five seed pages (read in place, never
copied), and scores each page at character level against the gold title and paragraphs: difflib
matching blocks give precision (matched / extracted) and recall (matched / gold), summed over the
pages of a portal (micro average), and F1.

The comparison measures extraction, not repair: every text (gold included) is folded to
Simplified, NFKC-normalized and stripped of whitespace before matching, so a competitor is not
penalised for keeping Traditional script or half-width punctuation. trafilatura and GNE get the
decoded page (jinghua gets the raw bytes, as in a run) and their title is put before their text.
The seeds are text dumps: the competitors get them as a page with one ``<p>`` per line.

trafilatura and GNE run in a throwaway venv (bench/work/quality-venv, git-ignored) created on
first use with PyPI's current releases, so the project's own environment never depends on them.
Results go to bench/quality.json and a table on stdout.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

from pipeline.clean import clean_document
from pipeline.config import load_config
from pipeline.script import get_converter
from tests.portals import char_match, pages

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = HERE / "work" / "quality-venv"
SEEDS = ROOT.parent / "shared" / "seeds"
OUT = HERE / "quality.json"
SYSTEMS = ("jinghua", "trafilatura", "gne")

# Runs inside the throwaway venv: pages as JSON on stdin, {id: {system: text}} on stdout.
RUNNER = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
import trafilatura
from gne import GeneralNewsExtractor
gne = GeneralNewsExtractor()
out = {}
for page in json.load(sys.stdin):
    texts = {}
    try:
        r = trafilatura.extract(page["html"], output_format="json", with_metadata=True, include_comments=False)
        r = json.loads(r) if r else {}
        texts["trafilatura"] = (r.get("title") or "") + "\n" + (r.get("text") or "")
    except Exception:  # a crash scores as nothing extracted
        texts["trafilatura"] = ""
    try:
        r = gne.extract(page["html"])
        texts["gne"] = (r.get("title") or "") + "\n" + (r.get("content") or "")
    except Exception:
        texts["gne"] = ""
    out[page["id"]] = texts
json.dump(out, sys.stdout, ensure_ascii=False)
"""


def ensure_venv() -> Path:
    """The venv's python, creating the venv with trafilatura and GNE on first use."""
    python = VENV / "bin" / "python"
    check = "import trafilatura; from gne import GeneralNewsExtractor"
    ready = python.is_file() and subprocess.run([str(python), "-c", check], capture_output=True).returncode == 0
    if not ready:
        print(f"creating {VENV.relative_to(ROOT)} with trafilatura and gne …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        # GNE imports lxml.html.clean, which lxml 5.2+ ships separately as lxml_html_clean
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "trafilatura", "gne", "lxml_html_clean"],
                       check=True)
    return python


def _fold(text: str) -> str:
    """The form all texts are compared in: Simplified, NFKC, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", get_converter("t2s").convert(text)).split())


def _cases() -> list[dict]:
    """Pages to score: id, group, raw bytes, decoded HTML for the competitors, gold text."""
    cases = []
    for page in pages():
        if page.is_html:
            encoding = "gb18030" if page.portal in ("yunhai", "beiyuan") else "utf-8"
            cases.append({"id": page.path, "group": page.portal, "data": page.data,
                          "html": page.data.decode(encoding), "gold": "".join(page.gold)})
    for gold_path in sorted((SEEDS / "gold").glob("*.json")) if SEEDS.is_dir() else []:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        data = (SEEDS / gold["seed"]).read_bytes()
        lines = data.decode("utf-8", "replace").splitlines()
        page = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in lines if line.strip()) + \
               "</body></html>"
        cases.append({"id": f"seeds/{gold['seed']}", "group": "seeds", "data": data, "html": page,
                      "gold": "".join(line["text"] for line in gold["lines"] if "text" in line)})
    return cases


def _score(totals: list[int]) -> dict[str, float]:
    matched, gold, got = totals
    p, r = matched / max(1, got), matched / max(1, gold)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / max(1e-9, p + r), 4)}


def main() -> int:
    python = ensure_venv()
    cases = _cases()
    config = load_config()
    started = time.perf_counter()
    texts = {c["id"]: {"jinghua": "\n".join(p["text"] for p in clean_document(c["data"], c["id"], config).paragraphs)}
             for c in cases}
    seconds = {"jinghua": time.perf_counter() - started}
    started = time.perf_counter()
    pages_in = json.dumps([{"id": c["id"], "html": c["html"]} for c in cases])
    p = subprocess.run([str(python), "-c", RUNNER], input=pages_in, capture_output=True, text=True, check=True)
    seconds["trafilatura+gne"] = time.perf_counter() - started
    for page_id, extracted in json.loads(p.stdout).items():
        texts[page_id].update(extracted)
    totals: dict[str, dict[str, list[int]]] = defaultdict(lambda: {s: [0, 0, 0] for s in SYSTEMS})
    for case in cases:
        gold = _fold(case["gold"])
        groups = [case["group"]] + (["overall"] if case["group"] != "seeds" else [])
        for system in SYSTEMS:
            got = _fold(texts[case["id"]][system])
            matched = char_match(gold, got)
            for group in groups:
                t = totals[group][system]
                t[0] += matched
                t[1] += len(gold)
                t[2] += len(got)
    report = {
        "pages": {g: sum(c["group"] == g for c in cases) for g in sorted({c["group"] for c in cases})},
        "scores": {g: {s: _score(t[s]) for s in SYSTEMS} for g, t in totals.items()},
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "method": "character-level difflib matching against gold title + paragraphs; all texts folded to "
                  "Simplified, NFKC, no whitespace; micro-averaged over the pages of a group",
    }
    OUT.write_text(json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{'group':12s} {'pages':>5s}  " + "  ".join(f"{s:>20s}" for s in SYSTEMS))
    print(f"{'':12s} {'':5s}  " + "  ".join(f"{'P     R     F1':>20s}" for _ in SYSTEMS))
    for group in [g for g in sorted(report["scores"]) if g not in ("overall", "seeds")] + ["overall", "seeds"]:
        if group in report["scores"]:
            n = sum(v for g, v in report["pages"].items() if g != "seeds") if group == "overall" \
                else report["pages"][group]
            row = report["scores"][group]
            print(f"{group:12s} {n:5d}  " + "  ".join(
                f"{row[s]['precision']:.3f} {row[s]['recall']:.3f} {row[s]['f1']:.3f}".rjust(20) for s in SYSTEMS))
    print(f"written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
