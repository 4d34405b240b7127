use crate::context::FileContext;
use crate::cors_policy::{CorsLibrary, matches_everything, pattern_problems, policies};
use crate::declare_rule;
use crate::findings::Findings;
use crate::rule::{Confidence, Rule, RuleMeta, Severity};
use routewarden_python::ast::{Call, Expr};

declare_rule! {
    /// ## What it finds
    /// Origins that admit attacker-controlled sites: an `allow_origin_regex` or flask-cors regex
    /// origin with an unescaped dot (`https://app.example.com` matches `https://appxexample.com`),
    /// a wildcard running into the domain (`https://.*example.com` matches
    /// `https://evilexample.com`) or after the host (`http://localhost.*` matches
    /// `http://localhost.evil.net`, also when a port must follow, when the port before it is
    /// optional as in `:?\d*.*`, or as a repeated label group `(\.[a-z]+)*`), a host made only
    /// of a wildcard (`https?://.*:8080`, also before a group that may match nothing), a
    /// flask-cors pattern without a `$` anchor (patterns given to either library as
    /// `re.compile(...)` are read too); the `null` origin;
    /// `http://` origins (any network attacker can act as them) when credentials are allowed,
    /// other than the local machine's (`localhost`, `*.localhost`, `127.0.0.1`, `[::1]`; not
    /// `localhost.example.com`). Patterns and origins read from settings or the environment
    /// are judged by the value that applies when nothing is configured (a settings field's
    /// default, `os.getenv("ORIGIN_REGEX", "https://.*example.com")`), and those of
    /// `CORSMiddleware` subclasses as CORS001 describes. flask-cors origins set in the app configuration
    /// (`CORS_ORIGINS`) are checked where a `CORS(...)` or `@cross_origin(...)` call uses them;
    /// a decorator using the same configured origins as a `CORS(...)` call is not reported again
    /// for them.
    /// Severity is high when credentials are allowed. A loose pattern whose every origin is the
    /// local machine (`http://.*localhost:[0-9]+`, `http://(localhost|127.0.0.1)(:\d+)?`) or a
    /// single-label name no one can register on the internet is a development set-up: reported
    /// at low severity and confidence.
    ///
    /// ## Why is this dangerous
    /// An attacker registers a domain the pattern accepts, or uses a sandboxed iframe (which
    /// sends `Origin: null`), and reads the API's responses from a victim's browser as if it were
    /// the trusted front end.
    ///
    /// ## Example
    /// ```python
    /// app.add_middleware(
    ///     CORSMiddleware,
    ///     allow_origin_regex=r"https://.*example.com",
    ///     allow_credentials=True,
    /// )
    /// ```
    ///
    /// ## Fix
    /// Escape dots, anchor the pattern and require a dot before the parent domain:
    /// `allow_origin_regex=r"https://([a-z0-9-]+\.)*example\.com"`. Never allow `null`; use
    /// `https://` origins only.
    pub static CORS_PERMISSIVE_ORIGIN_PATTERN = {
        code: "CORS004",
        name: "cors-permissive-origin-pattern",
        severity: Medium,
        confidence: High,
        cwe: 942,
        fix: "Escape dots, anchor origin patterns, and never allow null or http:// origins",
    }
}

pub struct CorsPermissiveOriginPattern;

