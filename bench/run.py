#!/usr/bin/env python3
"""Benchmark routewarden against ruff (`--select S`) and bandit on real applications from PyPI.

One command from a fresh clone:  python3 bench/run.py
It downloads pinned wheels into bench/cache, unpacks their Python sources, installs pinned ruff
and bandit into bench/.venv, builds routewarden in release mode, runs the three tools on each
corpus and on their union (alternating the tools, several runs each), and writes
bench/results/latest.md and bench/results/latest.json. Only the standard library is used.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = BENCH / "cache"
VENV = BENCH / ".venv"

# Pinned applications built on Flask and FastAPI (and Starlette), wheels from PyPI.
CORPORA = {
    "apache-superset": "6.1.0",
    "apache-airflow-core": "3.3.2",
    "indico": "3.2.9",
    "privacyidea": "3.14",
    "mlflow": "3.18.0",
    "open-webui": "0.12.4",
    "prefect": "3.9.1",
    "flask-appbuilder": "5.3.0",
    "fastapi-users": "15.0.5",
}
TOOLS = {"ruff": "0.17.6", "bandit": "1.9.4"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run(cmd, check=True, **kw)


def fetch_corpus(name, version):
    """Downloads the wheel and unpacks its .py files into cache/src/NAME-VERSION."""
    dest = CACHE / "src" / f"{name}-{version}"
    if (dest / ".complete").exists():
        return dest
    dl = CACHE / "dl"
    dl.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "-d", str(dl), f"{name}=={version}"])
    norm = name.replace("-", "_").lower()
    wheels = [w for w in dl.glob("*.whl")
              if w.name.lower().startswith(f"{norm}-{version}-")]
    if not wheels:
        raise SystemExit(f"no wheel found for {name}=={version}")
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with zipfile.ZipFile(wheels[0]) as z:
        for member in z.namelist():
            if member.endswith(".py") and ".dist-info/" not in member:
                z.extract(member, dest)
    (dest / ".complete").write_text("ok\n")
    return dest


def ensure_tools():
    python = VENV / "bin" / "python"
    marker = VENV / ".tools"
    wanted = " ".join(f"{k}=={v}" for k, v in TOOLS.items())
    if not marker.exists() or marker.read_text() != wanted:
        if VENV.exists():
            shutil.rmtree(VENV)
        venv.create(VENV, with_pip=True)
        run([str(python), "-m", "pip", "install", "--quiet"] + [f"{k}=={v}" for k, v in TOOLS.items()])
        marker.write_text(wanted)
    return VENV / "bin"


def build_routewarden():
    run(["cargo", "build", "--release", "--locked", "-p", "routewarden"], cwd=ROOT)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    if not target.is_absolute():
        target = ROOT / target
    return target / "release" / "routewarden"


def build_floor():
    """The parse-only program of `floor`: routewarden's parser and allocator, no analysis."""
    run(["cargo", "build", "--release", "--locked", "-p", "routewarden_python", "--example", "parse_floor"], cwd=ROOT)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    if not target.is_absolute():
        target = ROOT / target
    return target / "release" / "examples" / "parse_floor"


def count(paths):
    files = lines = 0
    for p in paths:
        for f in Path(p).rglob("*.py"):
            files += 1
            with open(f, "rb") as fh:
                lines += sum(1 for _ in fh)
    return files, lines


