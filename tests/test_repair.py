"""Repair (step 3): every fix on damage made here from our own sentences, clean text left alone,
the seed pages and ftfy's published cases from ../shared (skipped when absent)."""

from __future__ import annotations

import doctest
import json
import re
import time
import unicodedata
from collections import Counter
from pathlib import Path

import ftfy
import ftfy.bad_codecs
import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.charmodel
import pipeline.repair
from pipeline.charmodel import is_han
from pipeline.repair import (
    _MOJI_ONE,
    REPAIRS,
    _cannot_read_utf8,
    _mojibake_dense,
    _reads_through_loss,
    _reread_utf8,
    _unshift,
    _utf8_spans,
    find_corruption,
    fix_entities,
    fix_gbk_mojibake,
    fix_gbk_shift,
    fix_lost_bytes,
    fix_mojibake,
)

from .damage import lossy_gbk

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

# Our own sentences: news prose, numbers and units, Latin letters between Han characters, legitimate
# question marks, URLs, rare-but-real characters (names), rare words whose characters look like
# mojibake (涓涓, 鍥而不舍, 娴熟), Western text.
CLEAN_LINES = """\
今年一季度，全市地区生产总值同比增长5.2%，增速比去年同期加快0.8个百分点。
市气象台预计，明天白天多云转阴，午后有分散性雷阵雨，最高气温31℃。
记者昨天从市教育局获悉，今年秋季全市将新增中小学学位一万二千个。
受降雨影响，部分航班延误，机场提醒旅客提前查询航班动态。
这家企业去年研发投入超过营业收入的百分之八，专利数量居行业前列。
沪深两市A股周五集体高开，创业板指数盘中一度涨超2%。
医生建议，孕妇在孕中期做一次B超检查，以了解胎儿发育情况。
小区楼下新开了一家卡拉OK，晚上十点以后噪音扰民，居民多次投诉。
他刚买的iPhone手机屏幕碎了，维修费用接近一千元。
运营商表示，年底前全县所有行政村将实现5G网络覆盖。
专家提醒，维生素C并不能预防感冒，均衡饮食更重要。
你好?请问去火车站怎么走?
为什么??这件事到现在还没有人给个说法。
是吗?我怎么没听说过。
怎么办?专家这样说
详情请访问https://www.example.com/search?q=news&page=2了解更多。
报名网址：http://example.org/apply?id=2023&type=student
联系邮箱：service@example.com，工作日9:00-17:30有人值守。
会议定于2023年5月16日上午10:30在市民中心三楼召开。
截至6月底，全省累计接种疫苗超过8000万剂次。
国家统计局数据显示，5月份CPI同比上涨0.2%，PPI同比下降4.6%。
NBA总决赛第三场，主队以108比95取胜，总比分2比1领先。
今天的PM2.5浓度为每立方米35微克，空气质量为良。
学校新建了一间3D打印实验室，学生可以动手设计自己的作品。
商场全场覆盖免费Wi-Fi，顾客用手机扫码即可连接。
这款APP上线三个月，注册用户已突破一百万。
他用U盘把文件拷了过来，结果电脑中了病毒。
夏天到了，白色T恤成了很多年轻人的首选。
体检时需要拍一张X光片，检查肺部情况。
股民们盯着K线图，讨论下一步该怎么操作。
活动现场还设置了h5页面互动抽奖环节。
清晨的山谷里，涓涓细流沿着石缝缓缓流淌。
做学问要有锲而不舍的精神，持之以恒才能有所收获。
雕刻这枚印章，需要鍥而不舍的耐心。
他驾车娴熟，在狭窄的山路上也开得很稳。
浣纱女的故事在当地流传了上千年。
这位老人名叫王犇，今年八十三岁，仍坚持每天练习书法。
张淼和李鑫是大学同学，毕业后一起创办了一家设计公司。
刘垚在比赛中表现出色，获得了金牌。
陈焱说，他小时候最喜欢的就是去河边捉鱼。
赵赟被评为年度优秀青年教师。
黄喆、吴堃、周昇三人组成的团队拿下了冠军。
展览展出了明代青花瓷器、宋代汝窑瓷片等珍贵文物。
这条古道上还保存着清代修建的石桥和驿站遗址。
“我们一定会把这件事办好。”他说。
她笑着说：“谢谢大家的关心！”
《人民的名义》是一部反腐题材的电视剧。
据悉，该项目总投资约12.6亿元，预计2025年建成投用。
本届运动会共设田径、游泳、篮球等十二个大项。
请于每周一至周五8:30—12:00到窗口办理相关手续。
这本书分上、中、下三册，共计一百二十万字。
市民可以拨打12345热线反映问题。
公交公司调整了15路、23路和K8路的发车时间。
郑州—西安高铁每天开行动车组列车四十多对。
温度计显示零下12.5℃，河面已经结了厚厚的冰。
他在会上强调，要坚持以人民为中心的发展思想。
农户们忙着收割小麦，田间地头一派繁忙景象。
新修的公园里种了银杏、樱花和海棠，吸引了不少游客。
志愿者们走进社区，为老年人提供免费理发服务。
这个村子依山傍水，风景秀丽，是远近闻名的旅游村。
研究人员发现，适量运动有助于改善睡眠质量。
法院经审理认为，被告人的行为已构成诈骗罪。
今年高考报名人数达到1291万人，再创历史新高。
上海迪士尼乐园周末客流量大，建议游客错峰出行。
……这时，门外突然传来一阵敲门声——是邮递员。
他愣了一下——原来一切都是误会。
演出结束后，观众们起立鼓掌，久久不愿离去……
价格从每斤3.5元涨到了4.2元，涨幅达20%。
这台机器的额定功率为7.5kW，转速每分钟1450转。
参赛选手需年满18周岁，身高在160cm以上，体重不超过80kg。
地铁2号线东延段全长9.8km，设车站6座，预计明年12月通车。
屏幕右上角有一个×号，点击即可关闭弹窗。
房子的建筑面积是89m²，朝南，带一个小阳台。
马克思·韦伯是德国著名社会学家。
列夫·托尔斯泰的《战争与和平》被誉为世界文学名著。
该公司总部位于美国加州，在中国设有研发中心。
世界卫生组织（WHO）发布了新的饮食指南。
国际货币基金组织（IMF）上调了今年全球经济增长预期。
他的英文名叫David，同事们都叫他小D。
她在微信朋友圈晒出了自己烤的蛋糕。
网友留言：太美了吧!下次一定要去看看。
注意!前方施工，车辆绕行。
真的假的?我不信。
难道这就是传说中的“网红店”?
α粒子和β粒子的穿透能力不同。
这个公式可以写成y=ax+b的形式。
考试时间为120分钟，满分150分。
关闭广告请点右上角 ×
Beijing is the capital of China.
The meeting will be held on Monday at 10 a.m.
Café René à Paris serves crêpes and croissants.
José Mourinho and Thomas Müller met in Zürich last week.
Pinyin for 北京 is Běijīng, and for 上海 is Shànghǎi.
The price is €25 or £21, about ¥190.
He said “it’s fine” — and left.
Über 50% der Befragten sind zufrieden.""".splitlines()