impl Rule for CorsPermissiveOriginPattern {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_PERMISSIVE_ORIGIN_PATTERN
    }

    fn on_call(&self, cx: &FileContext, expr: &Expr, call: &Call, out: &mut Findings) {
        let meta = &CORS_PERMISSIVE_ORIGIN_PATTERN;
        // A loose pattern admitting only the local machine, reported when no policy of the call
        // has a real problem.
        let mut development: Option<String> = None;
        for policy in policies(cx, call) {
            let severity = if policy.credentials {
                Severity::High
            } else {
                meta.severity
            };
            // Each problem, with whether it is a loose pattern admitting only the local machine.
            let mut problems: Vec<(String, bool)> = Vec::new();
            // Only the plain-http check below depends on the call's own credentials.
            let origins_reported = policy.origins_reported_elsewhere;
            let source = if policy.origins_from_config {
                " (CORS_ORIGINS of the app configuration)"
            } else {
                ""
            };
            for regex in policy.regexes.iter().filter(|_| !origins_reported) {
                let mut found = pattern_problems(regex, policy.library);
                let runs_on = host_runs_on(regex);
                let loose = runs_on.is_none();
                found.extend(runs_on);
                if found.is_empty() {
                    continue;
                }
                if loose && loopback_only(regex, policy.library) {
                    problems.push((format!(
                        "origin pattern `{regex}`{source} is loose, but every origin it admits is the local machine or a single-label name no one can register: a development set-up"
                    ), true));
                    continue;
                }
                for p in found {
                    problems.push((format!("origin pattern `{regex}`{source}: {p}"), false));
                }
            }
            if !origins_reported
                && policy
                    .origins
                    .iter()
                    .any(|o| o.text.eq_ignore_ascii_case("null"))
            {
                problems.push((
                    "the `null` origin is allowed, which sandboxed iframes of any site send"
                        .to_string(),
                    false,
                ));
            }
            if policy.credentials
                && let Some(o) = policy.origins.iter().find(|o| {
                    o.text
                        .strip_prefix("http://")
                        .is_some_and(|rest| !is_loopback(rest))
                })
            {
                problems.push((
                    format!(
                        "`{}` is a plain-http origin trusted with credentials",
                        o.text
                    ),
                    false,
                ));
            }
            // A real problem goes first when a loopback-only pattern sits beside it.
            if let Some((first, _)) = problems.iter().find(|(_, loopback)| !loopback) {
                out.report_with_severity(meta, expr.span, first.clone(), severity);
                return;
            }
            if development.is_none() {
                development = problems.into_iter().next().map(|(p, _)| p);
            }
        }
        if let Some(problem) = development {
            out.report_with(meta, expr.span, problem, Severity::Low, Confidence::Low);
        }
    }
}

/// Whether every origin a loose pattern admits has a loopback host (`localhost`, a name ending
/// in `localhost`, `127.` followed by digits and dots, `[::1]`) followed at most by a port:
/// the unescaped dots of `127.0.0.1` and a `.*` before `localhost` then only let in single-label
/// names, which no one can register on the internet. Starlette matches the whole origin;
/// flask-cors only from the start, so there a host not followed by `$` or a required `:port`
/// could run on (`http://localhost` admits `http://localhost.evil.net`).
fn loopback_only(regex: &str, library: CorsLibrary) -> bool {
    let body = regex.strip_prefix('^').unwrap_or(regex);
    let (body, anchored) = match body.strip_suffix('$') {
        Some(b) => (b, true),
        None => (body, library == CorsLibrary::Starlette),
    };
    top_level_split(body, b'|').into_iter().all(|branch| {
        let Some((_, rest)) = branch.split_once("://") else {
            return false;
        };
        let (host, port) = split_port(rest);
        port_only(port, anchored)
            && host_alternatives(host)
                .into_iter()
                .all(loopback_host_pattern)
    })
}

