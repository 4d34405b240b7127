#!/usr/bin/env python3
"""Compare two routewarden binaries on the pinned real applications of bench/regress-apps.txt.

Before merging a change, check that it alters the output on real applications only where it
means to: run the binary before the change and the binary after it on every application, and
read every finding and route that differs.

  python3 bench/regress.py fetch                      # download and unpack the applications
  python3 bench/regress.py run BIN OUT                # BIN's check and routes JSON, per app, into OUT
  python3 bench/regress.py compare OLD NEW            # OLD, NEW: binaries or folders made by `run`
  python3 bench/regress.py totals OUT                 # totals of one run folder

`fetch` takes each application from PyPI (its JSON API): the pure-Python wheel if there is one,
else another wheel, else the sdist; it checks the sha256 PyPI gives and unpacks only the `.py`
files into CACHE/src/NAME-VERSION/. Nothing is installed and no build script is run. `run`
analyses each folder on its own from CACHE/src (one run over several projects clashes on module
names), with `check --no-config --exit-zero --format json` and `routes --no-config --format
json`, and fails on an exit code other than 0, a panic, or an INTERNAL001 finding. `compare`
prints one line per application whose output changed and the totals, and writes OUT/diff.md
with every finding and route added, removed or changed. Only the standard library is used.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
APPS = BENCH / "regress-apps.txt"
CACHE = BENCH / "cache" / "regress"
PYPI = "https://pypi.org/pypi"
USER_AGENT = "routewarden-bench-regress (python urllib)"
SPEC = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9.+!_-]*)$")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def default_jobs():
    return os.cpu_count() or 1


# ---------------------------------------------------------------------------------------------
# The list of applications


def read_apps(path, only=None):
    """[(name, version)] from the list, sorted by folder name; `only` keeps the names or
    NAME-VERSION folders given."""
    apps, seen, errors = [], set(), []
    for n, raw in enumerate(Path(path).read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = SPEC.match(line)
        if not m:
            errors.append(f"{path}:{n}: not name==version: {raw.strip()}")
            continue
        key = f"{m.group(1)}-{m.group(2)}"
        if key in seen:
            errors.append(f"{path}:{n}: listed twice: {line}")
            continue
        seen.add(key)
        apps.append((m.group(1), m.group(2)))
    if errors:
        raise SystemExit("\n".join(errors))
    if only:
        wanted = set(only)
        unknown = wanted - {n for n, _ in apps} - {f"{n}-{v}" for n, v in apps}
        if unknown:
            raise SystemExit(f"not in {path}: {', '.join(sorted(unknown))}")
        apps = [(n, v) for n, v in apps if n in wanted or f"{n}-{v}" in wanted]
    return sorted(apps, key=lambda a: f"{a[0]}-{a[1]}")


def key_of(app):
    return f"{app[0]}-{app[1]}"


# ---------------------------------------------------------------------------------------------
# fetch


def http_get(url, timeout=120, tries=4):
    """The response to GET url (a file-like object). 404 is raised at once, other errors after
    `tries` attempts."""
    delay = 2.0
    for attempt in range(tries):
        try:
            req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            return urllib.request.urlopen(req, timeout=timeout)
        except urllib.error.HTTPError as e:
            if e.code == 404 or attempt == tries - 1:
                raise
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError):
            if attempt == tries - 1:
                raise
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def release_files(name, version):
    """The files PyPI lists for name==version: the release's JSON, or the project's JSON where
    a mirror serves no per-release document. File URLs are made absolute (a mirror may give
    them relative to the JSON's address)."""
    def absolute(files, base):
        return [dict(f, url=urllib.parse.urljoin(base, f["url"])) for f in files]

    url = f"{PYPI}/{name}/{version}/json"
    try:
        with http_get(url) as r:
            return absolute(json.load(r)["urls"], r.geturl())
    except urllib.error.HTTPError as e:
        if e.code != 404:
            raise
    url = f"{PYPI}/{name}/json"
    try:
        with http_get(url) as r:
            base = r.geturl()
            releases = json.load(r)["releases"]
    except urllib.error.HTTPError as e:
        if e.code == 404:
            raise LookupError(f"no project {name} on PyPI") from None
        raise
    if version in releases:
        return absolute(releases[version], base)
    same = [v for v in releases if v.lower() == version.lower()]
    if same:
        return absolute(releases[same[0]], base)
    raise LookupError(f"{name} has no release {version} on PyPI")


SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".zip")


