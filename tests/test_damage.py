"""Repair on a generated damage corpus (tests/damage.py): every class, per-class figures, and no
false repair on a megabyte of clean text."""

from __future__ import annotations

from collections import Counter

import pytest

from pipeline import repair
from pipeline.config import Config

from .damage import CLASSES, LOSSY, REVERSIBLE, cases, clean_texts, judge, repaired

SEED = 4
N_CASES = 1400  # 100 a class

# Share of cases repaired to the exact original, at least, and share neither exact nor flagged (a
# wrong repair, or damage left unflagged), at most. Issue #4 asks 99% exact where a class loses
# nothing and no case unflagged; these are what the repairs reach today, so a regression fails
# while the gaps stay visible. Seed 4: 99.4% exact on the reversible classes, no case wrong; the
# held-out seed 7 (not tuned on): 99.1% exact, 1 of 1400 wrong (Big5 read as GBK whose two
# characters, ``临惠`` for ``還需``, are both common: no suspect points at them). What is left
# flagged: Big5/GBK swap spans whose edge or code is a close call (``repaired-guess``: a clean
# neighbour read back, ``請`` as ``叫``, or a damaged character that reads as a common one or a
# word, ``飲用`` for ``都用``), and the lost-byte guesses (right a third of the time).
EXACT_FLOOR = {"entities": 1.0, "escapes": 1.0, "utf8-as-gbk": 1.0, "utf8-as-latin": 1.0,
               "gbk-as-latin": 1.0, "big5-as-gbk": 0.99, "gbk-as-big5": 0.96, "double": 1.0}
WRONG_CEILING: dict[str, float] = {}  # no class may leave a case wrong on this seed


@pytest.fixture(scope="module")
def outcomes(config: Config) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {kind: Counter() for kind in CLASSES}
    for case in cases(SEED, N_CASES):
        out[case.kind][judge(case, config)] += 1
    return out


def test_figures_per_class(outcomes):
    total = Counter()
    for kind, counts in outcomes.items():
        n = sum(counts.values())
        total.update(counts)
        print(f"{kind:18} {n:4} cases  exact {counts['exact'] / n:6.1%}  flagged {counts['flagged'] / n:6.1%}  "
              f"wrong {counts['wrong'] / n:6.1%}")
    reversible = sum(outcomes[k]["exact"] for k in REVERSIBLE) / sum(sum(outcomes[k].values()) for k in REVERSIBLE)
    print(f"all {sum(total.values())} cases: exact {total['exact']}, flagged {total['flagged']}, "
          f"wrong {total['wrong']}; reversible classes exact {reversible:.1%}")
    assert sum(total.values()) >= 1000


@pytest.mark.parametrize("kind", sorted(REVERSIBLE))
def test_reversible_damage_is_repaired(outcomes, kind):
    counts = outcomes[kind]
    n = sum(counts.values())
    assert counts["exact"] >= EXACT_FLOOR[kind] * n, counts
    assert counts["wrong"] <= WRONG_CEILING.get(kind, 0.0) * n, counts


@pytest.mark.parametrize("kind", sorted(LOSSY))
def test_lossy_damage_is_flagged(outcomes, kind):
    """What cannot be reversed is flagged; lost bytes that are rebuilt must be rebuilt right."""
    counts = outcomes[kind]
    assert counts["wrong"] <= WRONG_CEILING.get(kind, 0.0) * sum(counts.values()), counts


def test_no_false_repairs_on_a_megabyte_of_clean_text(config: Config):
    texts = clean_texts(SEED, 1_000_000)
    assert sum(len(t.encode()) for t in texts) >= 1_000_000
    changed = [(t, block.text) for t in texts if (block := repaired(t, config)).text != t]
    flagged = [t for t in texts if repaired(t, config).flags]
    print(f"clean: {len(texts)} paragraphs, {len(changed)} changed, {len(flagged)} flagged")
    assert changed == []
    assert flagged == []


def test_the_gate_hides_no_damage(monkeypatch):
    """is_suspect stands in front of every fix and of find_corruption: where it says a paragraph
    is clean, neither may have found anything (the normalize stage asks find_corruption only of text
    that changed since the gate passed it). Checked on the damaged cases and on clean text (where
    most of what it turns down are question marks after Han)."""
    texts = [case.damaged for case in cases(SEED, N_CASES)] + clean_texts(SEED + 1, 300_000)
    clean = [t for t in texts if not repair.is_suspect(t)]
    monkeypatch.setattr(repair, "is_suspect", lambda text: True)
    missed = [(t, name) for t in clean for name, fix in repair.REPAIRS if fix(t) != t]
    missed += [(t, "find_corruption") for t in clean if repair.find_corruption(t)]
    print(f"{len(texts)} paragraphs, {len(clean)} turned down by the gate")
    assert len(clean) >= 500
    assert missed == []


def test_each_fix_is_routed_by_the_kinds_it_needs():
    """The repair stage runs a fix only when the gate saw a kind of damage it needs (FIX_NEEDS): a
    fix it skips must have had nothing to do, on damaged and clean text alike."""
    texts = [case.damaged for case in cases(SEED + 3, N_CASES)] + clean_texts(SEED + 2, 200_000)
    skipped = [(t, name, fix) for t in texts for name, fix in repair.REPAIRS
               if not repair.suspicions(t) & repair.FIX_NEEDS[name]]
    assert len(skipped) > len(texts)
    assert [(t, name) for t, name, fix in skipped if fix(t) != t] == []


@pytest.mark.parametrize("text, suspect", [
    ("为什么这条路总是堵车?市民王先生在热线中反映", False),  # a question mark in Simplified text
    ("这是为什么?请看A股行情", True),  # a letter within reach: a shifted run could end there
    ("會?h要求", True),  # lost-bytes
    ("研究团队利?梦佬且８惺?据，对过去", True),  # gbk-shift ending in another ``?``
    ("数据??显示", True),  # lost-char
    ("统?jì)数据", True),  # ruby debris
    ("取得成效?。", True),  # a ``?`` before punctuation
])
def test_the_gate_on_question_marks(text, suspect):
    assert repair.is_suspect(text) is suspect