def measure(cmd):
    """Wall time (s) and peak resident memory (MiB) of one run of `cmd`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024.0, code


def commands(rw, bin_dir, paths, threads=None):
    rw_cmd = [str(rw), "check", "--no-config", "--exit-zero", "--format", "json", "--output", os.devnull]
    if threads:
        rw_cmd += ["--threads", str(threads)]
    return {
        "routewarden": rw_cmd + [str(p) for p in paths],
        "ruff": [str(bin_dir / "ruff"), "check", "--isolated", "--select", "S", "--no-cache", "--exit-zero",
                 "--output-format", "json", "--quiet"] + [str(p) for p in paths],
        "bandit": [str(bin_dir / "bandit"), "-r", "-q", "-f", "json", "-o", os.devnull] + [str(p) for p in paths],
    }


def bench(label, paths, rw, bin_dir, runs, bandit_runs):
    files, lines = count(paths)
    cmds = commands(rw, bin_dir, paths)
    samples = {tool: [] for tool in cmds}
    order = list(cmds)
    for i in range(max(runs, bandit_runs)):
        # Alternate which tool goes first so no tool always runs on a warm or cold cache.
        rotated = order[i % len(order):] + order[:i % len(order)]
        for tool in rotated:
            limit = bandit_runs if tool == "bandit" else runs
            if i >= limit:
                continue
            wall, rss, code = measure(cmds[tool])
            if tool == "routewarden" and code not in (0,):
                raise SystemExit(f"routewarden failed on {label} with exit code {code}")
            samples[tool].append((wall, rss))
            log(f"  {label:<22} {tool:<12} {wall:8.3f}s {rss:9.1f} MiB")
    result = {"corpus": label, "files": files, "lines": lines}
    for tool, s in samples.items():
        result[tool] = {
            "median_seconds": statistics.median(w for w, _ in s),
            "peak_mib": max(r for _, r in s),
            "runs": len(s),
        }
    rw_t = result["routewarden"]["median_seconds"]
    result["routewarden_over_ruff"] = rw_t / result["ruff"]["median_seconds"]
    result["bandit_over_routewarden"] = result["bandit"]["median_seconds"] / rw_t
    result["routewarden_mem_over_ruff"] = result["routewarden"]["peak_mib"] / result["ruff"]["peak_mib"]
    return result


def throughput(rw, paths, runs):
    files, _ = count(paths)
    out = {}
    for threads in (1, os.cpu_count() or 1):
        walls = []
        for _ in range(runs):
            cmd = commands(rw, Path("."), paths, threads)["routewarden"]
            walls.append(measure(cmd)[0])
        out[f"threads_{threads}"] = {"median_seconds": statistics.median(walls),
                                     "files_per_second": files / statistics.median(walls)}
    return out


def floor(program, bin_dir, paths, runs):
    """What any analysis built on the pinned parser costs before it analyses anything: reading
    and parsing every file (trees dropped at once), also lowering them, and lowering them with
    every tree kept as a cross-file model keeps them; alternated with ruff in the same sitting."""
    threads = str(os.cpu_count() or 1)
    cmds = {mode: [str(program), mode, threads] + [str(p) for p in paths] for mode in ("parse", "lower", "keep")}
    cmds["ruff"] = commands(Path("."), bin_dir, paths)["ruff"]
    samples = {k: [] for k in cmds}
    for i in range(runs):
        order = list(cmds)
        for k in order[i % len(order):] + order[:i % len(order)]:
            wall, rss, code = measure(cmds[k])
            if code != 0:
                raise SystemExit(f"parse_floor {k} exited {code}")
            samples[k].append((wall, rss))
            log(f"  floor {k:<8} {wall:8.3f}s {rss:9.1f} MiB")
    ruff_t = statistics.median(w for w, _ in samples["ruff"])
    ruff_m = max(r for _, r in samples["ruff"])
    out = {}
    for k, s in samples.items():
        t = statistics.median(w for w, _ in s)
        m = max(r for _, r in s)
        out[k] = {"median_seconds": t, "peak_mib": m, "over_ruff": t / ruff_t, "mem_over_ruff": m / ruff_m}
    return out


def crash_check(rw, paths):
    """Runs `check` once on the union: fails on a crash, exit code 2 or an internal error, and
    returns the number of findings per rule."""
    proc = subprocess.run([str(rw), "check", "--no-config", "--exit-zero", "--format", "json"] + [str(p) for p in paths],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"routewarden exited {proc.returncode} on the union corpus:\n{proc.stderr[-2000:]}")
    findings = json.loads(proc.stdout)
    internal = [f for f in findings if f["code"] == "INTERNAL001"]
    if internal:
        raise SystemExit("internal errors on the union corpus:\n" + "\n".join(
            f"{f['filename']}: {f['message']}" for f in internal[:20]))
    counts = {}
    for f in findings:
        counts[f["code"]] = counts.get(f["code"], 0) + 1
    return dict(sorted(counts.items()))


FLOOR_LABELS = {
    "parse": "parse only, each tree dropped",
    "lower": "parse and lower, each tree dropped",
    "keep": "parse and lower, every tree kept",
    "ruff": "ruff `check --select S` (same sitting)",
}


def markdown(results, tput, meta, floors=None):
    rows = ["| corpus | files | lines | routewarden s | ruff S s | bandit s | rw/ruff | bandit/rw | rw MiB | ruff MiB | bandit MiB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        rows.append(
            f"| {r['corpus']} | {r['files']} | {r['lines']} | {r['routewarden']['median_seconds']:.3f} | "
            f"{r['ruff']['median_seconds']:.3f} | {r['bandit']['median_seconds']:.2f} | "
            f"{r['routewarden_over_ruff']:.2f} | {r['bandit_over_routewarden']:.1f} | "
            f"{r['routewarden']['peak_mib']:.0f} | {r['ruff']['peak_mib']:.0f} | {r['bandit']['peak_mib']:.0f} |")
    lines = [f"# Benchmark ({meta['date']})", "",
             f"Machine: {meta['machine']}, {meta['cpus']} CPUs. ruff {TOOLS['ruff']} (`check --select S`), "
             f"bandit {TOOLS['bandit']}. Median wall time of {meta['runs']} runs "
             f"({meta['bandit_runs']} for bandit), tools alternated; peak RSS.", ""] + rows + ["",
             "routewarden throughput on the union corpus:", ""]
    for k, v in tput.items():
        lines.append(f"- {k.replace('_', ' ')}: {v['median_seconds']:.3f} s, {v['files_per_second']:.0f} files/s")
    if floors:
        lines += ["", "The floor under any analysis on the pinned parser (`crates/routewarden_python/examples/"
                  "parse_floor.rs`: reads and parses the union on all threads, nothing else):", "",
                  "| step | s | MiB | / ruff time | / ruff memory |", "|---|---:|---:|---:|---:|"]
        for k, v in floors.items():
            lines.append(f"| {FLOOR_LABELS[k]} | {v['median_seconds']:.3f} | {v['peak_mib']:.0f} | "
                         f"{v['over_ruff']:.2f} | {v['mem_over_ruff']:.2f} |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="runs per tool and corpus (default 5)")
    ap.add_argument("--bandit-runs", type=int, default=1, help="runs of bandit (slow) per corpus (default 1)")
    ap.add_argument("--only", nargs="*", help="corpora to use (default: all)")
    ap.add_argument("--no-per-corpus", action="store_true", help="measure the union only")
    args = ap.parse_args()

    corpora = {k: v for k, v in CORPORA.items() if not args.only or k in args.only}
    paths = {name: fetch_corpus(name, version) for name, version in corpora.items()}
    bin_dir = ensure_tools()
    rw = build_routewarden()
    floor_program = build_floor()
    results = []
    if not args.no_per_corpus:
        for name, path in paths.items():
            results.append(bench(name, [path], rw, bin_dir, args.runs, args.bandit_runs))
    results.append(bench("union", list(paths.values()), rw, bin_dir, args.runs, args.bandit_runs))
    tput = throughput(rw, list(paths.values()), args.runs)
    floors = floor(floor_program, bin_dir, list(paths.values()), args.runs)
    counts = crash_check(rw, list(paths.values()))
    meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": platform.machine(),
            "cpus": os.cpu_count(), "runs": args.runs, "bandit_runs": args.bandit_runs,
            "corpora": corpora, "tools": TOOLS}
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"meta": meta, "results": results, "throughput": tput, "floor": floors, "findings_per_rule": counts}, indent=2) + "\n")
    md = markdown(results, tput, meta, floors)
    md += "\nFindings per rule on the union corpus (no crash, no internal error):\n\n"
    md += "\n".join(f"- {code}: {n}" for code, n in counts.items()) + "\n"
    (out / "latest.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