RUBY_CHARS = set("发战导关应动号实调际现项间别为长与还传")
RUBY = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)")


def _ruby(text: str) -> str:
    """Our own text with pinyin after some characters, the way scraped ruby markup leaves it."""
    from pypinyin import Style, pinyin

    t2s = pipeline.charmodel.simplify
    return "".join(ch + (f"({pinyin(ch, style=Style.TONE)[0][0]})" if t2s(ch) in RUBY_CHARS else "")
                   for ch in text)


def _clean_corpus() -> list[str]:
    """CLEAN_LINES in Simplified and four Traditional standards, each as written and NFKC-folded
    (half-width punctuation, as scraped text often is), Traditional with ruby pinyin, and mixed
    (a Simplified first half, a Traditional second half)."""
    converters = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk", "s2twp")]
    out = []
    for line in CLEAN_LINES:
        variants = [line] + [c.convert(line) for c in converters]
        variants += [unicodedata.normalize("NFKC", v) for v in variants]
        variants.append(_ruby(variants[-4]))
        variants.append(line[: len(line) // 2] + variants[1][len(line) // 2 :])
        out += variants
    return list(dict.fromkeys(out))


CORPUS = _clean_corpus()


def _chain(text: str) -> str:
    for _, fix in REPAIRS:
        text = fix(text)
    return text


def _gbk_encodable(text: str) -> bool:
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _lose_lead(text: str, i: int) -> str:
    """``text`` encoded in GBK with the lead byte of character ``i`` replaced by ``?``, decoded."""
    raw = text[i].encode("gbk")
    return lossy_gbk(text[:i].encode("gbk") + b"?" + raw[1:] + text[i + 1 :].encode("gbk"))


# --------------------------------------------------------------------------------------------
# shape


def test_doctests_pass():
    for module in (pipeline.repair, pipeline.charmodel):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_repairs_are_documented_fixes_in_order():
    assert [name for name, _ in REPAIRS] == ["entities", "gbk-mojibake", "big5-as-gbk", "gbk-as-big5", "mojibake",
                                             "double-mojibake", "gbk-shift", "lost-bytes"]
    for name, fix in REPAIRS:
        assert fix.__doc__ and ">>>" in fix.__doc__, name


# --------------------------------------------------------------------------------------------
# clean text


def test_corpus_is_large_and_varied():
    assert len(CORPUS) >= 400
    assert sum(bool(RUBY.search(line)) for line in CORPUS) > 25
    assert sum(line != pipeline.charmodel.simplify(line) for line in CORPUS) > 200


@pytest.mark.parametrize("name,fix", REPAIRS)
def test_clean_text_comes_back_as_the_same_object(name, fix):
    changed = [line for line in CORPUS if fix(line) is not line]
    assert changed == []


def test_clean_text_has_no_corruption():
    assert [(line, find_corruption(line)) for line in CORPUS if find_corruption(line)] == []


@pytest.mark.parametrize("text", [
    "A股?B股", "做B超", "卡拉OK厅", "iPhone手机", "5G网络", "维生素C片", "你好?", "为什么??",
    "https://example.com/s?q=中国&p=2", "h5页面?h5游戏", "什么?T恤", "是吗?X光片", "烫烫的汤", "村屯道路",
    # a rare character before a full stop reads as UTF-8 that lost two bytes (``調档``), but GBK
    # would have read those bytes as a character: no decoder loses them
    "负责人是李瑾。", "展品中有一块美玉瑾。",
    "新型Су-35战机", "目录：\n├── 第一章", "ж ж", "俄文字母Я的读音",
])
def test_tricky_legitimate_text(text):
    assert _chain(text) == text
    assert find_corruption(text) == []


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CLEAN_LINES), st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["?", "??", "!"])),
                                              min_size=1, max_size=3))
