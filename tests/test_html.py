"""Extraction: blocks with kinds and spans from HTML, lines from dumps, chrome elements dropped."""

from __future__ import annotations

from pipeline.html import extract, extract_html, extract_lines, strip_tag_residue

PAGE = """<!doctype html><html><head><title>站名</title><style>p{color:red}</style>
<script>var x = "<p>脚本里的字</p>";</script></head><body>
<nav><a href="/">首页</a> <a href="/n">新闻</a></nav>
<div class="share-bar">分享到：微博 微信</div>
<div class="article-content">
<h1>河道整治工程&ldquo;完工&rdquo;</h1>
<h2>两岸新添步道</h2>
<p>今年三月开工的河道整治工程昨天全部完工，<b>河水</b>明显变清。</p>
<p>附近居民说：&#8220;傍晚来散步的人多了。&#8221;<br>工程共投入资金1.2亿元。</p>
</div>
<ul class="related"><li><a href="/a">另一篇文章的标题</a></li></ul>
<footer>版权所有 某某网</footer></body></html>"""


def test_html_blocks_kinds_and_text(config) -> None:
    ex = extract(PAGE, config["html"])
    assert ex.is_html
    assert [(b.kind, b.text) for b in ex.blocks] == [
        ("title", "河道整治工程“完工”"),
        ("heading", "两岸新添步道"),
        ("body", "今年三月开工的河道整治工程昨天全部完工，河水明显变清。"),
        ("body", "附近居民说：“傍晚来散步的人多了。”"),
        ("body", "工程共投入资金1.2亿元。"),
    ]
    dropped = {r.rule: r.block.text for r in ex.rejected}
    assert dropped["html/nav"] == "首页 新闻"
    assert dropped["html/share"] == "分享到：微博 微信"
    assert "html/footer" in dropped and "html/related" in dropped
    assert all("脚本" not in b.text for b in ex.blocks)


def test_html_spans_point_at_the_source(config) -> None:
    for b in extract(PAGE, config["html"]).blocks:
        raw = PAGE[b.start:b.end]
        assert strip_tag_residue(raw).replace("&ldquo;", "“").replace("&rdquo;", "”").replace(
            "&#8220;", "“").replace("&#8221;", "”") == b.text
        assert b.ops == ["html"] or raw == b.text


def test_stray_end_tags_do_not_stop_extraction(config) -> None:
    page = "<html><body><p>第一段正文内容。</p></body></html>\n<p>第二段也是正文。</p></html>"
    assert [b.text for b in extract_html(page, config["html"]).blocks] == ["第一段正文内容。", "第二段也是正文。"]


def test_unclosed_paragraphs_and_newlines_inside_chinese(config) -> None:
    page = "<html><body><p>第一行\n  接着写<p>第二段"
    assert [b.text for b in extract_html(page, config["html"]).blocks] == ["第一行接着写", "第二段"]


def test_dump_lines_with_tag_residue() -> None:
    text = "\u3000\u3000第一段。\n\n（编辑：某某）</span>\r\n最后一行"
    ex = extract_lines(text)
    assert [b.text for b in ex.blocks] == ["\u3000\u3000第一段。", "（编辑：某某）", "最后一行"]
    assert [text[b.start:b.end] for b in ex.blocks] == ["\u3000\u3000第一段。", "（编辑：某某）</span>", "最后一行"]
    assert ex.blocks[1].ops == ["html"]
    assert strip_tag_residue("a < b 且 c > d") == "a < b 且 c > d"


SOUP = """<html><head><title>新桥通车 两岸居民往来更方便_某某网</title>
<meta name="pubdate" content="2020-02-05 08:12:30"></head><body>
<div class="c0"><a href="/">首页</a><a href="/a">本地</a><a href="/b">视频</a></div>
<div class="c1"><div class="c2">新桥通车 两岸居民往来更方便</div>
<div class="c3">2020年02月05日 08:12 来源：某某网</div>
<div class="c4">
<div>今年以来，<span class="ad-x">【广告】</span>两岸居民盼望已久的新桥终于建成通车。</div>
<div>桥长八百米，<span>双向四车道</span>，还设有人行道和自行车道。</div>
<div>附近的居民说，以前过河要绕行半个小时，现在几分钟就到了。</div>
</div></div>
<div class="c7"><div><a href="/n1">另一篇文章的标题</a><div>这里是另一篇文章的摘要，不是正文。</div></div>
<div><a href="/n2">第二篇文章的标题</a><div>第二篇的摘要也有标点，同样不是正文。</div></div></div>
<div class="c9">某某网 2020</div></body></html>"""


