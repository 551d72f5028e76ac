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