def test_question_marks_anywhere_are_left_alone(line, inserts):
    for where, mark in inserts:
        i = max(1, int(where * len(line)))
        line = line[:i] + mark + line[i:]
    assert _chain(line) == line


@pytest.mark.parametrize("line", [
    "NBA总决赛第三?场，?主队以108比95取胜，总比分2比1领先。",  # "场，" one byte back: "页。"
    "学校新建了一间?3D?打印实验室",  # two "?" around a Latin word: spaces lost, not folded GBK bytes
    "今天的浓度为每立方米?35?微克",
    "她?笑着说：?“??谢谢大家的关心！”",  # "“" between "?": no folded ASCII, nothing read one byte back
])
def test_question_marks_found_by_the_property_test_are_left_alone(line):
    assert _chain(line) == line


def test_speed_on_clean_paragraphs():
    paragraphs = ["".join(CORPUS[i : i + 6]) for i in range(0, len(CORPUS), 6)]
    for p in paragraphs:
        _chain(p)
        find_corruption(p)
    size = sum(len(p.encode()) for p in paragraphs)
    start = time.perf_counter()
    for p in paragraphs:
        _chain(p)
        find_corruption(p)
    rate = size / (time.perf_counter() - start) / 1e6
    # ~12 MB/s here, where nearly every paragraph has a "?", Latin letters or symbols to look at;
    # ~70 MB/s on news paragraphs. This only guards against a slow path taking over.
    assert rate > 3, f"{rate:.1f} MB/s"


# --------------------------------------------------------------------------------------------
# entities


@pytest.mark.parametrize("damaged,repaired", [
    ("&#20013;&#22269;", "中国"),
    ("&#x4E2D;&#x56FD;经济", "中国经济"),
    ("价格&amp;nbsp;上涨", "价格\xa0上涨"),
    ("&amp;quot;新闻&amp;quot;", '"新闻"'),
    ("\\u65b0\\u95fb\\u53d1\\u5e03", "新闻发布"),
    ("表情\\ud83d\\ude00", "表情😀"),
    ("AT&T和R&D", "AT&T和R&D"),
    ("10Î&frac14;s", "10Î&frac14;s"),
])
def test_entities(damaged, repaired):
    assert fix_entities(damaged) == repaired


