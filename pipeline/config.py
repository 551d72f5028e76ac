"""Load, validate and hash the configuration: configs/default.yaml, a user file over it, rule packs.

Every error is a ``ConfigError`` with one line naming the file and the key, so the CLI can print it
without a traceback. The hash covers the resolved settings and the contents of every rule pack,
so it names the corpus version: change a rule, get a new version.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "configs" / "default.yaml"


class ConfigError(ValueError):
    """A configuration problem, described in one line."""


# The shape of a config: section -> key -> expected type. Values live in configs/default.yaml.
SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "input": {"max_bytes": int, "max_lines": int, "skip_hidden": bool},
    "decode": {"sample_bytes": int, "candidates": list, "min_text_ratio": float},
    "html": {"drop_tags": list, "drop_hints": list, "drop_tokens": list, "block_tags": list, "caption_tags": list},
    "repair": {"enabled": bool, "fixes": list},
    "ruby": {"enabled": bool},
    "boilerplate": {
        "enabled": bool, "packs": list, "body_min_han": int, "heading_max_chars": int,
        "head_zone": bool, "widget_words": list, "widget_max_residual_han": int,
    },
    "script": {"enabled": bool, "target": str, "dictionaries": str, "overrides": dict},
    "normalize": {
        "enabled": bool, "nfc": bool, "fullwidth_alnum": bool, "han_punctuation": bool,
        "strip_invisible": bool,
    },
    "site_chrome": {"enabled": bool, "min_pages": int, "min_share": float, "max_chars": int, "pinned": (list, dict)},
    "dedup": {"enabled": bool, "min_chars": int, "near_threshold": float},
    "run": {"shard_files": int, "records_file_bytes": int},
}

RULE_KEYS = {"id", "description", "exact", "pattern", "dateline", "zone", "max_chars", "examples",
             "counter_examples"}


@dataclass(frozen=True)
class Rule:
    """One boilerplate rule: matches a line by exact text, a regex, or as a dateline."""

    id: str
    pack: str
    description: str
    exact: frozenset[str] = frozenset()
    pattern: re.Pattern[str] | None = None
    dateline: bool = False
    zone: str | None = None
    max_chars: int = 0
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Config:
    """The resolved configuration: settings by section, compiled rules, and the hash of both."""

    settings: dict[str, dict[str, Any]]
    rules: tuple[Rule, ...]
    hash: str
    source: str = field(default="")

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.settings[section]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and other.hash == self.hash

    def __hash__(self) -> int:
        return hash(self.hash)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read config ({e.strerror or e})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} invalid YAML ({getattr(e, 'problem', e)})") from None


def _check_type(path: Path, key: str, value: Any, expected: type | tuple[type, ...]) -> Any:
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is int and isinstance(value, bool):
        raise ConfigError(f"{path}: {key} must be an integer, not {value!r}")
    if not isinstance(value, expected):
        name = expected.__name__ if isinstance(expected, type) else "/".join(t.__name__ for t in expected)
        raise ConfigError(f"{path}: {key} must be {name}, not {type(value).__name__} {value!r}")
    return value


def _merge(path: Path, base: dict[str, dict[str, Any]], data: Any) -> None:
    """Merge a user mapping over the defaults, rejecting unknown sections, keys and wrong types."""
    if data is None:
        return
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping of sections")
    for section, values in data.items():
        if section not in SCHEMA:
            raise ConfigError(f"{path}: unknown section '{section}' (known: {', '.join(SCHEMA)})")
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: section '{section}' must be a mapping")
        for key, value in values.items():
            if key not in SCHEMA[section]:
                raise ConfigError(f"{path}: unknown key '{section}.{key}'")
            base[section][key] = _check_type(path, f"{section}.{key}", value, SCHEMA[section][key])


def _compile_rule(path: Path, pack: str, raw: Any, n: int) -> Rule:
    where = f"{path}: rules[{n}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a mapping")
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key '{sorted(unknown)[0]}'")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        raise ConfigError(f"{where}: 'id' is required")
    where = f"{path}: rule '{rid}'"
    kinds = [k for k in ("exact", "pattern", "dateline") if raw.get(k)]
    if len(kinds) != 1:
        raise ConfigError(f"{where}: needs exactly one of exact, pattern, dateline")
    pattern = None
    if "pattern" in raw:
        try:
            pattern = re.compile(str(raw["pattern"]))
        except re.error as e:
            raise ConfigError(f"{where}: bad pattern ({e})") from None
    zone = raw.get("zone")
    if zone not in (None, "tail"):
        raise ConfigError(f"{where}: zone must be 'tail'")
    for key in ("exact", "examples", "counter_examples"):
        if key in raw and not (isinstance(raw[key], list) and all(isinstance(x, str) for x in raw[key])):
            raise ConfigError(f"{where}: {key} must be a list of strings")
    max_chars = raw.get("max_chars")
    if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < 1:
        raise ConfigError(f"{where}: max_chars (the longest line the rule may remove) must be a positive integer")
    return Rule(
        id=f"{pack}/{rid}", pack=pack, description=str(raw.get("description", "")),
        exact=frozenset(raw.get("exact", [])), pattern=pattern, dateline=bool(raw.get("dateline")),
        zone=zone, max_chars=max_chars, examples=tuple(raw.get("examples", [])),
        counter_examples=tuple(raw.get("counter_examples", [])),
    )


def _load_pack(path: Path) -> tuple[list[Rule], Any]:
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("pack"), str):
        raise ConfigError(f"{path}: a rule pack needs 'pack: <name>' and 'rules: [...]'")
    if not isinstance(data.get("rules"), list):
        raise ConfigError(f"{path}: 'rules' must be a list")
    rules = [_compile_rule(path, data["pack"], r, i) for i, r in enumerate(data["rules"])]
    return rules, data


def load_config(path: str | Path | None = None) -> Config:
    """The default config, with the user's file (if any) merged over it and its rule packs loaded."""
    defaults = _read_yaml(DEFAULT_CONFIG)
    settings: dict[str, dict[str, Any]] = {s: {} for s in SCHEMA}
    _merge(DEFAULT_CONFIG, settings, defaults)
    missing = [f"{s}.{k}" for s, keys in SCHEMA.items() for k in keys if k not in settings[s]]
    if missing:
        raise ConfigError(f"{DEFAULT_CONFIG}: missing key '{missing[0]}'")
    source = DEFAULT_CONFIG
    if path is not None:
        source = Path(path)
        if not source.is_file():
            raise ConfigError(f"{source}: config file not found")
        _merge(source, settings, _read_yaml(source))
    _validate_values(source, settings)
    rules: list[Rule] = []
    pack_data = []
    for name in settings["boilerplate"]["packs"]:
        pack_path = (source.parent / name) if (source.parent / name).is_file() else ROOT / "configs" / name
        if not pack_path.is_file():
            raise ConfigError(f"{source}: boilerplate.packs names '{name}', which does not exist")
        pack_rules, data = _load_pack(pack_path)
        rules += pack_rules
        pack_data.append(data)
    ids = [r.id for r in rules]
    dup = next((i for i in ids if ids.count(i) > 1), None)
    if dup:
        raise ConfigError(f"{source}: rule id '{dup}' is defined twice")
    canonical = json.dumps({"settings": settings, "packs": pack_data}, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    return Config(settings=copy.deepcopy(settings), rules=tuple(rules), hash=digest, source=str(source))


def _validate_values(path: Path, s: dict[str, dict[str, Any]]) -> None:
    """Checks beyond types: names that must exist, numbers that must be positive."""
    from .repair import REPAIRS
    from .script import CONFIGS, DICTIONARY_SOURCES

    if s["script"]["target"] not in CONFIGS:
        raise ConfigError(f"{path}: script.target '{s['script']['target']}' is not an OpenCC config "
                          f"({', '.join(CONFIGS)})")
    if s["script"]["dictionaries"] not in DICTIONARY_SOURCES:
        raise ConfigError(f"{path}: script.dictionaries must be one of {', '.join(DICTIONARY_SOURCES)}")
    known = [name for name, _ in REPAIRS]
    for fix in s["repair"]["fixes"]:
        if fix not in known:
            raise ConfigError(f"{path}: repair.fixes names unknown fix '{fix}' ({', '.join(known)})")
    for enc in s["decode"]["candidates"]:
        try:
            "".encode(str(enc))
        except LookupError:
            raise ConfigError(f"{path}: decode.candidates names unknown encoding '{enc}'") from None
    positive = (("run", "shard_files"), ("input", "max_bytes"), ("input", "max_lines"), ("run", "records_file_bytes"))
    for section, key in positive:
        if s[section][key] < 1:
            raise ConfigError(f"{path}: {section}.{key} must be at least 1")
    if not 0 <= s["dedup"]["near_threshold"] <= 1:
        raise ConfigError(f"{path}: dedup.near_threshold must be between 0 and 1 (0 switches it off)")
    chrome = s["site_chrome"]
    for key, low in (("min_pages", 2), ("max_chars", 1)):
        if chrome[key] < low:
            raise ConfigError(f"{path}: site_chrome.{key} must be at least {low}")
    if not 0 < chrome["min_share"] <= 1:
        raise ConfigError(f"{path}: site_chrome.min_share must be above 0 and at most 1")
    pinned = chrome["pinned"]
    lists = pinned.values() if isinstance(pinned, dict) else [pinned]
    if not all(isinstance(site, str) for site in pinned) or \
            not all(isinstance(x, list) and all(isinstance(t, str) and t.strip() for t in x) for x in lists):
        raise ConfigError(f"{path}: site_chrome.pinned must be a list of lines or map sites to lists of lines")
    for k, v in s["script"]["overrides"].items():
        if not (isinstance(k, str) and isinstance(v, str) and k):
            raise ConfigError(f"{path}: script.overrides must map phrases to phrases")