/// A wildcard admitting dots and letters that ends the host part of a branch after some host
/// text (`http://localhost.*`, `https://app\.example\.com[^/]*`, also before a port): the
/// host runs on into a domain anyone can register (`localhost.evil.net`). So does one that can
/// follow the host because the colon or port group before it is optional
/// (`local\.example\.io:?\d*/?.*`), a repeated label group (`example\.com(\.[a-z]+)*`), and one
/// before a trailing group that may match nothing (`[\w.-]+(\.example\.com)*`). A host made
/// only of a wildcard (`https?://.*:8080`) admits any site. A wildcard that opens the host
/// (`https://.*\.example\.com`) is judged by `pattern_problems`.
fn host_runs_on(regex: &str) -> Option<String> {
    if matches_everything(regex) {
        return None;
    }
    let body = regex.strip_prefix('^').unwrap_or(regex);
    let body = body.strip_suffix('$').unwrap_or(body);
    top_level_split(body, b'|').into_iter().find_map(|branch| {
        let (_, rest) = branch.split_once("://")?;
        let (host, port) = split_port(rest);
        // An origin has no path: a required `/` ends the host too.
        let host = structure(host)
            .into_iter()
            .find(|&(i, b, depth)| {
                b == b'/'
                    && depth == 0
                    && !matches!(host.as_bytes().get(i.saturating_add(1)), Some(b'?' | b'*'))
            })
            .and_then(|(i, _, _)| host.get(..i))
            .unwrap_or(host);
        host_alternatives(host).into_iter().find_map(|alternative| {
            if let Some(group) = repeated_label_group(alternative) {
                return Some(format!(
                    "`{group}` after the host repeats labels into a domain an attacker registers"
                ));
            }
            let stem = without_optional_groups(alternative);
            if let Some((prefix, wildcard)) = split_trailing_wildcard(stem) {
                return Some(if prefix.bytes().any(|b| b.is_ascii_alphanumeric()) {
                    runs_on_message(prefix, wildcard)
                } else {
                    let optional = if stem.len() < alternative.len() {
                        " (the group after it may match nothing)"
                    } else {
                        ""
                    };
                    format!(
                        "the host `{stem}`{optional} admits any host, so a site an attacker runs matches"
                    )
                });
            }
            // The colon or port group is optional: what follows it can follow the host.
            let tail = after_optional_port(port)?;
            let (between, wildcard) = split_trailing_wildcard(tail)?;
            (digits_and_optional_slashes(between)
                && alternative.bytes().any(|b| b.is_ascii_alphanumeric()))
            .then(|| {
                format!(
                    "`{wildcard}` can follow the host directly (the port before it is optional), so it runs on into a domain an attacker registers"
                )
            })
        })
    })
}

/// The message for a host running on through `wildcard`, with an example domain when the
/// host is plain text.
fn runs_on_message(prefix: &str, wildcard: &str) -> String {
    let host = prefix.replace("\\.", ".");
    let example = if host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        format!(" (e.g. `{host}.evil.net`)")
    } else {
        String::new()
    };
    format!(
        "`{wildcard}` after the host lets it run on into a domain an attacker registers{example}"
    )
}

/// What may follow the host when the port is optional: the rest after `:?` (`:*`) or after an
/// optional port group (`(:\d+)?`).
fn after_optional_port(port: &str) -> Option<&str> {
    if let Some(rest) = port.strip_prefix(":?").or_else(|| port.strip_prefix(":*")) {
        return Some(rest);
    }
    if !port.starts_with('(') {
        return None;
    }
    let close = group_end(port, 0)?;
    let after = port.get(close.saturating_add(1)..)?;
    after.strip_prefix('?').or_else(|| after.strip_prefix('*'))
}

/// Whether `s` is only digits (`\d*`, `[0-9]+`) and optional slashes (`/?`): text that keeps
/// a following wildcard next to the host.
fn digits_and_optional_slashes(mut s: &str) -> bool {
    while !s.is_empty() {
        if let Some(rest) = s.strip_prefix("\\d").or_else(|| s.strip_prefix("[0-9]")) {
            s = skip_quantifier(rest);
        } else if let Some(rest) = s.strip_prefix('/') {
            let after = skip_quantifier(rest);
            // A required slash: no origin has a path.
            if after.len() == rest.len() || rest.starts_with('+') {
                return false;
            }
            s = after;
        } else {
            return false;
        }
    }
    true
}

/// `s` after one leading quantifier (`?`, `*`, `+`, `{m,n}`) and its lazy `?`.
fn skip_quantifier(s: &str) -> &str {
    let rest = match s.as_bytes().first() {
        Some(b'?' | b'*' | b'+') => s.get(1..).unwrap_or_default(),
        Some(b'{') => s
            .find('}')
            .and_then(|i| s.get(i.saturating_add(1)..))
            .unwrap_or(s),
        _ => return s,
    };
    rest.strip_prefix('?').unwrap_or(rest)
}

/// The byte position of the `)` closing the group opened at `open`.
fn group_end(pattern: &str, open: usize) -> Option<usize> {
    let parts = structure(pattern);
    let depth = parts.iter().find(|&&(i, _, _)| i == open)?.2;
    parts
        .into_iter()
        .find(|&(i, b, d)| i > open && b == b')' && d == depth)
        .map(|(i, _, _)| i)
}

/// The byte position of the `(` opening the group closed at `close`.
fn group_start(pattern: &str, close: usize) -> Option<usize> {
    let parts = structure(pattern);
    let depth = parts.iter().find(|&&(i, _, _)| i == close)?.2;
    parts
        .into_iter()
        .rev()
        .find(|&(i, b, d)| i < close && b == b'(' && d == depth)
        .map(|(i, _, _)| i)
}