# --------------------------------------------------------------------------------------------
# mojibake (ftfy)

CHINESE = [line for line in CLEAN_LINES if sum(map(is_han, line)) * 2 > len(line)]


@pytest.mark.parametrize("codec", ["sloppy-windows-1252", "latin-1"])
def test_utf8_read_as_latin(codec):
    for line in CHINESE[:30]:
        damaged = line.encode("utf-8").decode(codec)
        assert _chain(damaged) == line


def test_mojibake_keeps_chinese_punctuation_and_width():
    line = "他说：“ＡＢＣ，好！”"
    assert fix_mojibake(line.encode("utf-8").decode("sloppy-windows-1252")) == line


# --------------------------------------------------------------------------------------------
# gbk-mojibake


def test_utf8_read_as_gbk_without_loss():
    """Clauses whose UTF-8 reads as GBK without a lost byte (GB18030 gives private-use characters
    for GBK's unassigned pairs) come back exactly."""
    s2t = opencc.OpenCC("s2t")
    tested = 0
    for line in CHINESE + [s2t.convert(x) for x in CHINESE]:
        for clause in re.split(r"[，。、：；！？“”《》（）—…\s]+", line):
            damaged = clause.encode().decode("gb18030", "replace")
            if len(clause) >= 2 and "\ufffd" not in damaged:
                assert fix_gbk_mojibake(damaged) == clause, damaged
                tested += 1
    assert tested >= 30


@pytest.mark.parametrize("damaged,repaired", [
    ("鍒颁綅", "到位"),
    ("涓浗", "中国"),
    ("涓�鍥戒汉姘�", "中国人民"),
    ("涓?鍥戒汉姘?", "中国人民"),
    ("鏂伴椈鍙戝竷浼", "新闻发布会"),
    # the stretch that reads as UTF-8 took in the clean character after it (``共``, not ``干``)
    ("電力已經浠栧戯紝共有8.2人參加。", "電力已經他們，共有8.2人參加。"),
    # the lexicon's first choice for the lost byte (``古``) is a pair GBK would have read
    ("古籍修寰╁ゅ拰24小時", "古籍修復室和24小時"),
])
def test_utf8_read_as_gbk_with_lost_bytes(damaged, repaired):
    assert fix_gbk_mojibake(damaged) == repaired


def test_a_long_paragraph_of_utf8_read_as_gbk_with_lost_bytes():
    """A whole paragraph of 875 characters read as GBK, its undecodable bytes dropped, is read
    back (the check that lost bytes vanish only where a decoder fails is no recursion)."""
    clean = "今天上午本市召开新闻发布会介绍了夏季防汛工作的安排和各项措施的落实情况" * 25
    damaged = clean.encode().decode("gbk", "replace").replace("\ufffd", "")
    assert fix_gbk_mojibake(damaged).count("召开新闻发布会") == 25


@pytest.mark.parametrize("damaged,repaired", [
    # one private-use character: a Big5 pair GBK leaves undefined (``人``)
    ("共有26.9\ue5ee参加。", "共有26.9人参加。"),
    # GBK read as Big5 beside a common character whose Big5-as-GBK reading is likelier (``國家``)
    ("這款國產大飛辻眒濛計交付用戶", "這款國產大飛機已累計交付用戶"),
    # GBK read as Latin-1 that makes words only with its neighbours (``提供幫助``)
    ("旅客提Â¹Â©ÂŽÃ\x8d助。", "旅客提供幫助。"),
    # clean text next to UTF-8 read as GBK is no UTF-8 that lost bytes
    ("关键在于北方和朱元璋。据此人姝﹁\ue5e2鍔涢噺鎸佺簩杈叉キ", "关键在于北方和朱元璋。据此人武裝力量持續農業"),
    ("市交通運輸局鍙\ue104枊鏂拌仦鐧间綀鏈冿紝浠嬬垂浠婂勾鍩庡競鍏\ue0ff氦線網優化，時間縮短約3分鐘。",
     "市交通運輸局召開新聞發佈會，介紹今年城市公交線網優化，時間縮短約3分鐘。"),
    # a stretch that reads as UTF-8 past a rare character (``衞``) and a private-use one (``行``)
    ("研究鍦橀殜鍒╃敤琛炴槦閬欐劅鏁告摎锛屽皪閬庡幓浜屽崄骞存繒鍦伴潰绌嶇殑璁婂寲閫茶\ue511浜嗗垎鏋愶紝發現",
     "研究團隊利用衞星遙感數據，對過去二十年濕地面積的變化進行了分析，發現"),
    # one Big5 character read as GBK, a lone Cyrillic letter or box-drawing character (seeds 8, 9)
    ("共89840.8р人次，同比增長", "共89840.8萬人次，同比增長"),
    ("應立即撥打110┪120求助。", "應立即撥打110或120求助。"),
])
def test_damage_beside_clean_text(damaged, repaired):
    """Damage whose edges or code the repairs used to get wrong, from tests/damage.py."""
    assert _chain(damaged) == repaired


