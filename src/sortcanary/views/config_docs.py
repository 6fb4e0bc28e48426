"""config/README.md's table of keys, generated from the schema, and a check of every default the
docs state: docs that cannot drift from the schema, the only place a default lives.

``python -m sortcanary.views.config_docs config/README.md`` (``make docs``) rewrites the table
between the two markers; ``--check`` only says whether it is current. ``default_claims`` finds
what the prose says about defaults -- ``## key (default `X`)`` headings, ``## section: a, b
(defaults `1`, `2`)``, ``* `key` (default `X`)`` lines, ``key``/``default`` tables under a
``### section`` heading, ``` `key: X` (the default)```, ``(`key`, default `X` s)`` -- and
``disagreements`` compares each
with the schema. A ``(default ...)`` it can't read is a disagreement too: say it checkably.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from ..boundary import JSONDict
from ..config import load_schema

BEGIN = "<!-- BEGIN key table: generated from workflow/schemas/config.schema.yaml by `make docs` -->"
END = "<!-- END key table -->"
MISSING = object()


def leaves(schema: JSONDict, prefix: str = "") -> list[tuple[str, JSONDict]]:
    """Every configurable key as (dotted name, its schema); a section with properties is opened."""
    found = []
    for name, sub in schema.get("properties", {}).items():
        key = f"{prefix}{name}"
        if sub.get("type") == "object" and sub.get("properties"):
            found += leaves(sub, key + ".")
        else:
            found.append((key, sub))
    return found


def render(value: object) -> str:
    """A value as YAML writes it in a config file (flow style)."""
    return yaml.safe_dump(value, default_flow_style=True, width=1000).strip().removesuffix("...").strip()


def type_text(sub: JSONDict) -> str:
    types = sub.get("type", "any")
    types = [types] if isinstance(types, str) else list(types)
    if "enum" in sub:
        return "one of " + ", ".join(str(v) for v in sub["enum"])
    if "array" in types and "items" in sub:
        item = sub["items"]
        kinds = item.get("type", "any")
        inner = "one of " + "/".join(item["enum"]) if "enum" in item else "/".join([kinds] if isinstance(kinds, str) else kinds)
        types = [f"list of {inner}" if t == "array" else t for t in types]
    return " or ".join(types)


def key_table(schema: JSONDict | None = None) -> str:
    schema = schema or load_schema()
    required = set(schema.get("required", []))
    rows = ["| key | type | default | description |", "| --- | --- | --- | --- |"]
    for key, sub in leaves(schema):
        default = "(required)" if key in required else f"`{render(sub['default'])}`" if "default" in sub else ""
        text = " ".join(str(sub.get("description", "")).split()).replace("|", "\\|").replace("<", "&lt;")
        rows.append(f"| `{key}` | {type_text(sub)} | {default} | {text} |")
    return "\n".join(rows)


def with_table(readme: str, schema: JSONDict | None = None) -> str:
    """``readme`` with the generated table between the markers (which must be there)."""
    if BEGIN not in readme or END not in readme:
        raise ValueError(f"the README has no key table markers; add the lines\n{BEGIN}\n{END}")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{key_table(schema)}\n{END}{tail}"


def schema_default(key: str, schema: JSONDict) -> object:
    """The schema's default for a dotted key; MISSING for a key the schema doesn't have."""
    node = schema
    for part in key.split("."):
        node = node.get("properties", {}).get(part)
        if node is None:
            return MISSING
    return node.get("default", MISSING)


HEADING = re.compile(r"^#{2,4} (?P<keys>[^(`]+?) \((?P<claim>defaults?\b[^)]*|required)\)\s*$")
VALUES = re.compile(r"defaults?:? ((?:`[^`]*`(?:, )?)+)")
INLINE = re.compile(r"`(?P<key>[a-z_][\w.|]*)`[^`(]*\((?P<claim>defaults?\b[^)]*)(?:\)|$)")
THE_DEFAULT = re.compile(r"`(?P<key>[a-z_][\w.]*): (?P<value>[^`]+)` \(the default\)")
KEY_DEFAULT = re.compile(r"\(`(?P<key>[a-z_][\w.]*)`, default `(?P<value>[^`]+)`[^)]*\)")
TABLE_ROW = re.compile(r"^\| `(?P<key>[\w.]+)` \| (?P<value>[^|]+?) \|")


def _expand(keys: str) -> list[str]:
    """``formats.streams.a|b`` -> the two keys; ``inactivity: base_s, max_s`` -> inactivity.base_s, ..."""
    if ":" in keys:
        section, names = keys.split(":", 1)
        return [f"{section.strip()}.{n.strip()}" for n in names.split(",")]
    base, _, alternatives = keys.partition("|")
    if not alternatives:
        return [keys.strip()]
    stem = base.rpartition(".")[0]
    return [base, *(f"{stem}.{a}" for a in alternatives.split("|"))]


def default_claims(text: str) -> list[tuple[int, str, str | None]]:
    """(line number, key, the default claimed -- None when it can't be read) for every statement
    about a default outside the generated table."""
    claims: list[tuple[int, str, str | None]] = []
    section, table_default_column, generated = "", False, False
    for number, line in enumerate(text.splitlines(), 1):
        generated = (generated or line == BEGIN) and line != END
        if generated:
            continue
        heading = HEADING.match(line)
        if line.startswith("#"):
            section = line.lstrip("#").split("(")[0].strip()
            table_default_column = False
        if heading:
            keys = _expand(heading["keys"])
            if heading["claim"] == "required":
                claims += [(number, key, "(required)") for key in keys]
                continue
            values = VALUES.match(heading["claim"])
            found = re.findall(r"`([^`]*)`", values[1]) if values else []
            claims += [(number, key, found[i] if len(found) == len(keys) else None) for i, key in enumerate(keys)]
            continue
        if line.startswith("| key |"):
            table_default_column = "| default |" in line
            continue
        row = TABLE_ROW.match(line)
        if row and table_default_column and section:
            claims.append((number, f"{section}.{row['key']}", row["value"].strip().strip("`")))
            continue
        for inline in INLINE.finditer(line):
            values = VALUES.match(inline["claim"])
            keys = _expand(inline["key"])
            claims += [(number, key, re.findall(r"`([^`]*)`", values[1])[0] if values else None) for key in keys]
        for default in [*THE_DEFAULT.finditer(line), *KEY_DEFAULT.finditer(line)]:
            claims.append((number, default["key"], default["value"]))
        if re.search(r"\(defaults?\b", line) and not INLINE.search(line):
            claims.append((number, "?", None))
    return claims


def disagreements(text: str, schema: JSONDict | None = None, source: str = "README") -> list[str]:
    """One line per default the text states that the schema doesn't have (or that can't be read)."""
    schema = schema or load_schema()
    required = set(schema.get("required", []))
    problems = []
    for number, key, claimed in default_claims(text):
        where = f"{source}:{number}: {key}"
        actual = "(required)" if key in required else schema_default(key, schema)
        if claimed is None:
            problems.append(f"{where}: can't read the default stated here; write it as (default `X`)")
        elif actual is MISSING:
            problems.append(f"{where}: no such key, or it has no default, in the schema")
        elif (claimed if key in required else yaml.safe_load(claimed)) != actual:
            problems.append(f"{where}: says {claimed}, the schema says {render(actual)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sortcanary.views.config_docs", description=__doc__.split("\n")[0])
    parser.add_argument("readme", nargs="?", default="config/README.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when the table is stale or a default disagrees")
    args = parser.parse_args(argv)
    path = Path(args.readme)
    current = path.read_text()
    wanted = with_table(current)
    problems = disagreements(wanted, source=str(path))
    for line in problems:
        print(line, file=sys.stderr)
    if args.check:
        if wanted != current:
            print(f"{path}: the key table is stale; run `make docs`", file=sys.stderr)
        return int(wanted != current or bool(problems))
    if wanted != current:
        path.write_text(wanted)
        print(f"{path}: key table regenerated")
    return int(bool(problems))


if __name__ == "__main__":
    sys.exit(main())
