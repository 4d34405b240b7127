#!/usr/bin/env python3
"""Seeds the fuzz corpora from the repository's Python sources (standard library only).

    python3 fuzz/seed_corpus.py

writes
  fuzz/corpus/analyze_file/     one input per `.py` file of crates/routewarden_rules/fixtures
                                and examples/;
  fuzz/corpus/analyze_project/  one input per fixture case folder and per example application,
                                its files joined with `#> relative/path.py` header lines (the
                                format `split_project` in fuzz/src/lib.rs reads), at most 16.

Existing corpus files are kept (the fuzzer adds its own there); running it again only rewrites
the seeds. fuzz/corpus is not committed: it is rebuilt from the sources by this script.

    python3 fuzz/seed_corpus.py --dict

also rewrites the libFuzzer dictionary fuzz/python.dict (committed): Python's keywords and
punctuation, the file header of the project target, suppression comments and encoding
declarations, and every identifier-like string literal of the rules and the model (the names
the analysis reacts to: `SECRET_KEY`, `verify_signature`, `flask_login.login_required`...).
Run it again when rules learn new names.
"""

import keyword
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
SOURCES = [ROOT / "crates" / "routewarden_rules" / "fixtures", ROOT / "examples"]
MAX_FILES = 16


def seed_name(path):
    return "seed-" + "-".join(path.relative_to(ROOT).parts).replace(".py", "")


def projects():
    """(name, folder) for every fixture case and every example application."""
    fixtures = SOURCES[0]
    for case in sorted(fixtures.glob("*/*")):
        if case.is_dir():
            yield case
    for app in sorted(SOURCES[1].iterdir()):
        if app.is_dir():
            yield app


DICT = ROOT / "fuzz" / "python.dict"
# Tokens the names of the rules do not give: the language and the comment conventions.
TOKENS = sorted(set(keyword.kwlist) | set(keyword.softkwlist)) + [
    "#> ", "#> pkg/__init__.py\n", "#> pkg/views.py\n", "#> src/app/main.py\n",
    "# noqa: ", "# routewarden: ignore[", "# expect: ", "# -*- coding: latin-1 -*-\n",
    "# coding=cp1252\n", "\"\"\"", "\'\'\'", "f\"", "rb\"", "\\\n", "\n    ", ":\n    ",
    "(", ")", "[", "]", "{", "}", "=", "==", "!=", ":=", "->", "**", "*", ",", ".", "@", ":",
    "async def ", "await ", "lambda ", "from . import ", "from .. import ", "import ",
    "os.environ[", "os.environ.get(", "os.getenv(", "Depends(", "Security(", "Annotated[",
    "@app.route(", "@app.get(", "@app.post(", "@router.post(", "@bp.route(", "methods=[",
    "app = Flask(__name__)\n", "app = FastAPI()\n", "router = APIRouter()\n",
    "class Item(BaseModel):\n", "app.config[", "app.secret_key = ", "= True", "= False",
    "= None", "\"*\"", "\"/login\"", "\"/admin\"", "\"\"",
]
LITERAL = re.compile(r'"([A-Za-z_][A-Za-z0-9_.]{1,60})"')


def escape(token):
    out = []
    for b in token.encode():
        if b in (0x22, 0x5C):
            out.append("\\" + chr(b))
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02X}")
    return '"' + "".join(out) + '"'


def write_dict():
    names = set()
    for crate in ("routewarden_rules", "routewarden_model"):
        for f in (ROOT / "crates" / crate / "src").rglob("*.rs"):
            for name in LITERAL.findall(f.read_text()):
                names.add(name)
                names.update(p for p in name.split(".") if len(p) > 1)
    tokens = list(dict.fromkeys(TOKENS + sorted(names - set(TOKENS))))
    DICT.write_text(
        "# libFuzzer dictionary for the routewarden fuzz targets; made by\n"
        "# `python3 fuzz/seed_corpus.py --dict` (do not edit by hand).\n"
        + "".join(escape(t) + "\n" for t in tokens)
    )
    print(f"{len(tokens)} tokens in {DICT}")


def main():
    if "--dict" in sys.argv[1:]:
        write_dict()
    single = CORPUS / "analyze_file"
    project = CORPUS / "analyze_project"
    single.mkdir(parents=True, exist_ok=True)
    project.mkdir(parents=True, exist_ok=True)
    n_single = 0
    for source in SOURCES:
        for f in sorted(source.rglob("*.py")):
            (single / (seed_name(f) + ".py")).write_bytes(f.read_bytes())
            n_single += 1
    n_project = 0
    for folder in projects():
        files = sorted(folder.rglob("*.py"))[:MAX_FILES]
        data = b"".join(
            b"#> " + f.relative_to(folder).as_posix().encode() + b"\n" + f.read_bytes()
            for f in files
        )
        (project / (seed_name(folder) + ".txt")).write_bytes(data)
        n_project += 1
    print(f"{n_single} seeds in {single}, {n_project} seeds in {project}")


if __name__ == "__main__":
    main()