LOSSY = {
    "replace": lambda b: b.decode("gbk", "replace"),
    "ignore": lambda b: b.decode("gbk", "ignore"),
    "question-mark": lambda b: b.decode("gbk", "replace").replace("\ufffd", "?"),
    "private-use-dropped": lambda b: "".join(c for c in b.decode("gb18030", "replace")
                                             if not "\ue000" <= c <= "\uf8ff"),
}


@pytest.mark.parametrize("form", sorted(LOSSY))
def test_utf8_read_as_gbk_lossy_forms(form):
    """Bytes that were lost are rebuilt or marked U+FFFD: the result is mostly exact, and a wrong
    character is rare."""
    outcome = Counter()
    for line in CHINESE[::2]:
        damaged = LOSSY[form](line.encode("utf-8"))
        out = fix_gbk_mojibake(damaged)
        if out == line:
            outcome["exact"] += 1
        elif len(out) == len(line) and all(a in (b, "\ufffd") for a, b in zip(out, line, strict=True)):
            outcome["flagged"] += 1
            assert find_corruption(_chain(damaged))
        else:
            outcome["other"] += 1
    total = sum(outcome.values())
    assert outcome["exact"] + outcome["flagged"] >= 0.75 * total, outcome
    assert outcome["exact"] >= 0.25 * total, outcome


def test_utf8_gate_is_a_necessary_condition():
    """_cannot_read_utf8 rules out clean text with a UTF-8-as-GBK character (and a question mark), not
    mojibake, and a stretch it rules out never reads back convincingly or through loss."""
    assert _cannot_read_utf8("鐘介") and _cannot_read_utf8("閱部") and _cannot_read_utf8("鐘?捕")
    assert not _cannot_read_utf8("鍒颁綅") and not _cannot_read_utf8("涓?鍥戒汉姘?")
    s2t = opencc.OpenCC("s2t")
    texts = [s2t.convert(line) for line in CHINESE] + [LOSSY[form](line.encode("utf-8"))
                                                       for form in sorted(LOSSY) for line in CHINESE[::4]]
    ruled_out = 0
    for text in texts:
        for m in _MOJI_ONE.finditer(text):
            for start, end in _utf8_spans(text, m.start(), _mojibake_dense(text)):
                run = text[start:end]
                if _cannot_read_utf8(run):
                    ruled_out += 1
                    reading = _reread_utf8(run)
                    assert reading is None or not (reading[1] or _reads_through_loss(run, reading[0])), run
    assert ruled_out >= 10


def test_gbk_shift_stops_where_no_run_reads_back():
    """_unshift stops at the first pair read in step that is no plausible character: on clean text
    after a question mark, within a few characters; a shifted run still reads back."""
    assert _unshift("公?居媱澝髂暝谌A東地區", 1) is not None
    assert _unshift("交通堵车?市民反映情况", 4) is None


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_gbk_read_as_latin(codec):
    s2t = opencc.OpenCC("s2t")
    for line in CHINESE[:25] + [s2t.convert(x) for x in CHINESE[:25]]:
        raw = line.encode("gbk")
        # a browser shows the five bytes 1252 leaves undefined as C1 controls, like Latin-1
        damaged = "".join(bytes((b,)).decode(codec, "ignore") or chr(b) for b in raw)
        assert _chain(damaged) == line, damaged


# --------------------------------------------------------------------------------------------
# gbk-shift and lost-bytes


