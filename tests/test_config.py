"""Config: defaults load, the hash follows the rules, bad configs fail with one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config

from .conftest import jinghua


def test_default_config_loads_with_rule_packs(config) -> None:
    packs = {r.pack for r in config.rules}
    assert {"portal-chrome", "share-widgets", "newspaper-print", "copyright-footer", "metadata"} <= packs
    assert len(config.hash) == 16


def test_hash_changes_with_a_rule(tmp_path: Path) -> None:
    base = load_config()
    (tmp_path / "c.yaml").write_text("boilerplate:\n  heading_max_chars: 25\n", encoding="utf-8")
    assert load_config(tmp_path / "c.yaml").hash != base.hash
    (tmp_path / "same.yaml").write_text("ruby:\n  enabled: true\n", encoding="utf-8")
    assert load_config(tmp_path / "same.yaml").hash == base.hash


@pytest.mark.parametrize("text,message", [
    ("repair:\n  fixs: []\n", "unknown key 'repair.fixs'"),
    ("boilerplate:\n  heading_max_chars: many\n", "boilerplate.heading_max_chars must be int"),
    ("script:\n  target: t2x\n", "script.target 't2x' is not an OpenCC config"),
    ("colour: red\n", "unknown section 'colour'"),
    ("run:\n  shard_files: 0\n", "run.shard_files must be at least 1"),
    ("boilerplate:\n  packs: [rules/nope.yaml]\n", "names 'rules/nope.yaml', which does not exist"),
    ("ruby: [\n", "invalid YAML"),
])
def test_bad_config_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        load_config(path)


def test_bad_config_on_the_command_line_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("normalize:\n  nfc: maybe\n", encoding="utf-8")
    p = jinghua("run", "--config", str(path), "--raw", str(tmp_path), "--clean", str(tmp_path / "out"))
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [f"jinghua: {path}: normalize.nfc must be bool, not str 'maybe'"]
    assert "Traceback" not in p.stderr


def test_bad_rule_pack_names_the_rule(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "mine.yaml").write_text(
        "pack: mine\nrules:\n  - id: broken\n    pattern: '(unclosed'\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("boilerplate:\n  packs: [rules/mine.yaml]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="rule 'broken': bad pattern"):
        load_config(tmp_path / "c.yaml")


def test_missing_raw_dir_is_one_line(tmp_path: Path) -> None:
    p = jinghua("run", "--raw", str(tmp_path / "nowhere"), "--clean", str(tmp_path / "out"))
    assert p.returncode == 2 and p.stderr.startswith("jinghua: raw directory not found")
