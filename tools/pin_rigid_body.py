#!/usr/bin/env python3
"""Pins a default-athlete scenario to the first wave's body (rigid generators, no two-joint units, one-piece
feet), which issue 16 replaced as the default athlete's. Used once on the committed scenarios whose controllers and
results were made on that body; kept for scenario files written before issue 16:

    tools/pin_rigid_body.py FILE.toml ...

Adds `series_elastic = false` and `two_joint = false` to `[strength]` and `toe = false` to `[athlete]` (creating
the tables at the end if absent), with a comment; a file that already sets a key keeps its value."""
import re
import sys

NOTE = "# The first wave's body: rigid generators, no two-joint units (issue 16 made them the default athlete's)."
TOE_NOTE = "# The first wave's one-piece foot (issue 16 gave the default athlete toes)."


def has_key(text, table, key):
    cur = None
    for line in text.splitlines():
        m = re.match(r"\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
        if m:
            cur = m.group(1).strip()
        elif cur == table and re.match(rf"\s*{key}\s*=", line):
            return True
    return False


def add(text, table, lines):
    lines = [l for l in lines if l.startswith("#") or not has_key(text, table, l.split("=")[0].strip())]
    if all(l.startswith("#") for l in lines):
        return text
    m = re.search(rf"^\[{re.escape(table)}\]\s*(#.*)?\n", text, flags=re.M)
    block = "".join(l + "\n" for l in lines)
    if m:
        return text[: m.end()] + block + text[m.end():]
    return text.rstrip("\n") + f"\n\n[{table}]\n" + block


for path in sys.argv[1:]:
    text = open(path).read()
    new = add(text, "strength", [NOTE, "series_elastic = false", "two_joint = false"])
    new = add(new, "athlete", [TOE_NOTE, "toe = false"])
    if new != text:
        open(path, "w").write(new)
        print("pinned", path)