@pytest.mark.parametrize("damaged,repaired", [
    ("省政府?蛉障蚋骺h撥付救災資金三千萬元", "省政府昨日向各縣撥付救災資金三千萬元"),
    ("這?椆ぷ饔煽h委組織部牽頭落實", "這項工作由縣委組織部牽頭落實"),
    ("會議要求各級黨組織認?尕瀼芈鋵?", "會議要求各級黨組織認真貫徹落實"),
    ("他們在鄉鎮衛生院設?⒘伺R時觀察點", "他們在鄉鎮衛生院設立了臨時觀察點"),
    ("公司?jū)媱澝髂暝谌A東地區新建兩座工廠", "公司計劃明年在華東地區新建兩座工廠"),
    ("這項工作由縣委組織?shēn)繝款^落實", "這項工作由縣委組織部牽頭落實"),
    ("各方齊心協力??h裡將繼續推進", "各方齊心協力。縣裡將繼續推進"),
])
def test_gbk_shift(damaged, repaired):
    assert fix_gbk_shift(damaged) == repaired
    assert find_corruption(repaired) == []


def test_gbk_shift_damage_made_here():
    assert _lose_lead("公司計劃明年在華東地區新建兩座工廠", 1) == "公?居媱澝髂暝谌A東地區新建兩座工廠"
    assert _chain(_lose_lead("公司計劃明年在華東地區新建兩座工廠", 1)) == "公司計劃明年在華東地區新建兩座工廠"


def test_gbk_shift_is_rarely_wrong():
    """Over every lead byte of our Traditional sentences: the repair is exact or marks what it
    cannot know (U+FFFD, flagged) far more often than it guesses wrong."""
    s2t = opencc.OpenCC("s2t")
    outcome = Counter()
    for line in [s2t.convert(x) for x in CHINESE[::3]]:
        if not _gbk_encodable(line):
            continue
        for i in range(1, len(line)):
            if not (is_han(line[i - 1]) and is_han(line[i])) or 0x40 <= line[i].encode("gbk")[1] <= 0x7E:
                continue
            damaged = _lose_lead(line, i)
            out = _chain(damaged)
            if out == line:
                outcome["exact"] += 1
            elif out == damaged or find_corruption(out):
                outcome["left or flagged"] += 1
            else:
                outcome["unflagged change"] += 1
    total = sum(outcome.values())
    assert total > 200
    assert outcome["exact"] >= 0.2 * total, outcome
    assert outcome["unflagged change"] <= 0.1 * total, outcome


@pytest.mark.parametrize("damaged,repaired", [
    ("會?h要求各級黨組織", "會議要求各級黨組織"),
    ("各級黨組織?J真落實", "各級黨組織認真落實"),
    ("他們在?l鎮衛生院", "他們在鄉鎮衛生院"),
    ("公司計劃明年在?chén)A東地區", "公司計劃明年在華東地區"),
    ("全年統?jì)數據顯示", "全年統計(jì)數據顯示"),
    ("這項工作要?jiān)決落實", "這項工作要堅(jiān)決落實"),
])
def test_lost_bytes(damaged, repaired):
    assert fix_lost_bytes(damaged) == repaired


@pytest.mark.parametrize("text", ["本?h委", "明?年計劃", "什么?A股", "A股?B股", "为什么?e时代"])
def test_lost_bytes_without_a_clear_winner_is_left(text):
    assert fix_lost_bytes(text) == text


# --------------------------------------------------------------------------------------------
# find_corruption


@pytest.mark.parametrize("text,kind", [
    ("数据\ufffd\ufffd显示", "replacement-char"),
    ("标题锟斤拷锟斤拷乱码", "kunkao"),
    ("内存烫烫烫烫烫", "tangtang"),
    ("内存屯屯屯屯", "tangtang"),
    ("本?h委員會", "lost-bytes"),
    ("日均通关车辆??.2万辆次", "lost-char"),  # 达 and the 1 after it lost (seed 13)
    ("工作?xiōng)斦?局", "lost-bytes"),
    ("責任編輯:王某?。?/span>", "lost-bytes"),
    ("国家\ue15e统计", "mojibake"),
    ("The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t", "mojibake"),
    ("鎴戜滑鐨勫浗瀹舵鍦ㄥ揩閫熷彂灞曘", "mojibake"),
])
def test_find_corruption_kinds(text, kind):
    spans = find_corruption(text)
    assert kind in {k for _, _, k in spans}, spans
    assert all(0 <= start < end <= len(text) for start, end, _ in spans)


def test_repaired_text_reports_nothing():
    damaged = "會?h要求，" + "中国人民".encode().decode("gbk", "replace")
    assert find_corruption(damaged)
    assert find_corruption(_chain(damaged)) == []


