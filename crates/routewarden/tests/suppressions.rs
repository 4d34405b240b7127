//! Suppression comments: `# routewarden: ignore[CODE] reason` and `# noqa: CODE`.

mod support;

use support::*;

fn found(source: &str, args: &[&str]) -> Vec<(String, u64, String)> {
    let p = Project::new();
    p.write("app.py", source);
    let mut all = args.to_vec();
    all.push(".");
    triples(&p.json(&all))
}

#[test]
fn routewarden_ignore_on_the_reported_line() {
    let source = "from fastapi import FastAPI\n\
                  app = FastAPI(debug=True)  # routewarden: ignore[DEBUG001] local tool only\n\
                  other = FastAPI(debug=True)\n";
    assert_eq!(found(source, &[]), vec![t("app.py", 3, "DEBUG001")]);
    // Lower case, no space, no reason.
    let source =
        "from fastapi import FastAPI\napp = FastAPI(debug=True)  #routewarden: ignore[debug001]\n";
    assert!(found(source, &[]).is_empty());
    // Another code does not suppress it.
    let source = "from fastapi import FastAPI\napp = FastAPI(debug=True)  # routewarden: ignore[SECRET001]\n";
    assert_eq!(found(source, &[]), vec![t("app.py", 2, "DEBUG001")]);
}

#[test]
fn noqa_on_the_reported_line() {
    let source = "import os\nKEY = os.environ.get(\"SECRET_KEY\", \"dev\")  # noqa: SECRET002\n";
    assert!(found(source, &[]).is_empty());
    let source = "import os\nKEY = os.environ.get(\"SECRET_KEY\", \"dev\")  # type: ignore  # noqa:SECRET002 reviewed\n";
    assert!(found(source, &[]).is_empty());
    // A bare noqa suppresses nothing: a suppression names its code.
    let source = "import os\nKEY = os.environ.get(\"SECRET_KEY\", \"dev\")  # noqa\n";
    assert_eq!(found(source, &[]), vec![t("app.py", 2, "SECRET002")]);
    let source =
        "import os\nKEY = os.environ.get(\"SECRET_KEY\", \"dev\")  # routewarden: ignore\n";
    assert_eq!(found(source, &[]), vec![t("app.py", 2, "SECRET002")]);
    // On another line it does nothing.
    let source = "import os\n# noqa: SECRET002\nKEY = os.environ.get(\"SECRET_KEY\", \"dev\")\n";
    assert_eq!(found(source, &[]), vec![t("app.py", 3, "SECRET002")]);
}

#[test]
fn a_suppression_on_the_first_line_of_a_multi_line_statement() {
    let source = "import os\n\
                  settings = dict(  # routewarden: ignore[SECRET002] placeholder for tests\n\
                  \x20   name=\"demo\",\n\
                  \x20   key=os.environ.get(\"SECRET_KEY\", \"dev\"),\n\
                  )\n\
                  other = dict(\n\
                  \x20   key=os.environ.get(\"SECRET_KEY\", \"dev\"),  # noqa: SECRET002\n\
                  )\n\
                  third = dict(\n\
                  \x20   key=os.environ.get(\"SECRET_KEY\", \"dev\"),\n\
                  )  # noqa: SECRET002\n";
    // The last comment is on the statement's last line, which is not where suppressions go.
    assert_eq!(found(source, &[]), vec![t("app.py", 10, "SECRET002")]);
    // Inside a function, the innermost statement counts, not the `def` line.
    let source = "import os\n\
                  def make():  # noqa: SECRET002\n\
                  \x20   return dict(\n\
                  \x20       key=os.environ.get(\"SECRET_KEY\", \"dev\"),\n\
                  \x20   )\n";
    assert_eq!(found(source, &[]), vec![t("app.py", 4, "SECRET002")]);
    let source = "import os\n\
                  def make():\n\
                  \x20   return dict(  # noqa: SECRET002\n\
                  \x20       key=os.environ.get(\"SECRET_KEY\", \"dev\"),\n\
                  \x20   )\n";
    assert!(found(source, &[]).is_empty());
}