def artifact_rank(f):
    """Sort key of a release file, lowest best; None for files we cannot use (eggs, installers).
    Pure-Python wheel, then other `none-any` wheels, then Linux x86-64 wheels (abi3 or cp311
    first), then other wheels, then the sdist; files not yanked first; then by name."""
    fn = f["filename"]
    low = fn.lower()
    yanked = 1 if f.get("yanked") else 0
    if low.endswith(".whl"):
        parts = low[:-4].split("-")
        if len(parts) < 5:
            return None
        py, abi, plat = parts[-3:]
        if abi == "none" and plat == "any":
            rank = 0 if py in ("py3", "py2.py3") else 1
        elif "linux" in plat and "x86_64" in plat:
            rank = 2 if (abi == "abi3" or "cp311" in py) else 3
        else:
            rank = 4
        return (yanked, rank, fn)
    if low.endswith(SDIST_SUFFIXES):
        return (yanked, 5, fn)
    return None


def pick_artifact(files):
    usable = [(artifact_rank(f), f) for f in files]
    usable = [(r, f) for r, f in usable if r is not None]
    if not usable:
        return None
    return min(usable, key=lambda rf: rf[0])[1]


def download(f, dl_dir):
    """Downloads one release file into dl_dir (kept as a cache), checking its sha256."""
    want = f["digests"]["sha256"].lower()
    target = dl_dir / f["filename"]
    if target.exists():
        h = hashlib.sha256()
        with open(target, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() == want:
            return target
        target.unlink()
    part = target.with_name(target.name + f".part{os.getpid()}")
    h = hashlib.sha256()
    try:
        with http_get(f["url"], timeout=300) as r, open(part, "wb") as out:
            for block in iter(lambda: r.read(1 << 20), b""):
                h.update(block)
                out.write(block)
        if h.hexdigest() != want:
            raise ValueError(f"sha256 mismatch for {f['filename']}: got {h.hexdigest()}, PyPI says {want}")
        part.replace(target)
    finally:
        if part.exists():
            part.unlink()
    return target


def safe_parts(name):
    """The path components of an archive member, or None if it is absolute, has a drive, or
    has a `..` component."""
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n):
        return None
    parts = [p for p in n.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return parts


def write_member(dest, parts, data):
    path = dest.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Only folders this function made lie under dest, and it never makes links.
    if not path.resolve().is_relative_to(dest.resolve()):
        raise ValueError(f"{'/'.join(parts)} leaves the destination")
    path.write_bytes(data)


def extract_py(archive, dest):
    """Writes the `.py` files of a wheel, zip or tar archive under dest, reading each member's
    bytes (no archive extraction code runs). Returns (files written, members refused):
    absolute paths, `..` components, symbolic and hard links are refused."""
    written = refused = 0
    name = archive.name.lower()
    if name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                if info.is_dir() or not info.filename.endswith(".py"):
                    continue
                if ".dist-info/" in info.filename:
                    continue
                parts = safe_parts(info.filename)
                mode = (info.external_attr >> 16) & 0o170000
                if parts is None or mode == 0o120000:
                    refused += 1
                    continue
                write_member(dest, parts, z.read(info))
                written += 1
    else:
        with tarfile.open(archive, "r:*") as t:
            for m in t:
                if not m.name.endswith(".py"):
                    continue
                parts = safe_parts(m.name)
                if parts is None or m.issym() or m.islnk():
                    refused += 1
                    continue
                if not m.isfile():
                    continue
                fh = t.extractfile(m)
                if fh is None:
                    continue
                write_member(dest, parts, fh.read())
                written += 1
    return written, refused


def fetch_one(app, cache):
    """Fetches and unpacks one application; returns (ok, summary line)."""
    key = key_of(app)
    src = cache / "src"
    dest = src / key
    marker = dest / ".complete"
    if marker.exists():
        try:
            info = json.loads(marker.read_text())
            return True, f"ok      {key:<44} already there ({info.get('files', '?')} files, {info.get('artifact', '?')})"
        except ValueError:
            return True, f"ok      {key:<44} already there"
    try:
        files = release_files(*app)
        f = pick_artifact(files)
        if f is None:
            return False, f"FAILED  {key:<44} no wheel or sdist among {len(files)} files"
        archive = download(f, cache / "dl")
        tmp = src / f".{key}.tmp"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        written, refused = extract_py(archive, tmp)
        if written == 0:
            shutil.rmtree(tmp)
            return False, f"FAILED  {key:<44} no .py file in {f['filename']}"
        info = {"artifact": f["filename"], "sha256": f["digests"]["sha256"], "files": written,
                "refused": refused}
        (tmp / ".complete").write_text(json.dumps(info, indent=1) + "\n")
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
        note = f", refused {refused} unsafe members" if refused else ""
        return True, f"ok      {key:<44} {written} files from {f['filename']}{note}"
    except Exception as e:  # noqa: BLE001 - one application's failure must not stop the others
        return False, f"FAILED  {key:<44} {type(e).__name__}: {e}"


def cmd_fetch(args):
    cache = Path(args.cache).resolve()
    apps = read_apps(args.apps, args.only)
    (cache / "src").mkdir(parents=True, exist_ok=True)
    (cache / "dl").mkdir(parents=True, exist_ok=True)
    ok = failed = 0
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        # map() yields in the list's order, so the output does not depend on timing.
        for app, (good, line) in zip(apps, pool.map(lambda a: fetch_one(a, cache), apps)):
            print(line, flush=True)
            if good:
                ok += 1
            else:
                failed += 1
                failures.append(key_of(app))
    print(f"{len(apps)} applications: {ok} ok, {failed} failed" + (f" ({', '.join(failures)})" if failures else ""))
    return 1 if failed else 0


# ---------------------------------------------------------------------------------------------
# run


def count_py(folder):
    return sum(1 for _, _, files in os.walk(folder) for f in files if f.endswith(".py"))


def run_tool(cmd, cwd, timeout):
    """(exit code or None on timeout, stdout bytes, stderr text, seconds)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout)
        code, out, err = proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        code, out, err = None, e.stdout or b"", (e.stderr or b"").decode("utf-8", "replace")
    return code, out, err, time.perf_counter() - start


def describe_exit(code):
    if code is None:
        return "timed out"
    if code == 101:
        return "panicked (exit 101)"
    if code < 0:
        return f"killed by signal {-code}"
    return f"exited {code}"


def run_one(binary, app, src, out, timeout):
    """Runs check and routes on one application; returns (problems, stats)."""
    key = key_of(app)
    problems = []
    stats = {"files": count_py(src / key)}
    runs = {
        "check": [binary, "check", "--no-config", "--exit-zero", "--format", "json", key],
        "routes": [binary, "routes", "--no-config", "--format", "json", key],
    }
    for what, cmd in runs.items():
        code, stdout, stderr, secs = run_tool(cmd, src, timeout)
        stats[f"{what}_seconds"] = round(secs, 3)
        (out / what / f"{key}.json").write_bytes(stdout)
        if code != 0:
            tail = stderr.strip().splitlines()[-3:]
            problems.append(f"{what} {describe_exit(code)}" + (f": {' | '.join(tail)}" if tail else ""))
            continue
        try:
            data = json.loads(stdout)
        except ValueError as e:
            problems.append(f"{what} printed no valid JSON ({e})")
            continue
        if what == "check":
            stats["findings"] = len(data)
            internal = [f for f in data if f.get("code") == "INTERNAL001"]
            for f in internal[:5]:
                problems.append(f"check INTERNAL001 at {f.get('filename')}:"
                                f"{f.get('location', {}).get('row')}: {f.get('message')}")
            if len(internal) > 5:
                problems.append(f"check: {len(internal) - 5} more INTERNAL001 findings")
        else:
            stats["routes"] = len(data)
            stats["attached"] = sum(1 for r in data if r.get("app") is not None)
    return problems, stats


def binary_identity(binary):
    h = hashlib.sha256()
    with open(binary, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        version = ""
    return {"binary": str(binary), "sha256": h.hexdigest(), "version": version}


def prepare_out(out):
    """Makes OUT ready for a run: a new folder, or one an earlier run made (emptied)."""
    if out.exists() and any(out.iterdir()):
        if not (out / "check").is_dir() and not (out / "meta.json").exists():
            raise SystemExit(f"{out} is not empty and was not made by `run`; give another folder")
        for sub in ("check", "routes"):
            if (out / sub).exists():
                shutil.rmtree(out / sub)
        if (out / "meta.json").exists():
            (out / "meta.json").unlink()
    (out / "check").mkdir(parents=True, exist_ok=True)
    (out / "routes").mkdir(parents=True, exist_ok=True)


def do_run(binary, out, cache, apps, jobs, timeout, quiet=False):
    """Runs binary on every application into out; returns the failures [(app, problem)].
    Prints a line per application, or (quiet) only the failures."""
    binary = Path(binary).resolve()
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise SystemExit(f"{binary} is not an executable file")
    src = Path(cache).resolve() / "src"
    missing = [key_of(a) for a in apps if not (src / key_of(a) / ".complete").exists()]
    if missing:
        raise SystemExit(f"not fetched into {src} (run `fetch` first): {', '.join(missing)}")
    out = Path(out).resolve()
    prepare_out(out)
    log(f"running {binary} on {len(apps)} applications into {out} ({jobs} at a time)")
    start = time.perf_counter()
    meta = binary_identity(binary)
    meta["cache"] = str(src)
    meta["apps"] = {}
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = pool.map(lambda a: run_one(str(binary), a, src, out, timeout), apps)
        for app, (problems, stats) in zip(apps, results):
            key = key_of(app)
            meta["apps"][key] = stats
            if problems:
                for p in problems:
                    failures.append((key, p))
                    print(f"FAILED  {key:<44} {p}", flush=True)
            elif not quiet:
                print(f"ok      {key:<44} {stats['files']:>5} files {stats['findings']:>5} findings "
                      f"{stats['routes']:>5} routes {stats['attached']:>5} attached", flush=True)
    meta["seconds"] = round(time.perf_counter() - start, 1)
    (out / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    log(f"{len(apps)} applications in {meta['seconds']} s")
    return failures


def report_failures(failures):
    if failures:
        apps = sorted({k for k, _ in failures})
        print(f"FAILED on {len(apps)} application(s): {', '.join(apps)}")
        return 1
    return 0


def cmd_run(args):
    apps = read_apps(args.apps, args.only)
    failures = do_run(args.binary, args.out, args.cache, apps, args.jobs, args.timeout)
    print_totals(load_run(Path(args.out)))
    return report_failures(failures)


# ---------------------------------------------------------------------------------------------
# Reading run folders


def load_json(path):
    if not path.exists():
        return None
    try:
        return json.loads(path.read_bytes())
    except ValueError:
        return None


def load_run(folder):
    """{"apps": {key: {"check": bytes, "routes": bytes}}, "meta": dict or None}."""
    folder = Path(folder)
    if not (folder / "check").is_dir() or not (folder / "routes").is_dir():
        raise SystemExit(f"{folder} is neither an executable nor a folder made by `run` (no check/ and routes/)")
    keys = sorted({p.name[:-5] for sub in ("check", "routes") for p in (folder / sub).glob("*.json")})
    apps = {}
    for k in keys:
        apps[k] = {what: ((folder / what / f"{k}.json").read_bytes() if (folder / what / f"{k}.json").exists() else None)
                   for what in ("check", "routes")}
    return {"apps": apps, "meta": load_json(folder / "meta.json"), "folder": folder}


def parsed(raw):
    if raw is None:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    return data if isinstance(data, list) else []


def verdict(route):
    if route.get("authenticated"):
        return "AUTHENTICATED"
    return "CONDITIONAL" if route.get("auth") else "NONE"


def app_totals(run, key):
    check = parsed(run["apps"][key]["check"])
    routes = parsed(run["apps"][key]["routes"])
    files = None
    meta = run.get("meta") or {}
    if key in meta.get("apps", {}):
        files = meta["apps"][key].get("files")
    return {
        "files": files,
        "findings": len(check),
        "codes": Counter(f.get("code") for f in check),
        "routes": len(routes),
        "attached": sum(1 for r in routes if r.get("app") is not None),
        "verdicts": Counter(verdict(r) for r in routes),
    }


def run_totals(run):
    t = {"apps": len(run["apps"]), "files": 0, "files_known": True, "findings": 0, "codes": Counter(),
         "routes": 0, "attached": 0, "verdicts": Counter()}
    for key in run["apps"]:
        a = app_totals(run, key)
        if a["files"] is None:
            t["files_known"] = False
        else:
            t["files"] += a["files"]
        for k in ("findings", "routes", "attached"):
            t[k] += a[k]
        t["codes"].update(a["codes"])
        t["verdicts"].update(a["verdicts"])
    return t


def print_totals(run):
    t = run_totals(run)
    files = str(t["files"]) if t["files_known"] else "?"
    print(f"{t['apps']} applications, {files} files: {t['findings']} findings, {t['routes']} routes, "
          f"{t['attached']} attached to an application")
    v = t["verdicts"]
    print(f"routes: {v['AUTHENTICATED']} authenticated, {v['CONDITIONAL']} conditional, {v['NONE']} open")
    print("findings per code: " + (", ".join(f"{c} {n}" for c, n in sorted(t["codes"].items())) or "none"))


def cmd_totals(args):
    run = load_run(Path(args.folder))
    print_totals(run)
    meta = run.get("meta") or {}
    if meta.get("binary"):
        print(f"binary: {meta['binary']} ({meta.get('version', '')}, sha256 {meta.get('sha256', '')[:16]})")
    return 0


# ---------------------------------------------------------------------------------------------
# compare


def canon(obj):
    return json.dumps(obj, sort_keys=True, ensure_ascii=False)


def pair_up(old, new, identity):
    """Matches two lists of JSON objects: identical ones first, then the rest by identity(),
    in sorted order. Returns (removed, added, changed pairs), each sorted."""
    old_c = Counter(canon(o) for o in old)
    new_c = Counter(canon(n) for n in new)
    common = old_c & new_c
    rest_old = sorted((json.loads(s) for s in (old_c - common).elements()), key=canon)
    rest_new = sorted((json.loads(s) for s in (new_c - common).elements()), key=canon)
    by_id_old, by_id_new = {}, {}
    for o in rest_old:
        by_id_old.setdefault(identity(o), []).append(o)
    for n in rest_new:
        by_id_new.setdefault(identity(n), []).append(n)
    removed, added, changed = [], [], []
    for ident in sorted(set(by_id_old) | set(by_id_new)):
        os_, ns = by_id_old.get(ident, []), by_id_new.get(ident, [])
        changed += list(zip(os_, ns))
        removed += os_[len(ns):]
        added += ns[len(os_):]
    return removed, added, changed


def finding_id(f):
    loc = f.get("location") or {}
    return (str(f.get("filename")), loc.get("row") or 0, loc.get("column") or 0, str(f.get("code")))


def finding_line(f):
    loc = f.get("location") or {}
    return (f"`{f.get('filename')}:{loc.get('row')}:{loc.get('column')}` {f.get('code')} "
            f"({f.get('severity')}/{f.get('confidence')}) {f.get('message')}")


def route_id(r):
    h = r.get("handler") or {}
    return (str(r.get("path")), ",".join(r.get("methods") or []), str(h.get("file")), str(h.get("name")))


def describe_guards(guards):
    """As `routes` prints them: mechanism [level via, checks role, only condition]."""
    if not guards:
        return "none"
    out = []
    for g in guards:
        extra = "".join([f" {g['via']}" if g.get("via") else "", ", checks role" if g.get("checks_role") else "",
                         f", only {g['condition']}" if g.get("condition") else ""])
        out.append(f"{g.get('mechanism')} [{g.get('level')}{extra}]")
    return "; ".join(out)


def protection(r):
    v = verdict(r)
    return v if v == "NONE" else f"{v}: {describe_guards(r.get('auth'))}"


def route_line(r):
    h = r.get("handler") or {}
    return (f"`{','.join(r.get('methods') or [])} {r.get('path')}` {protection(r)} "
            f"(app {r.get('app') or '-'}; handler {h.get('file')}:{h.get('line')} {h.get('name')})")


def route_changes(o, n):
    """What differs between two rows of the same route, as text."""
    out = []
    if o.get("app") != n.get("app"):
        out.append(f"app {o.get('app') or '-'} → {n.get('app') or '-'}")
    if protection(o) != protection(n):
        out.append(f"protection {protection(o)} → {protection(n)}")
    if describe_guards(o.get("rate_limits")) != describe_guards(n.get("rate_limits")) or \
            o.get("rate_limited") != n.get("rate_limited"):
        out.append(f"rate limit {describe_guards(o.get('rate_limits'))} → {describe_guards(n.get('rate_limits'))}")
    if o.get("response_model") != n.get("response_model"):
        out.append(f"response model {o.get('response_model') or '-'} → {n.get('response_model') or '-'}")
    oh, nh = o.get("handler") or {}, n.get("handler") or {}
    if oh.get("line") != nh.get("line"):
        out.append(f"handler line {oh.get('line')} → {nh.get('line')}")
    known = {"app", "auth", "authenticated", "rate_limits", "rate_limited", "response_model", "handler",
             "path", "methods"}
    for k in sorted((set(o) | set(n)) - known):
        if o.get(k) != n.get(k):
            out.append(f"{k} {canon(o.get(k))} → {canon(n.get(k))}")
    return "; ".join(out) or "(other fields)"


def finding_changes(o, n):
    keys = sorted((set(o) | set(n)) - {"filename", "code"})
    return "; ".join(f"{k} {canon(o.get(k))} → {canon(n.get(k))}" for k in keys if o.get(k) != n.get(k))


def diff_app(old_run, new_run, key):
    """The differences of one application, or None if its output is byte-identical."""
    o, n = old_run["apps"].get(key), new_run["apps"].get(key)
    if o is not None and n is not None and o["check"] == n["check"] and o["routes"] == n["routes"]:
        return None
    d = {"key": key, "only": None}
    if o is None or n is None:
        d["only"] = "new" if o is None else "old"
    ot = app_totals(old_run, key) if o is not None else None
    nt = app_totals(new_run, key) if n is not None else None
    d["old"], d["new"] = ot, nt
    oc = parsed(o["check"]) if o else []
    nc = parsed(n["check"]) if n else []
    orr = parsed(o["routes"]) if o else []
    nr = parsed(n["routes"]) if n else []
    d["f_removed"], d["f_added"], d["f_changed"] = pair_up(oc, nc, finding_id)
    d["r_removed"], d["r_added"], d["r_changed"] = pair_up(orr, nr, route_id)
    d["verdict_changes"] = Counter(f"{verdict(a)}→{verdict(b)}" for a, b in d["r_changed"] if verdict(a) != verdict(b))
    d["unparsable"] = [f"{side} {what}" for side, run_ in (("old", o), ("new", n)) if run_
                       for what in ("check", "routes")
                       if run_[what] is not None and not isinstance(load_bytes(run_[what]), list)]
    return d


def load_bytes(raw):
    try:
        return json.loads(raw)
    except ValueError:
        return None


def signed(n):
    return f"+{n}" if n > 0 else str(n)


def code_deltas(old_codes, new_codes):
    codes = sorted(set(old_codes) | set(new_codes))
    parts = [f"{c} {signed(new_codes[c] - old_codes[c])}" for c in codes if new_codes[c] != old_codes[c]]
    return ", ".join(parts)


def app_summary(d):
    if d["only"]:
        side = d["only"]
        t = d[side]
        return (f"{d['key']}: only in the {side} run ({t['findings']} findings, {t['routes']} routes, "
                f"{t['attached']} attached)")
    ot, nt = d["old"], d["new"]
    fparts = [f"+{len(d['f_added'])} -{len(d['f_removed'])}"]
    if d["f_changed"]:
        fparts.append(f"~{len(d['f_changed'])}")
    deltas = code_deltas(ot["codes"], nt["codes"])
    text = f"{d['key']}: findings {ot['findings']} → {nt['findings']} ({' '.join(fparts)}" + \
        (f"; {deltas})" if deltas else ")")
    rparts = f"+{len(d['r_added'])} -{len(d['r_removed'])} ~{len(d['r_changed'])}"
    text += f"; routes {ot['routes']} → {nt['routes']} ({rparts}); attached {ot['attached']} → {nt['attached']}"
    vc = d["verdict_changes"]
    text += f"; protection changed on {sum(vc.values())}"
    if vc:
        text += " (" + ", ".join(f"{k} {v}" for k, v in sorted(vc.items())) + ")"
    if not (d["f_added"] or d["f_removed"] or d["f_changed"] or d["r_added"] or d["r_removed"] or d["r_changed"]):
        text += "; same content, bytes differ (order or formatting)"
    if d["unparsable"]:
        text += "; not valid JSON: " + ", ".join(d["unparsable"])
    return text


def label(run, given):
    meta = run.get("meta") or {}
    if meta.get("binary"):
        return f"{given} ({meta.get('version', '')}, sha256 {meta.get('sha256', '')[:16]})"
    return str(given)


def diff_markdown(diffs, old_run, new_run, old_label, new_label, totals_text):
    lines = ["# routewarden regression comparison", "",
             f"- old: {old_label}", f"- new: {new_label}",
             f"- {len(set(old_run['apps']) | set(new_run['apps']))} applications, {len(diffs)} with a difference", ""]
    lines += [f"{t}  " for t in totals_text] + [""]
    if not diffs:
        lines.append("No differences: both runs printed the same bytes for every application.")
    for d in diffs:
        lines += [f"## {d['key']}", "", app_summary(d), ""]
        sections = [
            ("Findings removed", [finding_line(f) for f in d["f_removed"]]),
            ("Findings added", [finding_line(f) for f in d["f_added"]]),
            ("Findings changed", [f"{finding_line(a)}: {finding_changes(a, b)}" for a, b in d["f_changed"]]),
            ("Routes removed", [route_line(r) for r in d["r_removed"]]),
            ("Routes added", [route_line(r) for r in d["r_added"]]),
            ("Routes changed", [f"`{','.join(a.get('methods') or [])} {a.get('path')}` "
                                f"({(a.get('handler') or {}).get('file')} {(a.get('handler') or {}).get('name')}): "
                                f"{route_changes(a, b)}" for a, b in d["r_changed"]]),
        ]
        for title, items in sections:
            if items:
                lines += [f"### {title} ({len(items)})", ""] + [f"- {i}" for i in items] + [""]
    return "\n".join(lines).rstrip() + "\n"


def resolve_side(given, name, out, cache, apps, jobs, timeout, failures):
    p = Path(given)
    if p.is_file():
        folder = out / name
        failures += do_run(p, folder, cache, apps, jobs, timeout, quiet=True)
        return load_run(folder)
    if p.is_dir():
        return load_run(p)
    raise SystemExit(f"{given}: no such binary or folder")


def cmd_compare(args):
    out = Path(args.out or Path(args.cache) / "compare").resolve()
    out.mkdir(parents=True, exist_ok=True)
    apps = read_apps(args.apps, args.only)
    failures = []
    # One side after the other, so at most --jobs analyses run at once.
    old_run = resolve_side(args.old, "old", out, args.cache, apps, args.jobs, args.timeout, failures)
    new_run = resolve_side(args.new, "new", out, args.cache, apps, args.jobs, args.timeout, failures)
    if args.only:
        keep = {key_of(a) for a in apps}
        for run in (old_run, new_run):
            run["apps"] = {k: v for k, v in run["apps"].items() if k in keep}
    keys = sorted(set(old_run["apps"]) | set(new_run["apps"]))
    diffs = [d for d in (diff_app(old_run, new_run, k) for k in keys) if d is not None]
    print(f"old: {label(old_run, args.old)}")
    print(f"new: {label(new_run, args.new)}")
    for d in diffs:
        print(app_summary(d))
    ot, nt = run_totals(old_run), run_totals(new_run)
    verdicts = Counter()
    for d in diffs:
        verdicts.update(d["verdict_changes"])
    files = f"{ot['files']} → {nt['files']} files" if ot["files_known"] and nt["files_known"] else "files ?"
    deltas = code_deltas(ot["codes"], nt["codes"])
    totals_text = [
        f"Totals over {len(keys)} applications ({files}), {len(diffs)} changed:",
        f"findings {ot['findings']} → {nt['findings']}" + (f" ({deltas})" if deltas else ""),
        f"routes {ot['routes']} → {nt['routes']}; attached to an application {ot['attached']} → {nt['attached']}",
        f"findings added {sum(len(d['f_added']) for d in diffs)}, removed {sum(len(d['f_removed']) for d in diffs)}, "
        f"changed {sum(len(d['f_changed']) for d in diffs)}; routes added {sum(len(d['r_added']) for d in diffs)}, "
        f"removed {sum(len(d['r_removed']) for d in diffs)}, changed {sum(len(d['r_changed']) for d in diffs)}; "
        f"protection changed on {sum(verdicts.values())} routes"
        + (" (" + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())) + ")" if verdicts else ""),
    ]
    for t in totals_text:
        print(t)
    if not diffs:
        print("No differences.")
    diff_path = out / "diff.md"
    diff_path.write_text(diff_markdown(diffs, old_run, new_run, label(old_run, args.old), label(new_run, args.new),
                                       totals_text))
    print(f"Every difference: {diff_path}")
    slower(old_run, new_run)
    status = report_failures(failures)
    if status == 0 and args.strict and diffs:
        status = 1
    return status


def slower(old_run, new_run):
    """The summed times on stderr. They vary with the machine's load from run to run, so they
    only hint at a large slowdown: measure one with bench/run.py."""
    om, nm = (old_run.get("meta") or {}).get("apps"), (new_run.get("meta") or {}).get("apps")
    if not om or not nm:
        return

    def secs(m, k):
        return m[k].get("check_seconds", 0) + m[k].get("routes_seconds", 0)
    common = sorted(set(om) & set(nm))
    log(f"time (check + routes, summed over applications; noisy): old {sum(secs(om, k) for k in common):.1f} s, "
        f"new {sum(secs(nm, k) for k in common):.1f} s")


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    def common(p, jobs=True, cache=True):
        p.add_argument("--apps", default=str(APPS), help="the list of applications (default bench/regress-apps.txt)")
        p.add_argument("--only", nargs="+", metavar="APP", help="only these applications (NAME or NAME-VERSION)")
        if cache:
            p.add_argument("--cache", default=str(CACHE), help="download and source folder (default bench/cache/regress)")
        if jobs:
            p.add_argument("--jobs", type=int, default=default_jobs(),
                           help="applications at a time (default: the number of CPUs)")

    p = sub.add_parser("fetch", help="download the applications and unpack their .py files")
    common(p)
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("run", help="run one binary on every application")
    p.add_argument("binary")
    p.add_argument("out")
    common(p)
    p.add_argument("--timeout", type=float, default=900, help="seconds per command before it counts as hung (default 900)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="compare two binaries or two run folders")
    p.add_argument("old")
    p.add_argument("new")
    common(p)
    p.add_argument("--out", help="where binaries' runs and diff.md go (default CACHE/compare)")
    p.add_argument("--timeout", type=float, default=900, help="seconds per command before it counts as hung (default 900)")
    p.add_argument("--strict", action="store_true", help="exit 1 when anything differs")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("totals", help="print the totals of one run folder")
    p.add_argument("folder")
    p.set_defaults(func=cmd_totals)

    args = ap.parse_args()
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