# --------------------------------------------------------------------------------------------
# ../shared: the seed pages and ftfy's test cases


def _seed_pages() -> list[tuple[str, dict]]:
    gold = SHARED / "seeds" / "gold"
    if not gold.is_dir():
        pytest.skip("../shared/seeds is not present")
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(gold.glob("*.json"))]


def _han(text: str) -> str:
    return "".join(c for c in text if is_han(c))


def test_seed_lines_against_gold():
    """Damaged seed lines come out with the gold's characters (compared after Simplified
    conversion and without ruby pinyin, which later stages do); clean lines come out unchanged."""
    t2s = opencc.OpenCC("t2s")
    for name, page in _seed_pages():
        for line in page["lines"]:
            raw, out = line["raw"], _chain(line["raw"])
            if line.get("corrupt_in_raw"):
                assert out != raw, (name, line["line"])
                assert _han(t2s.convert(RUBY.sub("", out))) == _han(line["text"]), (name, line["line"])
                assert find_corruption(out) == [], (name, line["line"])
                assert "?" not in out
            else:
                assert out == raw, (name, line["line"])
                assert bool(find_corruption(raw)) == ("?" in raw), (name, line["line"], find_corruption(raw))
                if "text" in line:
                    assert _han(t2s.convert(RUBY.sub("", out))) == _han(line["text"]), (name, line["line"])


def test_seed_fragments():
    """The repairs the gold expects, in the Traditional the seeds are written in."""
    pages = dict(_seed_pages())
    repaired = {name: [_chain(line["raw"]) for line in page["lines"]] for name, page in pages.items()}
    text = "\n".join(line for lines in repaired.values() for line in lines)
    for fragment in ("下撥中組部", "下撥到位。", "累計(jì)向", "合力。縣機關", "第一線。縣委組織部"):
        assert fragment in text, fragment


def _ftfy_cases(name: str) -> list[dict]:
    path = SHARED / "testdata" / "ftfy" / f"{name}.json"
    if not path.is_file():
        pytest.skip("../shared/testdata/ftfy is not present")
    return json.loads(path.read_text(encoding="utf-8"))


def test_ftfy_cases_at_least_as_well_as_ftfy():
    cases = [c for name in ("in-the-wild", "synthetic") for c in _ftfy_cases(name) if c["expect"] == "pass"]
    ours = sum(_chain(c["original"]) == c.get("fixed-encoding", c["fixed"]) for c in cases)
    theirs = sum(ftfy.fix_encoding(c["original"]) == c.get("fixed-encoding", c["fixed"]) for c in cases)
    assert ours >= theirs, (ours, theirs, len(cases))


def test_ftfy_negative_cases_untouched():
    """Not mojibake: unchanged (one case holds C1 controls, which ftfy itself expects fixed)."""
    for case in _ftfy_cases("negative"):
        assert _chain(case["original"]) == case.get("fixed-encoding", case["fixed"]), case["label"]


def test_the_pickled_tables_are_the_tables_the_code_builds() -> None:
    """The pinyin index and swap tables are read from a pickle named by the code and data digest:
    the file on disk holds what building them gives now (not only what this process built)."""
    import pickle

    from pipeline.cache import cache_path, code_digest

    pipeline.repair._tables()  # the file exists from here on, built by this run or an earlier one
    stored = pickle.loads(cache_path(f"repair-tables-{code_digest()}.pickle").read_bytes())
    assert stored == pipeline.repair._build_tables()
    assert set(stored) == set(pipeline.repair.TABLES)


def test_three_byte_candidates_are_what_decoding_every_byte_gives() -> None:
    """The table of UTF-8 patterns with lost bytes computes code points from the bytes: it must
    hold exactly the plausible characters that decoding every byte combination gives, in order."""
    import itertools

    from pipeline.repair import _plausible, _utf8_candidates

    byte_ranges = [range(0xE0, 0xF0), range(0x80, 0xC0), range(0x80, 0xC0)]
    for pattern in itertools.product(*([*r, None] for r in byte_ranges)):
        if not 1 <= pattern.count(None) <= 2:
            continue
        decoded = []
        for combo in itertools.product(*(r if b is None else (b,) for r, b in zip(byte_ranges, pattern, strict=True))):
            try:
                ch = bytes(combo).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if _plausible(ch):
                decoded.append(ch)
        assert _utf8_candidates(pattern) == tuple(decoded), pattern