/// A host alternative without the groups ending it that may match nothing (`(\.example\.com)*`,
/// `(-dev)?`).
fn without_optional_groups(alternative: &str) -> &str {
    let mut stem = alternative;
    while let Some(inner) = stem.strip_suffix(")?").or_else(|| stem.strip_suffix(")*")) {
        let close = inner.len();
        let Some(open) = group_start(stem, close) else {
            break;
        };
        // A wildcard inside the group is the run-on itself: keep it.
        if split_trailing_wildcard(stem).is_some() {
            break;
        }
        match stem.get(..open) {
            Some(before) if !before.is_empty() => stem = before,
            _ => break,
        }
    }
    stem
}

/// A repeated group ending the host that adds a dot and a run of letters each time
/// (`(\.[a-z]+)*`, `(\.\w+)+`): the host runs on label by label.
fn repeated_label_group(alternative: &str) -> Option<&str> {
    let inner = alternative
        .strip_suffix(")*")
        .or_else(|| alternative.strip_suffix(")+"))?;
    let open = group_start(alternative, inner.len())?;
    let content = inner.get(open.saturating_add(1)..)?;
    let content = content.strip_prefix("?:").unwrap_or(content);
    let label = content.strip_prefix("\\.")?;
    let letters = match label.strip_prefix("\\w") {
        Some(rest) => rest,
        None => {
            let class = label.strip_prefix('[')?;
            let end = class.find(']')?;
            let admits_letters = class.get(..end).is_some_and(|c| {
                c.starts_with('^') && !c.contains('.')
                    || ["\\w", "a-z", "A-Z"].iter().any(|l| c.contains(l))
            });
            if !admits_letters {
                return None;
            }
            class.get(end.saturating_add(1)..)?
        }
    };
    matches!(letters, "+" | "*" | "+?" | "*?").then(|| alternative.get(open..).unwrap_or_default())
}

/// What comes before a wildcard admitting dots and letters that ends `alternative` (`.*`,
/// `.+`, `\S*`, `[^/]*`, `[\w.-]+`, `.{1,}`, inside a group or not), and the wildcard.
fn split_trailing_wildcard(alternative: &str) -> Option<(&str, &str)> {
    let trimmed = alternative.trim_end_matches([')', '?']);
    let last = structure(trimmed).last().map(|&(i, b, _)| (i, b));
    // The repetition must be unbounded and not escaped.
    let stem = match last {
        Some((i, b'*' | b'+')) if i.saturating_add(1) == trimmed.len() => trimmed.get(..i)?,
        Some((i, b'}')) if i.saturating_add(1) == trimmed.len() && trimmed.ends_with(",}") => {
            trimmed.get(..trimmed.rfind('{')?)?
        }
        _ => return None,
    };
    let atom_start = if stem.ends_with("\\S") && !stem.ends_with("\\\\S") {
        stem.len().saturating_sub(2)
    } else {
        match structure(stem).last() {
            Some(&(i, b'.', _)) if i.saturating_add(1) == stem.len() => i,
            Some(&(i, b'[', _)) if stem.ends_with(']') => {
                let class = stem.get(i.saturating_add(1)..stem.len().saturating_sub(1))?;
                if !class_runs_on(class) {
                    return None;
                }
                i
            }
            _ => return None,
        }
    };
    let prefix = stem.get(..atom_start)?;
    let wildcard = alternative.get(atom_start..trimmed.len())?;
    Some((prefix, wildcard))
}

/// Whether a character class admits both dots and letters: a negated class that does not
/// name the dot (`[^/]`, `[^:/]`), or one listing the dot with letters (`[\w.-]`, `[a-z.]`).
fn class_runs_on(class: &str) -> bool {
    match class.strip_prefix('^') {
        Some(excluded) => !excluded.contains('.') && !excluded.contains("\\W"),
        None => {
            class.contains("\\S")
                || class.contains('.') && ["\\w", "a-z", "A-Z"].iter().any(|l| class.contains(l))
        }
    }
}