def test_main_content_is_chosen_over_class_free_div_soup(config) -> None:
    ex = extract_html(SOUP, config["html"])
    assert [(b.kind, b.text) for b in ex.blocks] == [
        ("title", "新桥通车 两岸居民往来更方便"),
        ("body", "2020年02月05日 08:12 来源：某某网"),  # a date line: boilerplate parses and drops it
        ("body", "今年以来，两岸居民盼望已久的新桥终于建成通车。"),
        ("body", "桥长八百米，双向四车道，还设有人行道和自行车道。"),
        ("body", "附近的居民说，以前过河要绕行半个小时，现在几分钟就到了。"),
    ]
    rules = {r.block.text: r.rule for r in ex.rejected}
    assert rules["【广告】"] == "html/ad"  # dropped inside the sentence, which stays one paragraph
    assert rules["这里是另一篇文章的摘要，不是正文。"] == "html/outside-main"
    assert rules["某某网 2020"] == "html/outside-main"
    assert ex.metadata == {"published": "2020-02-05T08:12:30"}


def test_publication_time_from_a_script_variable_or_time_element(config) -> None:
    page = '<html><head><script>var publishTime = "2021-3-4 10:05";</script></head><body><p>正文。</p></body></html>'
    assert extract_html(page, config["html"]).metadata == {"published": "2021-03-04T10:05"}
    page = '<html><body><time datetime="2021-03-04T10:05:00+08:00">3月4日</time><p>正文。</p></body></html>'
    assert extract_html(page, config["html"]).metadata == {"published": "2021-03-04T10:05:00"}


def test_unclosed_cells_and_a_stray_body_end_keep_the_article_whole(config) -> None:
    para = "今年以来，全市新建社区食堂四十二家，覆盖三百多个居民小区。"
    page = (f"<html><body><table><tr><td><a href=/>首页</a> <a href=/x>新闻</a><td>"
            f"<p>{para}</p></body></html><p>{para.replace('四十二', '五十')}</p></table>"
            "<div><a href=/y>友情链接一</a> <a href=/z>友情链接二</a></div></body></html>")
    ex = extract_html(page, config["html"])
    assert [b.text for b in ex.blocks] == [para, para.replace("四十二", "五十")]
    assert [(r.rule, r.block.text) for r in ex.rejected] == [
        ("html/link-block", "首页 新闻"), ("html/link-block", "友情链接一 友情链接二")]


def test_drop_hints_and_tokens_match_in_any_case(config) -> None:
    settings = {**config["html"], "drop_hints": ["SHARE"], "drop_tokens": ["AD"]}
    page = ('<html><body><div class="Share-Bar">分享到：微博</div><p>正文第一段，内容完整。'
            '<span class="ad">广告</span>接着说。</p></body></html>')
    ex = extract_html(page, settings)
    assert [b.text for b in ex.blocks] == ["正文第一段，内容完整。接着说。"]
    assert {r.rule for r in ex.rejected} == {"html/share", "html/ad"}


def test_script_bodies_comments_and_quoted_brackets_are_not_text(config) -> None:
    page = ('<html><body><script>var s = "<p>不是正文</p>"; // </scripts> -- x</script >'
            '<!-- 注释 -- <p>仍是注释</p> -- -->'
            '<div title="a > b" class=\'x\'><p>这是正文的第一段，内容完整。</p></div>'
            '<style>p > b { color: red }')
    assert [b.text for b in extract_html(page, config["html"]).blocks] == ["这是正文的第一段，内容完整。"]
