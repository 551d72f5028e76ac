"""Detection on a generated set of 650 pages: every encoding, lying declarations, short and mixed pages."""

from __future__ import annotations

from collections import Counter
from functools import cache

from pipeline.config import load_config
from pipeline.decoding import NotText, decode
from tests.encodings_corpus import KINDS, Sample, build


@cache
def samples() -> tuple[Sample, ...]:
    return tuple(build())


def decoded_exactly(sample: Sample) -> bool:
    d = load_config()["decode"]
    try:
        return decode(sample.data, d["candidates"], d["sample_bytes"], d["min_text_ratio"]).text == sample.text
    except NotText:
        return False


def test_the_set_is_reproducible_and_covers_every_kind() -> None:
    assert len(samples()) >= 500
    assert set(Counter(s.kind for s in samples())) == set(KINDS)
    assert [s.data for s in build(40)] == [s.data for s in samples()[:40]]
    assert any("嘅" in s.text for s in samples() if s.kind == "big5-hkscs")


def test_at_least_995_per_mille_decode_to_the_exact_text() -> None:
    wrong = [s.name for s in samples() if not decoded_exactly(s)]
    assert len(wrong) <= 0.005 * len(samples()), wrong
