"""A generated test set of portal pages with gold text and gold metadata (issue #5).

Twelve invented portals, each with its own template: HTML (classic CMS, nested layout tables with
a ``<br>``-only article, div soup with obfuscated classes, HTML5 ``<article>``, an e-paper, a TV
station, a government site, a finance portal, a blog theme, a class-free table-and-font page) and
text dumps (a flattened desktop page and a Traditional mobile page). The last two HTML templates
(songjiang, dongfang) were written after the rules and the extractor were tuned on the others, as
a check on pages they were not written for. The chrome is invented for this set (menus, share and font-size widgets,
players, pagination, continuation marks, promo lines, teaser runs, comment boxes, footers,
copyright and ICP lines), and so is every article: sentences below are recombined from a seed.
Markup is messy on purpose: stray ``</body></html>`` early, unclosed tags, text split by inline
tags, live quotes and ads injected inside sentences, paginated articles (part k of n).

``pages()`` is deterministic: the same seed gives the same bytes. Gold text is Simplified with
full-width punctuation (what the pipeline must produce); Traditional pages are written with
OpenCC ``s2t`` from sentences that convert back exactly.
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache

from pipeline.script import get_converter

SEED = 20200205

SENTENCES = [
    "今年以来，全市新建社区食堂四十二家，覆盖三百多个居民小区。",
    "社区食堂由街道提供场地，引入专业团队运营，菜价比周边餐馆低两到三成。",
    "不少独居老人表示，过去常常一个馒头对付一顿，如今走几步就能吃上热饭。",
    "为了让菜品更合口味，食堂每周收集一次意见，根据老人的建议调整菜谱。",
    "区民政局负责人介绍，明年还将在十个村设立助餐点，并开通送餐上门服务。",
    "清晨六点，河堤步道上已有不少晨跑的市民，白鹭在浅滩上悠闲地觅食。",
    "三年前，这段河道因为沿岸排污被列为重点整治对象，河水常年发黑发臭。",
    "整治工程累计清理淤泥二十多万立方米，封堵排污口六十余个，新建截污管网四十公里。",
    "沿河各街道推行河长加志愿者的巡河模式，每周至少巡查两次，发现问题及时上报。",
    "监测数据显示，今年上半年该河段水质稳定达到三类标准，创下有记录以来的最好水平。",
    "记者在现场看到，新建成的停车楼共有六层，可提供车位八百多个。",
    "停车楼采用智能引导系统，车主进场后可以通过屏幕快速找到空余车位。",
    "附近商户说，以前顾客常因找不到车位而离开，现在店里的生意明显好了起来。",
    "交通部门提醒，停车楼开放初期实行免费停车，正式收费标准将另行公布。",
    "今年秋季，全县种植的三万亩晚稻喜获丰收，平均亩产比去年提高了约五十公斤。",
    "在城南镇的收购点，农户们排着队把烘干的稻谷送上传送带，现场一片繁忙。",
    "种粮大户老孙告诉记者，今年风调雨顺，加上用了新品种，收成比预想的还要好。",
    "县农业农村局表示，将继续推广良种良法，帮助农户降低成本、增加收入。",
    "博物馆新馆建筑面积三万平方米，设有六个常设展厅和两个临时展厅。",
    "开馆首日，馆方推出了青铜器特展，展出文物一百二十余件，其中不少是首次公开亮相。",
    "一位带着孩子前来参观的家长说，孩子对古代乐器特别感兴趣，看了好几遍还不肯走。",
    "馆长介绍，新馆实行预约参观制度，每天限流五千人，周一闭馆进行维护。",
    "为方便市民出行，地铁五号线将于本月底开通试运营，全线共设车站十八座。",
    "五号线串联起城东的高铁站、大学城和产业园区，预计日均客流可达二十万人次。",
    "试运营期间，首班车时间为早上六点，末班车时间为晚上十点半。",
    "运营公司提醒乘客，开通初期部分站点出入口尚未全部开放，请留意现场指引。",
    "本届马拉松共有两万名跑者参赛，赛道途经老城区、滨江公园和会展中心。",
    "比赛当天气温适宜，男子组冠军以两小时十一分的成绩打破了赛会纪录。",
    "沿途有上千名志愿者为跑者提供补给和医疗保障，不少市民自发在路边加油助威。",
    "组委会表示，明年将增设亲子跑项目，让更多家庭参与到这项运动中来。",
    "据统计，上半年全市规模以上工业增加值同比增长百分之六点五，增速高于全省平均水平。",
    "其中，新能源汽车和集成电路两个产业表现突出，产值分别增长三成和两成以上。",
    "消费市场持续回暖，餐饮、住宿和文化旅游消费增长明显。",
    "统计部门分析认为，下半年经济有望保持平稳向好的态势，但外部环境仍有不确定性。",
    "受冷空气影响，未来三天本市将出现明显降温，最低气温可能降到零度以下。",
    "气象部门提醒市民及时添加衣物，驾车出行注意路面结冰，尽量减少不必要的外出。",
    "供暖企业已提前做好准备，全市集中供暖将比往年提前五天启动。",
    "社区医生建议，老人和儿童要特别注意保暖，出现发热症状应及时就医。",
    "这所建于上世纪五十年代的老校舍，经过一年的修缮后重新投入使用。",
    "修缮过程中，施工方保留了原有的青砖外墙和木质门窗，对屋顶进行了加固。",
    "学校还在校舍一层开辟了校史陈列室，展出老照片和历届学生的作业本。",
    "一位八十多岁的老校友专程赶来参观，看到熟悉的教室时忍不住红了眼眶。",
    "为了解决老旧小区居民上下楼难的问题，今年全区计划加装电梯一百五十部。",
    "加装电梯实行一楼一策，由居民协商出资比例，政府给予每部二十万元的补贴。",
    "家住六楼的王阿姨说，以前下楼买菜要歇好几次，现在出门方便多了。",
    "住建部门表示，将简化审批流程，力争从申请到完工控制在半年以内。",
    "这场音乐节吸引了来自各地的三十多支乐队，三天时间里共接待乐迷八万人次。",
    "主办方在现场设置了非遗市集，游客可以体验剪纸、陶艺和扎染等传统技艺。",
    "为了减少垃圾，音乐节全程推行可循环餐具，入口处还设置了饮水补给站。",
    "当地文旅部门介绍，音乐节期间周边酒店入住率超过九成，带动消费近两亿元。",
    "这家成立仅三年的企业，研发的巡检机器人已经在二十多个城市的地下管廊投入使用。",
    "机器人可以连续工作七十二小时，自动识别管道渗漏和设备异常，识别准确率超过九成。",
    "企业负责人说，团队里一半以上是九零后工程师，平均年龄不到三十岁。",
    "目前，企业正在研发适用于桥梁检测的新一代产品，预计明年投放市场。",
    "山区的孩子们第一次在自己学校的操场上踢上了正规比赛。",
    "去年秋天，一家公益基金会为学校捐建了人工草坪球场，还派来了专业教练。",
    "教练说，孩子们身体素质很好，只是以前缺少系统训练，进步速度让人惊喜。",
    "如今，学校足球队已经在全县中小学联赛中拿到了第三名。",
    "近日，市图书馆推出了夜间开放服务，每周五和周六延长开放至晚上十点。",
    "夜间开放首周，到馆读者超过六千人次，其中不少是下班后前来充电的年轻人。",
    "图书馆还在夜间举办读书沙龙和电影放映活动，吸引了许多家庭参加。",
    "馆方表示，将根据读者反馈，考虑把夜间开放扩大到每周四天。",
    "今年入汛以来，全省累计降雨量比常年同期偏多两成，多条河流出现超警戒水位。",
    "防汛部门提前转移危险区域群众一万余人，没有发生人员伤亡。",
    "各地组织巡堤查险人员日夜值守，发现险情第一时间处置。",
    "水利专家提醒，进入主汛期后，山区群众要特别警惕山洪和泥石流。",
]

HEADINGS = ["一线走访", "多方发力", "下一步打算", "群众反映", "数字背后", "专家观点", "延伸服务", "未来规划"]
LIST_ITEMS = [
    "早餐供应时间为每天七点至九点；",
    "午餐和晚餐需提前一天预约；",
    "八十岁以上老人凭证件可享受优惠；",
    "行动不便的老人可申请送餐上门。",
    "第一阶段完成河道清淤；",
    "第二阶段建设生态护岸；",
    "第三阶段开放滨河步道。",
]
CAPTIONS = [
    "图为市民在新开放的步道上散步。",
    "图为工作人员正在调试设备。",
    "图为孩子们在新球场上训练。",
    "图为读者在图书馆内阅读。",
    "图为志愿者为跑者提供补给。",
]
TITLES = [
    "社区食堂开到家门口 老人吃饭不再犯愁", "昔日黑臭河道重现白鹭翩飞", "新建停车楼投用 商圈停车难有望缓解",
    "三万亩晚稻喜获丰收 亩产提高五十公斤", "博物馆新馆开放 青铜器特展首日迎客", "地铁五号线月底开通试运营",
    "两万跑者竞逐城市马拉松 男子组刷新赛会纪录", "上半年工业增加值增长百分之六点五", "冷空气来袭 本市将迎明显降温",
    "老校舍修缮一新重新投入使用", "全区今年计划加装电梯一百五十部", "三天八万人次 音乐节带火周边消费",
    "九零后团队研发巡检机器人走进地下管廊", "山区孩子有了自己的标准球场", "市图书馆推出夜间开放服务",
    "全省转移危险区域群众一万余人", "滨江公园改造完成 新增三处儿童乐园", "乡村公路提档升级 村民出行更便捷",
    "首批智慧路灯亮相主干道", "老街骑楼整修完工 商户盼客流回升", "社区卫生服务中心开设夜间门诊",
    "农产品直播带货助农增收", "城市绿道串起十个公园", "大学生志愿者走进乡村课堂",
]
PORTAL_NAMES = {
    "qingshan": "青山日报网", "yunhai": "云海在线", "jinhe": "金河新闻", "nanxi": "南溪晚报",
    "beiyuan": "北原日报", "xinglin": "杏林广播电视台", "hexi": "河西区人民政府网", "chuanyue": "川悦财经",
    "taohua": "桃花新闻网", "liuying": "柳營新聞",
}
SOURCES = ["青山日报", "云海晚报", "金河发布", "南溪晚报", "北原日报", "杏林台", "河西区发展改革局", "川悦财经",
           "桃花新闻网", "柳营新闻"]
NAMES = ["许明远", "陈晓岚", "周立群", "韩雪", "邓一凡", "罗佳", "孟子涵", "苏文博", "唐宁", "葛晓东", "潘越", "钟灵"]


@dataclass
class Page:
    """One generated page and what cleaning it must give."""

    path: str
    data: bytes
    portal: str
    is_html: bool
    title: str
    paragraphs: list[str]  # the article's own text after the title, in order (Simplified)
    meta: dict[str, str]  # expected document fields: published, source_name, editor, reporter, …
    chrome: list[str] = field(default_factory=list)  # chrome strings that must not be kept
    traditional: bool = False

    @property
    def gold(self) -> list[str]:
        return [self.title, *self.paragraphs]


@dataclass
class Article:
    """Invented article content: items are (kind, text) with kind p | h | li | cap."""

    title: str
    items: list[tuple[str, str]]

    @property
    def paragraphs(self) -> list[str]:
        return [t for _, t in self.items]


@cache
def _roundtrip_ok() -> frozenset[str]:
    """Sentences (and other gold strings) whose Traditional form converts back exactly."""
    s2t, t2s = get_converter("s2t"), get_converter("t2s")
    texts = [*SENTENCES, *HEADINGS, *LIST_ITEMS, *CAPTIONS, *TITLES]
    return frozenset(t for t in texts if t2s.convert(s2t.convert(t)) == t)


def _article(rng: random.Random, lists: bool = False, captions: bool = False, headings: bool = False) -> Article:
    ok = _roundtrip_ok()
    pool = [s for s in SENTENCES if s in ok]
    title = rng.choice([t for t in TITLES if t in ok])
    items: list[tuple[str, str]] = []
    for i in range(rng.randint(3, 7)):
        if headings and i in (2, 4):
            items.append(("h", rng.choice(HEADINGS)))
        items.append(("p", "".join(rng.sample(pool, rng.randint(1, 3)))))
        if lists and i == 1:
            start = rng.choice([0, 4])
            items += [("li", t) for t in LIST_ITEMS[start:start + (4 if start == 0 else 3)]]
        if captions and i == 0:
            items.append(("cap", rng.choice(CAPTIONS)))
    return Article(title, items)


# ------------------------------------------------------------------------------------------------
# Dates and bylines
# ------------------------------------------------------------------------------------------------

WEEKDAYS = "一二三四五六日"


@dataclass
class When:
    y: int
    m: int
    d: int
    hh: int
    mm: int
    ss: int

    def iso(self, time: bool = True, seconds: bool = False) -> str:
        iso = f"{self.y:04d}-{self.m:02d}-{self.d:02d}"
        if time:
            iso += f"T{self.hh:02d}:{self.mm:02d}"
            if seconds:
                iso += f":{self.ss:02d}"
        return iso


def _when(rng: random.Random) -> When:
    return When(rng.randint(2016, 2024), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                rng.randint(0, 59), rng.randint(0, 59))


# The visible date formats portals use (``str.format`` over When's fields and ``wd``, a weekday),
# each with how much of the time its ISO form carries.
DATE_FORMATS = (
    ("{y}年{m:02d}月{d:02d}日 {hh:02d}:{mm:02d}", "minutes"),
    ("{y}-{m:02d}-{d:02d}", "date"),
    ("{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d}", "seconds"),
    ("{y}/{m:02d}/{d:02d} {hh:02d}:{mm:02d}", "minutes"),
    ("{y}年{m}月{d}日", "date"),
    ("{y}.{m:02d}.{d:02d}", "date"),
    ("{y}年{m}月{d}日 星期{wd} {hh:02d}:{mm:02d}", "minutes"),
    ("{y}-{m}-{d} {hh}:{mm:02d}", "minutes"),
    ("{y}年{m:02d}月{d:02d}日{hh:02d}:{mm:02d}", "minutes"),
)


def _date_text(rng: random.Random, w: When) -> tuple[str, str]:
    """A visible date in one of the formats portals use, and its ISO form."""
    text, precision = DATE_FORMATS[rng.randrange(len(DATE_FORMATS))]
    wd = WEEKDAYS[(w.y * 7 + w.m * 3 + w.d) % 7]  # any weekday: only its form matters
    return text.format(**vars(w), wd=wd), w.iso(time=precision != "date", seconds=precision == "seconds")


def _names(rng: random.Random, k: int) -> list[str]:
    return rng.sample(NAMES, k)


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def _p(text: str, rng: random.Random, indent: bool = True) -> str:
    lead = rng.choice(["", "　　", "&nbsp;&nbsp;&nbsp;&nbsp;"]) if indent else ""
    return f"<p>{lead}{esc(text)}</p>"


def _split_inline(text: str, rng: random.Random) -> str:
    """The text cut into pieces wrapped in inline tags (as editors and CMSs leave it)."""
    cuts = sorted(rng.sample(range(1, len(text)), min(3, len(text) - 1)))
    parts = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    tags = ["span", "font", "b", "strong", "em", "span style=\"color:#333\""]
    out = []
    for part in parts:
        tag = rng.choice(tags)
        out.append(f"<{tag}>{esc(part)}</{tag.split()[0]}>")
    return "".join(out)


def _inject(text: str, rng: random.Random, widget: str) -> str:
    """Insert an inline widget (live quote, ad) after a comma inside the sentence."""
    commas = [i for i, c in enumerate(text) if c == "，"]
    if not commas:
        return esc(text)
    i = rng.choice(commas) + 1
    return esc(text[:i]) + widget + esc(text[i:])


# ------------------------------------------------------------------------------------------------
# Portal templates: each returns (page text, meta, chrome strings)
# ------------------------------------------------------------------------------------------------

Rendered = tuple[str, dict[str, str], list[str]]


def _items_html(art: Article, rng: random.Random, p: Callable[[str], str] | None = None) -> list[str]:
    out: list[str] = []
    p = p or (lambda t: _p(t, rng))
    i = 0
    while i < len(art.items):
        kind, text = art.items[i]
        if kind == "li":
            run = []
            while i < len(art.items) and art.items[i][0] == "li":
                run.append(f"<li>{esc(art.items[i][1])}</li>")
                i += 1
            out.append("<ul>" + "".join(run) + "</ul>")
            continue
        if kind == "h":
            out.append(f"<h3>{esc(text)}</h3>")
        elif kind == "cap":
            out.append(f'<p class="pic"><img src="/img/{rng.randint(1000, 9999)}.jpg"></p>'
                       f'<p class="pic-note">{esc(text)}</p>')
        else:
            out.append(p(text))
        i += 1
    return out


def qingshan(rng: random.Random, art: Article, w: When) -> Rendered:
    """Classic CMS: article div with info line, TRS_Editor body, widgets without telling classes."""
    date, iso = _date_text(rng, w)
    editor, author = _names(rng, 2)
    menu = ["首页", "时政", "本地", "民生", "文旅", "视听", "专题", "数字报"]
    teasers = rng.sample([t for t in TITLES if t != art.title], 4)
    comment = "这样的好事要多办，希望我们小区也能早点安排上。"
    chrome = ["青山日报网", "在线投稿", "【字号 大 中 小】", "【我要纠错】", "【打印本文】", "【关闭本页】",
              "分享到朋友圈", "青山日报网版权所有", "浙ICP备20231234号", "看青山，就下青山日报客户端", *teasers,
              comment, "网友留言"]
    page = [
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">",
        f"<title>{esc(art.title)}_青山日报网</title>",
        "<script>var site='qingshan';</script></head><body>",
        '<div class="topbar"><span>青山日报网</span> <a href="/tg">在线投稿</a> <a href="/app">客户端</a></div>',
        '<div class="mnav">' + "".join(f'<a href="/{i}">{m}</a>' for i, m in enumerate(menu)) + "</div>",
        '<div class="w1200"><div class="lft">',
        '<div class="article">',
        f"<h1>{esc(art.title)}</h1>",
        f'<div class="info">{date}&nbsp;&nbsp;来源：青山日报&nbsp;&nbsp;作者：{author}</div>',
        '<div class="zt">【字号 <a>大</a> <a>中</a> <a>小</a>】</div>',
        '<div class="TRS_Editor">',
        *_items_html(art, rng),
        "</div>",
        f"<div class=\"bj\">（责任编辑：{editor}）</div>",
        '<div class="gj">【我要纠错】【打印本文】【关闭本页】</div>',
        '<div class="fx"><a>分享到朋友圈</a> <a>微博</a></div>',
        '<div class="appad"><a href="/app">看青山，就下青山日报客户端</a></div>',
        "</div>",
        '<div class="xg"><div class="hd">相关稿件</div><ul>'
        + "".join(f'<li><a href="/n/{rng.randint(1, 9999)}.html">{t}</a></li>' for t in teasers) + "</ul></div>",
        f'<div class="ly"><div class="hd">网友留言</div><div class="it"><b>青山网友</b><p>{comment}</p></div></div>',
        "</div>",
        '<div class="rgt"><div class="hd">排行</div><ol>'
        + "".join(f"<li><a>{t}</a></li>" for t in teasers[:2]) + "</ol></div></div>",
        '<div class="bottom"><p>青山日报网版权所有 未经书面授权禁止使用</p><p>浙ICP备20231234号</p></div>',
        "</body></html>",
    ]
    meta = {"published": iso, "source_name": "青山日报", "author": author, "editor": editor}
    return "\n".join(page), meta, chrome


def yunhai(rng: random.Random, art: Article, w: When) -> Rendered:
    """Nested layout tables, title in a bold cell, a <br>-only article, part k of n with pagination."""
    date, iso = _date_text(rng, w)
    reporter = _names(rng, 1)[0]
    n = rng.randint(2, 4)
    k = rng.randint(1, n)
    body = "<br>\n<br>\n".join("　　" + esc(t) for t in art.paragraphs)
    pager = "上一页 " + " ".join(str(i) if i != k else f"[{i}]" for i in range(1, n + 1)) + " 下一页"
    links = ["云海首页", "新闻中心", "云海论坛", "便民服务", "云海房产", "云海汽车"]
    promo = "扫码关注云海在线公众号，第一时间获取本地资讯"
    chrome = [*links, pager, promo, "本站所有内容未经许可不得转载", "滇ICP备10086123号-2", "云海在线 版权所有"]
    page = [
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">",
        f"<title>{esc(art.title)}--云海在线</title></head>",
        "<body leftmargin=0 topmargin=0>",
        '<table width="960" align="center"><tr><td colspan="2">'
        + "".join(f'<a href="/{i}/">{x}</a> | ' for i, x in enumerate(links)) + "</td></tr>",
        "<tr><td width=\"200\" valign=\"top\"><table><tr><td>栏目导航</td></tr>"
        + "".join(f"<tr><td><a href=\"/c{i}\">{x}</a></td></tr>" for i, x in enumerate(links)) + "</table></td>",
        '<td width="760" valign="top"><table width="100%">',
        f'<tr><td class="biaoti" align="center"><b>{esc(art.title)}</b></td></tr>',
        f'<tr><td align="center">{date}　来源：云海在线　记者：{reporter}</td></tr>',
        f"<tr><td class=\"hui12\">\n{body}\n</td></tr>",
        f'<tr><td align="center">{pager}</td></tr>',
        f'<tr><td><font color="red">{promo}</font></td></tr>',
        "</table></td></tr></table>",
        '<table width="960" align="center"><tr><td align="center">云海在线 版权所有<br>本站所有内容未经许可不得转载<br>'
        "滇ICP备10086123号-2</td></tr></table>",
        "</body></html>",
    ]
    meta = {"published": iso, "source_name": "云海在线", "reporter": reporter}
    return "\n".join(page), meta, chrome


def jinhe(rng: random.Random, art: Article, w: When) -> Rendered:
    """Div soup with obfuscated classes; the date only in <meta>; quotes and ads inside sentences."""
    w_iso = w.iso(seconds=True)
    page_meta = rng.choice([
        f'<meta property="article:published_time" content="{w_iso}+08:00">',
        f'<meta name="pubdate" content="{w.y}-{w.m:02d}-{w.d:02d} {w.hh:02d}:{w.mm:02d}:{w.ss:02d}">',
        f'<meta name="publishdate" content="{w.y}-{w.m:02d}-{w.d:02d} {w.hh:02d}:{w.mm:02d}:{w.ss:02d}">',
    ])
    teasers = rng.sample([t for t in TITLES if t != art.title], 3)
    summaries = ["记者近日走访发现，不少市民对此十分关心，纷纷表示期待。",
                 "据了解，相关工作已经全面铺开，预计年底前完成。",
                 "多位专家在接受采访时表示，这一做法值得推广。"]
    quote = '<span class="hq-live">金河指数 3021.45 ↑0.38%</span>'
    ad = '<a class="ad-inline" href="/go/77">【广告】金河银行信用卡，刷卡满额送好礼</a>'
    body = []
    for i, text in enumerate(art.paragraphs):
        if i == 1:
            inner = _inject(text, rng, quote)
        elif i == 2:
            inner = _inject(text, rng, ad)
        else:
            inner = _split_inline(text, rng)
        body.append(f'<div class="x9f">{inner}</div>')
    chrome = ["金河新闻", "金河指数", "【广告】金河银行信用卡", "刷卡满额送好礼", *teasers, *summaries,
              "打开金河新闻APP，阅读体验更佳", "金河新闻 © 2024"]
    page = [
        "<!doctype html><html><head><meta charset=\"utf-8\">", page_meta,
        f"<title>{esc(art.title)} | 金河新闻</title></head><body>",
        '<div class="c0"><div class="c0a">金河新闻</div>'
        + "".join(f"<div class=\"c0b\"><a href=\"/{i}\">{x}</a></div>" for i, x in enumerate(
            ["推荐", "本地", "视频", "图集", "财经", "健康"])) + "</div>",
        '<div class="c2">',
        f'<div class="c3">{esc(art.title)}</div>',
        '<div class="c4">',
        *body,
        "</div>",
        '<div class="c5">打开金河新闻APP，阅读体验更佳</div>',
        "</div>",
        '<div class="c7">'
        + "".join(f'<div class="c7i"><a href="/a/{i}">{t}</a><div class="c7s">{s}</div></div>'
                  for i, (t, s) in enumerate(zip(teasers, summaries, strict=True))) + "</div>",
        '<div class="c9">金河新闻 © 2024</div>',
        "</body></html>",
    ]
    return "\n".join(page), {"published": w_iso}, chrome


def nanxi(rng: random.Random, art: Article, w: When) -> Rendered:
    """HTML5 article (Traditional): <time datetime>, byline, figure with caption, list, share bar."""
    reporter = _names(rng, 1)[0]
    iso = w.iso()
    teasers = rng.sample([t for t in TITLES if t != art.title], 3)
    items = []
    for kind, text in art.items:
        if kind == "cap":
            items.append(f'<figure><img src="/p/{rng.randint(1, 999)}.jpg"><figcaption>{esc(text)}</figcaption>'
                         "</figure>")
        elif kind == "li":
            items.append(f"<li>{esc(text)}</li>")
        elif kind == "h":
            items.append(f"<h2>{esc(text)}</h2>")
        else:
            items.append(f"<p>{esc(text)}</p>")
    # wrap list items in one <ul> (unclosed on purpose in some pages)
    joined = "\n".join(items).replace("</p>\n<li>", "</p>\n<ul><li>", 1)
    if "<ul>" in joined:
        last = joined.rfind("</li>") + len("</li>")
        joined = joined[:last] + ("</ul>" if rng.random() < 0.5 else "") + joined[last:]
    chrome = ["南溪晚报", "即時新聞", "訂閱電子報", "分享至臉書", "複製連結", "延伸閱讀", *teasers, "南溪晚報 版權所有",
              "會員登入"]
    page = [
        "<!DOCTYPE html><html lang=\"zh-Hant\"><head><meta charset=\"utf-8\">",
        f"<title>{esc(art.title)} - 南溪晚報</title></head><body>",
        '<header class="site"><a href="/">南溪晚報</a> <a>即時新聞</a> <a>訂閱電子報</a> <a>會員登入</a></header>',
        "<main><article>",
        f"<header><h1>{esc(art.title)}</h1>",
        f'<time datetime="{w.iso(seconds=True)}+08:00">{w.y}/{w.m:02d}/{w.d:02d} {w.hh:02d}:{w.mm:02d}</time>'
        f"　記者{reporter}／南溪報導</header>",
        '<div class="story-body">',
        joined,
        "</div>",
        '<div class="tools"><a>分享至臉書</a> <a>複製連結</a></div>',
        "</article>",
        '<section class="more"><h3>延伸閱讀</h3>'
        + "".join(f'<a href="/n/{i}"><h4>{t}</h4></a>' for i, t in enumerate(teasers)) + "</section>",
        "</main>",
        "<footer>南溪晚報 版權所有</footer></body></html>",
    ]
    return "\n".join(page), {"published": iso, "reporter": reporter}, chrome


def beiyuan(rng: random.Random, art: Article, w: When) -> Rendered:
    """E-paper: edition header, continuation marks inside the text, reporter and correspondent."""
    reporter, corr = _names(rng, 2)
    edition = rng.randint(1, 12)
    date = f"{w.y}年{w.m:02d}月{w.d:02d}日"
    paras = [f"<p>{esc(t)}</p>" if k != "h" else f"<h3>{esc(t)}</h3>" for k, t in art.items]
    cont_in, cont_out = f"（上接第{edition - 1 or 1}版）", f"（下转第{edition + 1}版）"
    paras.insert(0, f"<p>{cont_in}</p>")
    paras.append(f"<p>{cont_out}</p>")
    chrome = [f"第{edition:02d}版：要闻", "北原日报数字报", "往期回顾", "版面导航", "上一版", "下一版", cont_in,
              cont_out,
              "北原日报社 版权所有", "冀ICP备05001234号"]
    page = [
        "<html><head><meta charset=\"gbk\">",
        f"<title>北原日报数字报-{esc(art.title)}</title></head><body>",
        '<div class="paper-top">北原日报数字报 <a>往期回顾</a> <a>版面导航</a></div>',
        f'<div class="paper-date">{date} 星期{WEEKDAYS[w.d % 7]}</div>',
        f'<div class="banci">第{edition:02d}版：要闻 <a>上一版</a> <a>下一版</a></div>',
        '<table class="main"><tr><td class="art">',
        f"<h1>{esc(art.title)}</h1>",
        f"<div class=\"author\">本报记者 {reporter} 通讯员 {corr}</div>",
        '<div id="ozoom">',
        *paras,
        "</div>",
        "</td></tr></table>",
        '<div class="foot">北原日报社 版权所有 冀ICP备05001234号</div>',
        "</body></html>",
    ]
    meta = {"published": w.iso(time=False), "reporter": reporter, "correspondent": corr, "author": reporter,
            "edition": str(edition)}
    return "\n".join(page), meta, chrome


def xinglin(rng: random.Random, art: Article, w: When) -> Rendered:
    """TV station: player widget, the date only in a script variable, comment box, hot list."""
    editor = _names(rng, 1)[0]
    var = rng.choice(["pubTime", "publishTime", "pubdate"])
    teasers = rng.sample([t for t in TITLES if t != art.title], 4)
    comments = ["说得太好了，为家乡点赞！", "我们村什么时候也能这样？盼望早日落实。"]
    chrome = ["杏林广播电视台", "直播", "点播", "00:00/03:15", "播放", "网友评论", *comments, "热门排行", *teasers,
              "扫码下载杏林台APP", "杏林广播电视台 版权所有"]
    stray = "</body></html>" if rng.random() < 0.5 else ""
    body = _items_html(art, rng)
    cut = len(body) // 2
    page = [
        "<html><head><meta charset=\"utf-8\">",
        f"<title>{esc(art.title)}-杏林广播电视台</title>",
        f"<script>var {var} = \"{w.y}-{w.m:02d}-{w.d:02d} {w.hh:02d}:{w.mm:02d}:{w.ss:02d}\"; var cid=3;</script>",
        "</head><body>",
        '<div class="hd"><b>杏林广播电视台</b> <a>直播</a> <a>点播</a> <a>栏目</a></div>',
        '<div class="con">',
        f"<h2 class=\"tit\">{esc(art.title)}</h2>",
        '<div class="player"><div class="ctrl">播放</div><span>00:00/03:15</span></div>',
        '<div id="ctext">',
        *body[:cut], stray, *body[cut:],
        f"<p class=\"ed\">编辑：{editor}</p>",
        "</div>",
        '<div class="pl"><div class="plt">网友评论</div>'
        + "".join(f'<div class="pli">{c}</div>' for c in comments) + "</div>",
        '<div class="phb"><div class="plt">热门排行</div>'
        + "".join(f'<div><span>{i + 1}</span><a>{t}</a></div>' for i, t in enumerate(teasers)) + "</div>",
        "<div class=\"qr\">扫码下载杏林台APP</div>",
        "</div>",
        '<div class="ft">杏林广播电视台 版权所有</div>',
        "</body></html>",
    ]
    meta = {"published": w.iso(seconds=True), "editor": editor}
    return "\n".join(page), meta, chrome


def hexi(rng: random.Random, art: Article, w: When) -> Rendered:
    """Government site: table layout, 发布日期/信息来源/浏览次数, print and close buttons, attachments."""
    date = f"{w.y}-{w.m:02d}-{w.d:02d}"
    views = rng.randint(100, 9999)
    paras = [f'<p style="text-indent:2em">{esc(t)}</p>' for t in art.paragraphs]
    if rng.random() < 0.5:
        paras[-1] = paras[-1].replace("</p>", "")  # unclosed
    chrome = ["河西区人民政府网", "政务公开", "政务服务", "互动交流", f"浏览次数：{views}", "【打印本页】",
              "【关闭窗口】",
              "附件：", "主办：河西区人民政府办公室", "网站标识码", "京公网安备11010502030001号", "京ICP备08012345号"]
    page = [
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">",
        f"<title>{esc(art.title)}</title></head><body>",
        '<table width="1000"><tr><td><img src="/logo.png">河西区人民政府网</td></tr>',
        "<tr><td><a>首页</a> <a>政务公开</a> <a>政务服务</a> <a>互动交流</a></td></tr></table>",
        '<table width="1000"><tr><td>',
        f'<table width="100%"><tr><td align="center" class="bt">{esc(art.title)}</td></tr>',
        f"<tr><td align=\"center\">发布日期：{date} 信息来源：河西区发展改革局 浏览次数：{views}</td></tr></table>",
        '<div class="TRS_Editor">',
        *paras,
        "</div>",
        '<table><tr><td>附件：<a href="/f/1.doc">1.申报表.doc</a></td></tr></table>',
        '<table><tr><td align="right">【打印本页】【关闭窗口】</td></tr></table>',
        "</td></tr></table>",
        '<table width="1000"><tr><td>主办：河西区人民政府办公室 网站标识码1101050001<br>'
        "京ICP备08012345号 京公网安备11010502030001号</td></tr></table>",
        "</body></html>",
    ]
    return "\n".join(page), {"published": w.iso(time=False), "source_name": "河西区发展改革局"}, chrome


def chuanyue(rng: random.Random, art: Article, w: When) -> Rendered:
    """Finance portal: ticker bar, market tables, live quotes in sentences, risk notice, 来源：… date."""
    date, iso = _date_text(rng, w)
    tickers = ["上证 3021.45 +0.38%", "深成 9876.54 -0.12%", "创业板 1988.20 +1.02%"]
    rows = "".join(f"<tr><td><a>{n}</a></td><td>{p}</td><td>{c}</td></tr>" for n, p, c in
                   [("川悦科技", "12.35", "+2.1%"), ("蜀道能源", "8.02", "-0.6%"), ("锦城银行", "5.71", "+0.3%")])
    quote = '<span class="stock-quote">（川悦科技 12.35 +2.1%）</span>'
    paras = [f"<p>{_inject(t, rng, quote) if i == 0 else esc(t)}</p>" for i, t in enumerate(art.paragraphs)]
    risk = "风险提示：本文内容仅供参考，不构成投资建议，据此操作风险自担。"
    chrome = [*tickers, "川悦科技 12.35", "自选股", "行情中心", risk, "川悦财经 版权所有", "蜀ICP备19088888号"]
    page = [
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">",
        f"<title>{esc(art.title)}_川悦财经</title></head><body>",
        '<div class="ticker">' + "".join(f"<span>{t}</span>" for t in tickers) + "</div>",
        '<div class="menu"><a>首页</a><a>行情中心</a><a>自选股</a><a>基金</a><a>研报</a></div>',
        '<div class="wrap"><div class="art_main">',
        f"<h1 class=\"art_title\">{esc(art.title)}</h1>",
        f'<div class="art_info">来源：川悦财经 {date}</div>',
        '<div class="art_content">',
        *paras,
        f"<p class=\"risk\">{risk}</p>",
        "</div></div>",
        '<div class="side"><table class="hq"><tr><th>名称</th><th>最新价</th><th>涨跌幅</th></tr>' + rows + "</table>"
        "</div></div>",
        '<div class="foot">川悦财经 版权所有 蜀ICP备19088888号</div>',
        "</body></html>",
    ]
    return "\n".join(page), {"published": iso, "source_name": "川悦财经"}, chrome


def taohua(rng: random.Random, art: Article, w: When) -> Rendered:
    """Text dump of a desktop page: menus, widgets, pagination, promo, teasers, comments, footer."""
    date, iso = _date_text(rng, w)
    reporter, editor = _names(rng, 2)
    teasers = rng.sample([t for t in TITLES if t != art.title], 3)
    comment = "桃花网友：支持！希望相关部门继续加油，把好事办好。"
    n = rng.randint(2, 3)
    lines = [
        "桃花新闻网 | 首页 | 本地 | 社会 | 教育 | 房产 | 旅游",
        "当前位置：首页 > 本地新闻 > 正文",
        art.title,
        rng.choice([f"{date} 来源：桃花新闻网", f"发布时间：{date}　来源：桃花新闻网", f"来源：桃花新闻网 {date}"]),
        f"记者 {reporter}",
        "【字体：大 中 小】【打印】【关闭】",
        *("　　" + t if k == "p" else t for k, t in art.items),
        f"第1页 共{n}页 上一页 1 2 下一页",
        f"（责任编辑：{editor}）",
        "下载桃花新闻客户端，随时随地看新闻",
        "更多推荐",
        *("· " + t for t in teasers),
        "网友评论",
        comment,
        "关于本站 | 广告合作 | 联系方式 | 网站地图",
        "桃花新闻网版权所有 湘ICP备12003456号",
    ]
    chrome = [lines[0], "当前位置", "【字体：大 中 小】", "上一页", "下载桃花新闻客户端", "更多推荐", *teasers, comment,
              "关于本站", "湘ICP备12003456号"]
    meta = {"published": iso, "source_name": "桃花新闻网", "reporter": reporter, "editor": editor}
    return "\n".join(lines) + "\n", meta, chrome


def liuying(rng: random.Random, art: Article, w: When) -> Rendered:
    """Text dump of a mobile page in Traditional: back/share row, 來源 line, paging, app promo."""
    source = "柳營新聞"
    editor = _names(rng, 1)[0]
    k = rng.randint(1, 3)
    lines = [
        "返回 | 分享",
        "柳營新聞 APP 打開",
        art.title,
        f"{w.y}/{w.m:02d}/{w.d:02d} {w.hh:02d}:{w.mm:02d} 來源：{source}",
        *("　　" + t for t in art.paragraphs),
        f"上一頁 {' '.join(str(i) for i in range(1, 4))} 下一頁",
        f"（第{k}頁/共3頁）",
        f"責任編輯：{editor}",
        "打開柳營新聞APP，查看更多精彩內容",
        "熱門推薦",
        "· 颱風過境 全市停班停課一天",
        "· 老街夜市週末延長營業",
        "柳營新聞 版權所有",
    ]
    chrome = ["返回 | 分享", "柳營新聞 APP 打開", "上一頁", f"第{k}頁/共3頁", "打開柳營新聞APP", "熱門推薦", "颱風過境",
              "老街夜市", "柳營新聞 版權所有"]
    meta = {"published": w.iso(), "source_name": "柳营新闻", "editor": editor}
    return "\n".join(lines) + "\n", meta, chrome


def songjiang(rng: random.Random, art: Article, w: When) -> Rendered:
    """Blog engine theme: entry header and meta, entry content with a quote, post navigation, comments."""
    date = f"{w.y}年{w.m}月{w.d}日"
    author = _names(rng, 1)[0]
    prev_t, next_t = rng.sample([t for t in TITLES if t != art.title], 2)
    body = _items_html(art, rng, lambda t: f"<p>{esc(t)}</p>")
    reads = rng.randint(100, 99999)
    chrome = ["松江网", f"阅读 {reads}", prev_t, next_t, "发表评论", "电子邮件地址不会被公开。", "近期文章",
              "松江网 保留所有权利"]
    page = [
        '<!DOCTYPE html><html><head><meta charset="utf-8">',
        f'<title>{esc(art.title)} &#8211; 松江网</title>',
        f'<meta property="article:published_time" content="{w.iso(seconds=True)}+08:00"></head>',
        '<body class="single"><div id="page"><header id="masthead"><p class="site-title"><a href="/">松江网</a></p>',
        '<p class="site-description">松江人自己的新闻站</p></header>',
        '<div id="primary"><article class="post hentry">',
        f'<header class="entry-header"><h1 class="entry-title">{esc(art.title)}</h1>',
        f'<div class="entry-meta">发表于 {date} 作者：{author} <span class="views">阅读 {reads}</span></div></header>',
        '<div class="entry-content">', *body, "</div>",
        "</article>",
        f'<nav class="post-navigation"><a rel="prev">{prev_t}</a><a rel="next">{next_t}</a></nav>',
        '<div id="comments"><h3>发表评论</h3><p>电子邮件地址不会被公开。</p><textarea></textarea></div>',
        "</div>",
        f'<aside id="secondary"><h2>近期文章</h2><ul><li><a>{prev_t}</a></li></ul></aside>',
        '<footer id="colophon">松江网 保留所有权利</footer></div></body></html>',
    ]
    return "\n".join(page), {"published": w.iso(time=False), "author": author}, chrome


def dongfang(rng: random.Random, art: Article, w: When) -> Rendered:
    """An old table-and-font page without a single class: bracketed info and widget rows."""
    date, iso = _date_text(rng, w)
    author = _names(rng, 1)[0]
    teasers = rng.sample([t for t in TITLES if t != art.title], 3)
    snippets = ["详细情况请看报道。", "市民纷纷点赞，认为这是一件实事。", "记者第一时间赶到现场了解情况。"]
    paras = "".join(f"<p>{esc(t)}</p>" for t in art.paragraphs)
    chrome = ["东方快讯", "【收藏】【打印】【关闭】", "【进入论坛】", "相关链接：", *teasers, *snippets, "今日推荐",
              "东方快讯网络中心 制作维护"]
    page = [
        "<html><head><title>东方快讯</title></head><body bgcolor=#ffffff>",
        "<table width=778 border=0><tr><td><font size=6 color=red>东方快讯</font></td>",
        "<td><a href=/>首页</a> <a href=/gn>国内</a> <a href=/bd>本地</a> <a href=/ty>体育</a>"
        " <a href=/lt>论坛</a></td></tr>",
        "</table><table width=778><tr><td width=560 valign=top>",
        f"<center><font size=5><b>{esc(art.title)}</b></font></center>",
        f"<center>【{date}】【来源：东方快讯】【作者：{author}】</center><hr>",
        f"<font style=\"font-size:14px\">{paras}</font>",
        "<br><center>【收藏】【打印】【关闭】 <a href=/lt>【进入论坛】</a></center>",
        "<p>相关链接：</p>" + "".join(f"<p><a href=/n{i}.htm>{t}</a></p>" for i, t in enumerate(teasers)),
        "</td><td width=218 valign=top><table><tr><td><b>今日推荐</b></td></tr>"
        + "".join(f"<tr><td><a href=/t{i}.htm>{t}</a><br>{sn}</td></tr>" for i, (t, sn) in enumerate(
            zip(teasers, snippets, strict=True))) + "</table></td></tr></table>",
        "<center>东方快讯网络中心 制作维护</center></body></html>",
    ]
    return "\n".join(page), {"published": iso, "source_name": "东方快讯", "author": author}, chrome


PORTALS: dict[str, tuple[Callable[[random.Random, Article, When], Rendered], bool, dict[str, bool]]] = {
    # name: (template, is_html, article features)
    "qingshan": (qingshan, True, {"lists": True, "captions": True}),
    "yunhai": (yunhai, True, {}),
    "jinhe": (jinhe, True, {}),
    "nanxi": (nanxi, True, {"lists": True, "captions": True, "headings": True}),
    "beiyuan": (beiyuan, True, {"headings": True}),
    "xinglin": (xinglin, True, {"captions": True}),
    "hexi": (hexi, True, {}),
    "chuanyue": (chuanyue, True, {}),
    "taohua": (taohua, False, {"headings": True}),
    "liuying": (liuying, False, {}),
    "songjiang": (songjiang, True, {"lists": True, "headings": True}),
    "dongfang": (dongfang, True, {}),
}
ENCODINGS = {"yunhai": "gb18030", "beiyuan": "gb18030"}
TRADITIONAL = {"nanxi", "liuying"}


def _page(rng: random.Random, portal: str, n: int) -> Page:
    template, is_html, features = PORTALS[portal]
    art = _article(rng, **features)
    w = _when(rng)
    traditional = portal in TRADITIONAL or (portal in ("taohua", "qingshan") and rng.random() < 0.3)
    text, meta, chrome = template(rng, art, w)
    if traditional:
        s2t = get_converter("s2t")
        text, chrome = s2t.convert(text), [s2t.convert(c) for c in chrome]
    gold_text = "".join(art.paragraphs) + art.title
    chrome = [c for c in dict.fromkeys(chrome) if len(c) >= 2 and squeeze(t2s(c)) not in gold_text]
    data = text.encode(ENCODINGS.get(portal, "utf-8"))
    ext = "html" if is_html else "txt"
    return Page(f"{portal}/{n:03d}.{ext}", data, portal, is_html, art.title, art.paragraphs, meta, chrome,
                traditional)


def squeeze(text: str) -> str:
    """Text without whitespace: the form texts are compared in."""
    return "".join(text.split())


def t2s(text: str) -> str:
    return get_converter("t2s").convert(text)


def char_match(gold: str, got: str) -> int:
    """Characters of ``got`` aligned with ``gold`` (difflib matching blocks, no junk heuristic)."""
    return sum(b.size for b in SequenceMatcher(None, gold, got, autojunk=False).get_matching_blocks())


def pages(per_portal: int = 20, seed: int = SEED) -> list[Page]:
    """The whole set: ``per_portal`` pages of every portal, reproducible from ``seed``."""
    rng = random.Random(seed)
    return [_page(rng, portal, n) for portal in PORTALS for n in range(per_portal)]