/// The byte positions of a pattern that are outside escapes and character classes, with the
/// group depth before each.
fn structure(pattern: &str) -> Vec<(usize, u8, u32)> {
    let bytes = pattern.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut depth, mut class) = (0usize, 0u32, false);
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' {
            i = i.saturating_add(2);
            continue;
        }
        if class {
            class = b != b']';
        } else {
            match b {
                b'[' => class = true,
                b')' => depth = depth.saturating_sub(1),
                _ => {}
            }
            out.push((i, b, depth));
            if b == b'(' {
                depth = depth.saturating_add(1);
            }
        }
        i = i.saturating_add(1);
    }
    out
}

/// `pattern` split at `sep` outside groups, classes and escapes.
fn top_level_split(pattern: &str, sep: u8) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, b, depth) in structure(pattern) {
        if b == sep && depth == 0 {
            parts.push(pattern.get(start..i).unwrap_or_default());
            start = i.saturating_add(1);
        }
    }
    parts.push(pattern.get(start..).unwrap_or_default());
    parts
}

/// The host part of what follows `://` and the rest: the host ends at the first `:` or
/// `(:`/`(?::` group outside groups.
fn split_port(rest: &str) -> (&str, &str) {
    for (i, b, depth) in structure(rest) {
        let tail = rest.get(i..).unwrap_or_default();
        if depth == 0 && (b == b':' || tail.starts_with("(:") || tail.starts_with("(?::")) {
            return (rest.get(..i).unwrap_or_default(), tail);
        }
    }
    (rest, "")
}

/// Whether what follows the host can only be a port: nothing (when the pattern is anchored
/// there), a required `:...`, or one `(:...)` group, optional only when anchored.
fn port_only(port: &str, anchored: bool) -> bool {
    if port.is_empty() {
        return anchored;
    }
    if port.starts_with(':') {
        return true;
    }
    let Some(close) = structure(port)
        .into_iter()
        .find(|&(_, b, depth)| b == b')' && depth == 0)
        .map(|(i, _, _)| i)
    else {
        return false;
    };
    match port.get(close.saturating_add(1)..).unwrap_or_default() {
        "" => true,
        "?" => anchored,
        _ => false,
    }
}

/// The alternatives of a host part wrapped in one group (`(localhost|127.0.0.1)`), or the
/// host part itself.
fn host_alternatives(host: &str) -> Vec<&str> {
    let closes_at_end = structure(host)
        .into_iter()
        .find(|&(_, b, depth)| b == b')' && depth == 0)
        .is_some_and(|(i, _, _)| i.saturating_add(1) == host.len());
    match host.strip_prefix('(') {
        Some(inner) if closes_at_end => {
            let inner = inner
                .get(..inner.len().saturating_sub(1))
                .unwrap_or_default();
            let inner = inner.strip_prefix("?:").unwrap_or(inner);
            top_level_split(inner, b'|')
        }
        _ => vec![host],
    }
}

/// One host alternative that admits only loopback hosts or unregistrable single labels: it
/// ends in `localhost`, it is `\[::1\]`, or it is `127` and then only digits and dots, ending
/// in a digit (an unescaped dot makes a single label such as `127x0x0x1`, never a domain:
/// top-level domains do not end in a digit).
fn loopback_host_pattern(alternative: &str) -> bool {
    let lower = alternative.to_ascii_lowercase();
    if lower.ends_with("localhost") && !lower.ends_with("\\localhost") || lower == "\\[::1\\]" {
        return true;
    }
    let plain = lower.replace("\\.", ".");
    plain
        .strip_prefix("127")
        .is_some_and(|rest| rest.starts_with('.'))
        && plain.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && plain.ends_with(|c: char| c.is_ascii_digit())
}

/// Whether the authority of an origin (`localhost:3000`, `app.localhost`, `127.0.0.1:8080`,
/// `[::1]:5173`) names the local machine: no network attacker stands between the browser and
/// it. `localhost.example.com` is somebody's domain.
fn is_loopback(authority: &str) -> bool {
    let authority = authority.split('/').next().unwrap_or_default();
    let host = if authority.starts_with('[') {
        authority.split(']').next().map_or("", |h| &h[1..])
    } else {
        authority.split(':').next().unwrap_or_default()
    }
    .to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host.strip_prefix("127.").is_some_and(|rest| {
            rest.split('.').count() == 3 && rest.split('.').all(|p| p.parse::<u8>().is_ok())
        })
}

