#!/usr/bin/env python3
"""Fixture accuracy report: how many of the annotated findings each rule finds, and what else it raises.

Usage (from anywhere, Python 3.11, standard library only):

    python3 bench/accuracy.py                 # build the release binary, run, print, write the report
    python3 bench/accuracy.py --no-build      # use the release binary already built
    python3 bench/accuracy.py --binary PATH   # use this routewarden binary (implies --no-build)
    python3 bench/accuracy.py --output FILE   # write the Markdown report here instead

It runs `cargo build --release --locked -p routewarden` (the binary is looked up in the target
folder that `cargo metadata` reports, so CARGO_TARGET_DIR and .cargo/config are honoured), then
`routewarden check CASE --format json --select CODE --exit-zero` once for every case folder
`crates/routewarden_rules/fixtures/<CODE>/<case>/`, and compares the set of (file, line, code) it
reports with the `# expect: CODE[, CODE...]` annotations of the case's `.py` files.

It mirrors the fixture test harness (crates/routewarden/tests/fixtures.rs and tests/common/mod.rs)
exactly, so that the two always agree:
  * every folder `fixtures/<CODE>/` is one rule; every sub-folder of it is one case, analysed on
    its own with only `CODE` selected (`--select CODE`);
  * a case with a `routewarden.toml` is analysed with that configuration (`--config`), whose
    `extend-select`, `ignore`, floors and rule settings apply; `--select CODE` replaces its
    `select` as the harness does; a case without one uses no configuration (`--no-config`);
  * expectations: in every `.py` file below the case (symbolic links are not followed), on
    every line, the text after the first `# expect:` is split on commas and white space and
    each word is a code expected on that line, until the first word that is not ASCII letters
    and digits; files are decoded as UTF-8 with replacement, lines split as Rust's
    `str::lines` does;
  * it runs in crates/routewarden, as `cargo test` does, on the case's absolute path, so the
    files have the same paths and names as in the harness (test-file detection sees the same);
  * findings and expectations are sets of (path relative to the case, line, code): a finding
    expected and reported is "found", expected and not reported is "missed", reported and not
    expected is "extra" (whatever its code, INTERNAL001 included).

It prints a table per family and per rule (cases, expected, found, missed, extra, recall,
precision), lists every missed and extra finding, and writes the same Markdown to
bench/results/accuracy.md. The report holds no date or commit, so it changes only when the
results do. Exit status: 0 when every case matches its annotations (what the fixture test
asserts), 1 when any finding is missed or extra, 2 when routewarden itself fails on a case or
cannot be built.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "crates" / "routewarden_rules" / "fixtures"
DEFAULT_OUTPUT = ROOT / "bench" / "results" / "accuracy.md"
HARNESS_CWD = ROOT / "crates" / "routewarden"

# Rust's `char::is_whitespace` (Unicode White_Space), which the harness splits on. Python's
# `str.isspace` and regex `\s` differ (they also take U+001C..U+001F).
RUST_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
SPLIT = re.compile("[," + re.escape(RUST_WHITESPACE) + "]")
ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
MARKER = "# expect:"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --- the harness's conventions ------------------------------------------------------------


def python_files(folder):
    """Every `.py` regular file below `folder`, sorted; symbolic links are not followed."""
    out = []
    stack = [folder]
    while stack:
        d = stack.pop()
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue
        for e in entries:
            p = Path(e.path)
            try:
                if e.is_dir(follow_symlinks=False):
                    stack.append(p)
                elif e.is_file(follow_symlinks=False) and p.suffix == ".py":
                    out.append(p)
            except OSError:
                continue
    return sorted(out, key=lambda p: p.parts)


def rust_lines(text):
    """`str::lines`: split on `\\n`, a final line ending is optional, a `\\r` before it dropped."""
    if not text:
        return []
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return [p[:-1] if p.endswith("\r") else p for p in parts]


def expectations(case):
    """The set of (relative path, line, code) annotated in the files of `case`."""
    expected = set()
    for file in python_files(case):
        text = file.read_bytes().decode("utf-8", errors="replace")
        rel = file.relative_to(case).as_posix()
        for i, line in enumerate(rust_lines(text)):
            at = line.find(MARKER)
            if at < 0:
                continue
            for code in (w for w in SPLIT.split(line[at + len(MARKER):]) if w):
                if not all(c in ASCII_ALNUM for c in code):
                    break
                expected.add((rel, i + 1, code))
    return expected


class ToolError(Exception):
    pass


def findings(binary, case, code):
    """The set of (relative path, line, code) routewarden reports on `case` with `code` selected."""
    cmd = [str(binary), "check", str(case), "--format", "json", "--select", code, "--exit-zero"]
    config = case / "routewarden.toml"
    cmd += ["--config", str(config)] if config.is_file() else ["--no-config"]
    # The harness runs in crates/routewarden (cargo test's folder), outside every case, so the
    # files are named by absolute paths, as here. Its `base` is the case folder; here it is
    # the configuration's folder (the case) with `--config`, and the working folder without,
    # where it serves nothing: `base` only anchors the configuration's exclude and
    # per-file-ignore globs.
    proc = subprocess.run(cmd, cwd=HARNESS_CWD, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ToolError(f"exit {proc.returncode}: {proc.stderr.strip()}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise ToolError(f"unreadable JSON report: {e}") from e
    base = case.resolve()
    found = set()
    for d in report:
        path = Path(d["filename"])
        absolute = path if path.is_absolute() else HARNESS_CWD / path
        try:
            rel = absolute.resolve().relative_to(base).as_posix()
        except ValueError:
            rel = d["filename"]
        found.add((rel, d["location"]["row"], d["code"]))
    return found


# --- building and running -----------------------------------------------------------------


def build_binary():
    log("$ cargo build --release --locked -p routewarden")
    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "routewarden"], cwd=ROOT,
                   check=True)
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    target = Path(json.loads(meta.stdout)["target_directory"])
    exe = "routewarden.exe" if os.name == "nt" else "routewarden"
    return target / "release" / exe


def rule_table(binary):
    out = subprocess.run([str(binary), "rules", "--format", "json"], check=True,
                         capture_output=True, text=True).stdout
    return {r["code"]: r for r in json.loads(out)}


class Tally:
    def __init__(self):
        self.cases = 0
        self.expected = 0
        self.found = 0
        self.missed = 0
        self.extra = 0
        self.errors = 0

    def add(self, other):
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def recall(self):
        return f"{100 * self.found / self.expected:.1f}%" if self.expected else "–"

    def precision(self):
        reported = self.found + self.extra
        return f"{100 * self.found / reported:.1f}%" if reported else "–"

    def cells(self):
        return [self.cases, self.expected, self.found, self.missed, self.extra, self.recall(),
                self.precision()]


def table(header, rows):
    """A Markdown table; the label columns left-aligned, the numbers right-aligned."""
    labels = ("Family", "Rule", "Name")
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if h in labels else "---:" for h in header) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(str(c) for c in r) + " |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", type=Path, help="routewarden binary to run (no build)")
    ap.add_argument("--no-build", action="store_true", help="use the existing release binary")
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                    help="Markdown report (default: bench/results/accuracy.md)")
    args = ap.parse_args()

    try:
        if args.binary:
            binary = args.binary.resolve()
        elif args.no_build:
            meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                                  cwd=ROOT, check=True, capture_output=True, text=True)
            binary = Path(json.loads(meta.stdout)["target_directory"]) / "release" / "routewarden"
        else:
            binary = build_binary()
        if not binary.is_file():
            raise FileNotFoundError(f"no routewarden binary at {binary}")
        rules = rule_table(binary)
        version = subprocess.run([str(binary), "--version"], check=True, capture_output=True,
                                 text=True).stdout.strip()
    except (subprocess.CalledProcessError, OSError) as e:
        log(f"accuracy: cannot build or run routewarden: {e}")
        return 2

    fixtures = FIXTURES.resolve()
    per_rule = defaultdict(Tally)
    problems = []  # (kind, rule, case, detail)
    by_upper = {c.upper(): c for c in rules}
    for rule_dir in sorted(fixtures.iterdir(), key=lambda p: p.name):
        # The folder is selected as named; like `registry::find`, the check ignores case.
        code = rule_dir.name
        if code.upper() not in by_upper:
            problems.append(("error", code, "", "fixture folder names no rule"))
            per_rule[code].errors += 1
            continue
        for case in sorted((c for c in rule_dir.iterdir() if c.is_dir()), key=lambda p: p.name):
            t = per_rule[by_upper[code.upper()]]
            t.cases += 1
            expected = expectations(case)
            t.expected += len(expected)
            try:
                actual = findings(binary, case, code)
            except ToolError as e:
                t.errors += 1
                t.missed += len(expected)
                problems.append(("error", code, case.name, str(e)))
                continue
            t.found += len(expected & actual)
            for f, line, c in sorted(expected - actual):
                t.missed += 1
                problems.append(("missed", code, case.name, f"{f}:{line} {c}"))
            for f, line, c in sorted(actual - expected):
                t.extra += 1
                problems.append(("extra", code, case.name, f"{f}:{line} {c}"))

    def family_of(code):
        return rules[code]["family"] if code in rules else code.rstrip("0123456789")

    per_family = defaultdict(Tally)
    families = []
    total = Tally()
    for code in sorted(set(rules) | set(per_rule)):
        fam = family_of(code)
        if fam not in families:
            families.append(fam)
        if code in per_rule:
            per_family[fam].add(per_rule[code])
            total.add(per_rule[code])

    columns = ["Cases", "Expected", "Found", "Missed", "Extra", "Recall", "Precision"]
    md = [
        "# Fixture accuracy",
        "",
        f"Generated by `python3 bench/accuracy.py` with {version}: every case folder of "
        "`crates/routewarden_rules/fixtures/<CODE>/` analysed with its rule selected, compared "
        "with its `# expect:` annotations, as the fixture test does. *Found*: expected and "
        "reported; *missed*: expected, not reported; *extra*: reported, not expected. Recall is "
        "found / expected, precision found / (found + extra), on the fixtures only (real-code "
        "precision is the triage's business).",
        "",
        f"**Total: {total.cases} cases, {total.expected} expected findings, {total.found} found, "
        f"{total.missed} missed, {total.extra} extra"
        + (f", {total.errors} cases on which routewarden failed" if total.errors else "")
        + ".**",
        "",
        "## Per family",
        "",
    ]
    fam_rows = []
    for fam in families:
        t = per_family.get(fam)
        fam_rows.append([fam] + (t.cells() if t else [0, 0, 0, 0, 0, "–", "–"]))
    fam_rows.append(["**all**"] + total.cells())
    md += table(["Family"] + columns, fam_rows)
    md += ["", "## Per rule", ""]
    rule_rows = []
    for code in sorted(set(rules) | set(per_rule)):
        name = rules[code]["name"] if code in rules else "(no such rule)"
        t = per_rule.get(code)
        if t is None:
            rule_rows.append([code, name, "no fixtures", "", "", "", "", "", ""])
        else:
            rule_rows.append([code, name] + t.cells())
    md += table(["Rule", "Name"] + columns, rule_rows)
    md += ["", "## Differences", ""]
    if problems:
        for kind, code, case, detail in problems:
            md.append(f"- {kind} `{code}/{case}`: {detail}")
    else:
        md.append("None: every case reports exactly its annotated findings.")
    text = "\n".join(md) + "\n"

    print(text, end="")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    log(f"accuracy: wrote {args.output}")
    if total.errors:
        return 2
    return 1 if total.missed or total.extra else 0


if __name__ == "__main__":
    sys.exit(main())
