"""The hosted room (Zero to JupyterHub) and the room-sizing numbers.

- workshop/z2jh/values.yaml parses and uses only keys that the pinned chart knows. The known
  keys are a list derived from the chart's values schema (workshop/z2jh/chart-keys.txt, whose
  header names the chart version and the schema file); for another version regenerate it with
  ``python tests/test_workshop_values.py values.schema.yaml VERSION > workshop/z2jh/chart-keys.txt``
  (the schema is jupyterhub/values.schema.yaml in the chart's repository at that tag).
- its memory guarantee and limit are the ones workshop/sizing.py derives from the measured peaks,
  and it bakes the assets into the image, pre-pulls the image and culls idle servers;
- the instructor guide's room-sizing table is exactly the generated one.
"""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml
from conftest import ROOT

WORKSHOP = ROOT / "workshop"
sys.path.insert(0, str(WORKSHOP))
import sizing  # noqa: E402

VALUES = WORKSHOP / "z2jh" / "values.yaml"
CHART_KEYS = WORKSHOP / "z2jh" / "chart-keys.txt"
APPENDIX = WORKSHOP / "z2jh" / "appendix.Dockerfile"
GUIDE = ROOT / "book" / "instructor_guide.md"
# JSON-schema patternProperties seen in the chart, as fnmatch patterns for one key.
PATTERNS = {".*": "*", "^[A-Z].*$": "[A-Z]*"}


def keys_from_schema(schema: dict, prefix: str = "") -> list[str]:
    """Dotted key patterns a values file may use, read from a chart's JSON schema.

    ``a.b`` is a known key; ``a.b.*`` means anything below ``a.b`` is free-form (the schema
    allows extra properties there, or gives none); patternProperties become fnmatch patterns.
    """
    keys: list[str] = []
    for name, node in (schema.get("properties") or {}).items():
        path = f"{prefix}.{name}" if prefix else name
        keys.append(path)
        keys.extend(keys_from_schema(node, path))
        extra = node.get("additionalProperties")
        if extra is True or isinstance(extra, dict) or (
                extra is None and not node.get("properties") and "object" in _types(node)):
            keys.append(f"{path}.*")
        for regex in node.get("patternProperties") or {}:
            keys.append(f"{path}.{PATTERNS[regex]}")
    return keys


def _types(node: dict) -> list[str]:
    kind = node.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def known_keys(path: Path = CHART_KEYS) -> list[str]:
    """The stored key patterns (comment lines skipped)."""
    lines = path.read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def value_paths(values: dict, prefix: str = "") -> Iterator[str]:
    """Every mapping key in a values file as a dotted path (lists are values, not descended)."""
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        yield path
        if isinstance(value, dict):
            yield from value_paths(value, path)


def unknown_keys(values: dict, patterns: list[str]) -> list[str]:
    """The paths no pattern matches."""
    return [p for p in value_paths(values) if not any(fnmatch.fnmatchcase(p, k) for k in patterns)]


def _values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def test_key_list_derivation_on_a_small_schema():
    schema = {"properties": {
        "hub": {"type": "object", "additionalProperties": False, "properties": {
            "config": {"type": "object", "additionalProperties": False,
                       "patternProperties": {"^[A-Z].*$": {"type": "object"}}},
            "extraEnv": {"type": ["object", "array"], "additionalProperties": True},
            "baseUrl": {"type": "string"}}},
        "custom": {"type": "object"}}}
    keys = keys_from_schema(schema)
    assert keys == ["hub", "hub.config", "hub.config.[A-Z]*", "hub.extraEnv", "hub.extraEnv.*",
                    "hub.baseUrl", "custom", "custom.*"]
    ok = {"hub": {"config": {"NativeAuthenticator": {"open_signup": False}},
                  "extraEnv": {"A": "1"}, "baseUrl": "/"}, "custom": {"x": {"y": 1}}}
    assert unknown_keys(ok, keys) == []
    bad = {"hub": {"config": {"lowercase": {}}, "baseURL": "/"}, "singleuser": {}}
    assert unknown_keys(bad, keys) == ["hub.config.lowercase", "hub.baseURL", "singleuser"]


def test_values_parse_and_use_only_known_keys():
    header = CHART_KEYS.read_text().splitlines()[0]
    assert header.startswith("# Zero to JupyterHub chart"), header
    patterns = known_keys()
    assert len(patterns) > 300  # the whole chart, not just the keys this file uses
    assert unknown_keys(_values(), patterns) == []
    # and the check can fail: a misspelt key is caught
    assert unknown_keys({"singleuser": {"memory": {"limt": "1G"}}}, patterns) == [
        "singleuser.memory.limt"]


def test_values_memory_and_cpu_come_from_the_measured_peaks():
    learner = sizing.learner_sizing()
    single = _values()["singleuser"]
    assert single["memory"] == {"guarantee": learner.guarantee, "limit": learner.limit}, (
        f"update workshop/z2jh/values.yaml: {sizing.describe(learner)}")
    assert single["cpu"] == {"guarantee": sizing.HEAVY_FRACTION, "limit": 1}


def test_values_bake_assets_in_prepull_and_cull():
    values = _values()
    single = values["singleuser"]
    env = single["extraEnv"]
    assert env["COURSE_PROFILE"] == "offline" and env["COURSE_THREADS"] == "1"
    # the folder the image build fills (appendix) is the one the learners read
    assert f"COURSE_ASSETS={env['COURSE_ASSETS']}" in APPENDIX.read_text()
    assert f"COURSE_CACHE={env['COURSE_ASSETS']}" in APPENDIX.read_text()
    assert single["image"]["name"] and single["image"]["tag"]
    assert "learner_start.py" in " ".join(single["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert values["prePuller"]["hook"]["enabled"] and values["prePuller"]["continuous"]["enabled"]
    assert values["cull"]["enabled"] and values["cull"]["timeout"] > 0


def test_guide_room_sizing_table_is_the_generated_one():
    table = sizing.sizing_table()
    assert table in GUIDE.read_text(), (
        "book/instructor_guide.md's room-sizing table differs from the measurements: replace it "
        f"with the output of `python workshop/sizing.py`:\n{table}")


def chart_keys_file(schema: dict, version: str) -> str:
    """The text of chart-keys.txt: a header naming the source, then the key patterns."""
    url = (f"https://github.com/jupyterhub/zero-to-jupyterhub-k8s/blob/{version}/"
           "jupyterhub/values.schema.yaml")
    return "\n".join([
        f"# Zero to JupyterHub chart {version}: the keys its values schema defines, one dotted path"
        " a line.",
        f"# Source: {url}",
        "# Derived with keys_from_schema() in tests/test_workshop_values.py;",
        "# `.*` = free-form below, `[A-Z]*` = any configurable class name (hub.config).",
        *keys_from_schema(schema), ""])


if __name__ == "__main__":  # python tests/test_workshop_values.py values.schema.yaml 4.4.0
    print(chart_keys_file(yaml.safe_load(Path(sys.argv[1]).read_text()), sys.argv[2]), end="")