#[test]
fn several_codes_comma_separated() {
    let source = "import os\nfrom fastapi import FastAPI\n\
                  app = FastAPI(debug=True); KEY = os.environ.get(\"SECRET_KEY\", \"dev\")  # routewarden: ignore[DEBUG001, SECRET002] both known\n\
                  app = FastAPI(debug=True); KEY = os.environ.get(\"SECRET_KEY\", \"dev\")  # noqa: DEBUG001,SECRET002\n\
                  app = FastAPI(debug=True); KEY = os.environ.get(\"SECRET_KEY\", \"dev\")  # noqa: SECRET002\n";
    assert_eq!(found(source, &[]), vec![t("app.py", 5, "DEBUG001")]);
}

#[test]
fn a_suppression_naming_an_unknown_code_is_reported() {
    let source = "from fastapi import FastAPI\n\
                  app = FastAPI(debug=True)  # routewarden: ignore[DEBUG01]\n\
                  x = 1  # noqa: SECRET999, E501\n\
                  y = 2  # noqa: E501, W291\n\
                  z = 3  # routewarden: ignore[made-up]\n";
    let p = Project::new();
    p.write("app.py", source);
    let findings = p.json(&["."]);
    assert_eq!(
        triples(&findings),
        vec![
            t("app.py", 2, "DEBUG001"),
            t("app.py", 2, "NOQA001"),
            t("app.py", 3, "NOQA001"),
            t("app.py", 5, "NOQA001"),
        ]
    );
    let messages: Vec<&str> = with_code(&findings, "NOQA001")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("DEBUG01"), "{messages:?}");
    assert!(messages[1].contains("SECRET999"), "{messages:?}");
    // NOQA001 is reported at the comment.
    assert_eq!(findings[1]["location"]["column"], 28);
    // It can be ignored like any rule.
    assert_eq!(p.json(&["--ignore", "NOQA", "."]).len(), 1);
}

#[test]
fn unused_suppressions_are_reported_on_request() {
    let source = "import os\nfrom fastapi import FastAPI\n\
                  app = FastAPI(debug=True)  # routewarden: ignore[DEBUG001]\n\
                  safe = FastAPI()  # routewarden: ignore[DEBUG001] stale\n\
                  KEY = os.environ.get(\"SECRET_KEY\", \"dev\")  # noqa: SECRET002, DEBUG001\n\
                  x = 1  # noqa: E501\n";
    assert!(found(source, &[]).is_empty());
    let p = Project::new();
    p.write("app.py", source);
    let findings = p.json(&["--report-unused-suppressions", "."]);
    assert_eq!(
        triples(&findings),
        vec![t("app.py", 4, "NOQA002"), t("app.py", 5, "NOQA002")]
    );
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("DEBUG001")
    );
    assert!(
        findings[1]["message"]
            .as_str()
            .unwrap()
            .contains("DEBUG001")
    );
    // A suppression of a rule that did not run is not called unused.
    let findings = p.json(&[
        "--report-unused-suppressions",
        "--select",
        "SECRET,NOQA",
        ".",
    ]);
    assert!(findings.is_empty(), "{findings:?}");
    // The configuration can ask for it too.
    p.write("routewarden.toml", "report-unused-suppressions = true\n");
    let run = p.run(&["check", "--format", "json", "."]);
    assert_eq!(codes(&run.json()), ["NOQA002", "NOQA002"]);
}

#[test]
fn suppressions_in_strings_are_not_comments() {
    let source = "from fastapi import FastAPI\n\
                  app = FastAPI(debug=True, title=\"# noqa: DEBUG001\")\n";
    assert_eq!(found(source, &[]), vec![t("app.py", 2, "DEBUG001")]);
}