#[cfg(test)]
mod loopback_tests {
    use super::is_loopback;

    #[test]
    fn loopback_origins() {
        assert!(is_loopback("localhost:3000"));
        assert!(is_loopback("letta.localhost"));
        assert!(is_loopback("127.0.0.1:8080"));
        assert!(is_loopback("[::1]:5173"));
        assert!(!is_loopback("localhost.example.com"));
        assert!(!is_loopback("127.0.0.1.example.com"));
        assert!(!is_loopback("app.example.com"));
    }

    #[test]
    fn hosts_that_run_on() {
        use super::host_runs_on;
        for runs_on in [
            r"http://localhost.*",
            r"^http://localhost.*$",
            r"http://localhost.+:[0-9]+",
            r"https?://(localhost|127\.0\.0\.1).*",
            r"https://app\.example\.com[^/]*",
            r"https://app\.example\.com[\w.-]+",
            r"http://localhost\S*",
            r"http://localhost(.*)",
            r"http://localhost.{1,}",
            r"https://app\.example\.com|http://localhost.*?",
            r"https?://.*:8080",
            r"https://[^/]+:[0-9]+",
            r"https://app\.example\.com:?\d*/?.*",
            r"https?://\w*\.?local\.alerta\.io:?\d*/?.*",
            r"http://localhost(:\d+)?.*",
            r"https://[\w.-]+(\.example\.com)*",
            r"https://example\.com(\.[a-z]+)*",
            r"https://example\.com(?:\.\w+)+",
        ] {
            assert!(host_runs_on(runs_on).is_some(), "{runs_on}");
        }
        for ends in [
            r"http://localhost:\d+",
            r"http://localhost(:\d+)?$",
            r"https?://(localhost|127\.0\.0\.1)(:[0-9]+)?",
            r"http://localhost:.*",
            r"https://[a-z0-9-]+\.example\.com",
            r"https://([a-z0-9-]+\.)*example\.com",
            r"https://.*\.example\.com",
            r"https?://.*",
            r"(https?://)?.*",
            r"http://localhost\.*",
            r"http://localhost[\d.]*",
            r"http://localhost/.*",
            r"https://app\.example\.com:?\d*",
            r"https://app\.example\.com:?/.*",
            r"https://[a-z0-9-]+(\.example\.com)*",
            r"https://app(\.example\.com)+",
            r"https://([a-z0-9-]+\.)*example\.com(:\d+)?",
            r"http://.*localhost:[0-9]+",
        ] {
            assert!(host_runs_on(ends).is_none(), "{ends}");
        }
    }

    #[test]
    fn loopback_patterns() {
        use super::{CorsLibrary, loopback_only};
        let starlette = CorsLibrary::Starlette;
        assert!(loopback_only(
            r"http(s)?://(localhost|127.0.0.1)(:\d+)?",
            starlette
        ));
        assert!(loopback_only(r"http://.*localhost:[0-9]+", starlette));
        assert!(loopback_only(
            r"https?://([a-z]+\.)?localhost(:\d+)?$",
            starlette
        ));
        assert!(loopback_only(
            r"http://127.0.0.1:\d+|http://localhost:\d+",
            starlette
        ));
        assert!(!loopback_only(r"https://.*example.com", starlette));
        assert!(!loopback_only(r"http://localhost.*", starlette));
        assert!(!loopback_only(
            r"http://(localhost|app.example.com)(:\d+)?",
            starlette
        ));
        assert!(!loopback_only(r"http://127.0.0.1.*", starlette));
        assert!(!loopback_only(
            r"https?://\w*\.?local\.alerta\.io:?\d*/?.*",
            CorsLibrary::FlaskCors
        ));
        // flask-cors matches from the start: the host could run on.
        assert!(!loopback_only(r"http://127.0.0.1", CorsLibrary::FlaskCors));
        assert!(!loopback_only(
            r"http://localhost(:\d+)?",
            CorsLibrary::FlaskCors
        ));
        assert!(loopback_only(
            r"http://localhost:\d+",
            CorsLibrary::FlaskCors
        ));
    }
}
