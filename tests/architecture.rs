//! The layers point one way (`domain ← db ← service ← api`, with `auth` beside the
//! service) and no module depends on itself through others. Read from the source: a
//! module depends on another when it names it (`crate::db::stats`, `super::stats`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What each top-level module may name besides itself.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("error_code", &[]),
    ("private_files", &[]),
    ("telemetry", &[]),
    ("tls", &[]),
    ("db", &["domain", "private_files"]),
    ("config", &["db", "domain"]),
    (
        "auth",
        &["domain", "db", "error_code", "config", "private_files"],
    ),
    ("service", &["domain", "db", "auth", "error_code"]),
    ("error", &["auth", "db", "error_code", "service"]),
    (
        "state",
        &[
            "config",
            "db",
            "auth",
            "service",
            "error",
            "telemetry",
            "private_files",
        ],
    ),
    (
        "api",
        &[
            "domain",
            "db",
            "auth",
            "service",
            "error",
            "error_code",
            "state",
            "config",
        ],
    ),
    ("demo", &["domain", "db", "auth", "service"]),
    ("pages", &["api"]),
];

/// Every module of the crate (`db::stats`) with its source, tests and comments left out.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                let mut inner = prefix.to_vec();
                inner.push(name);
                walk(&path, &inner, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut module = prefix.to_vec();
                if name != "mod" {
                    module.push(name);
                }
                if module == ["lib"] || module == ["main"] {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
                let code: String = code
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .map(|l| format!("{l}\n"))
                    .collect();
                out.insert(module.join("::"), code);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &[],
        &mut out,
    );
    out
}

/// The paths a source names from `crate::` or `super::`, braces of `use` expanded.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let mut i = 0;
    while i < bytes.len() {
        let starts = (i == 0 || !word(bytes[i - 1]))
            && ["crate::", "super::"]
                .iter()
                .any(|p| bytes[i..].iter().take(p.len()).copied().eq(p.chars()));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && word(bytes[j]) {
            j += 1;
        }
        let head: String = bytes[i..j].iter().collect();
        if head.ends_with("::") && bytes.get(j) == Some(&'{') {
            // `use crate::db::{self, stats, votes::VoteRow}`: one path per item.
            let end = (j..bytes.len()).find(|k| bytes[*k] == '}').unwrap_or(j);
            let inner: String = bytes[j + 1..end].iter().collect();
            for item in inner.split(',') {
                let item = item.trim().trim_start_matches('{');
                if !item.is_empty() {
                    paths.push(format!("{head}{item}"));
                }
            }
            i = end;
        } else {
            paths.push(head.trim_end_matches(':').to_owned());
            i = j;
        }
    }
    paths
}

/// The module a path names from inside `from` (the longest prefix that is a module).
fn resolve(from: &str, path: &str, known: &BTreeSet<String>) -> Option<String> {
    let mut segments: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = Vec::new();
    if segments.first() == Some(&"crate") {
        segments.remove(0);
    } else {
        base = from.split("::").collect();
        while segments.first() == Some(&"super") {
            segments.remove(0);
            base.pop();
        }
    }
    let full: Vec<&str> = base.into_iter().chain(segments).collect();
    (1..=full.len())
        .rev()
        .map(|n| full[..n].join("::"))
        .find(|m| known.contains(m))
}

fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let related = |a: &str, b: &str| {
        a == b || a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"))
    };
    modules
        .iter()
        .map(|(module, code)| {
            let deps = named_paths(code)
                .iter()
                .filter_map(|p| resolve(module, p, &known))
                .filter(|d| !related(module, d))
                .collect();
            (module.clone(), deps)
        })
        .collect()
}

#[test]
fn the_reader_finds_what_a_module_names() {
    let paths = named_paths(
        "use crate::db::{self, stats, votes::VoteRow};\nlet x = super::csv::inert_cell(y);",
    );
    assert_eq!(
        paths,
        [
            "crate::db::self",
            "crate::db::stats",
            "crate::db::votes::VoteRow",
            "super::csv::inert_cell"
        ]
    );
    let known: BTreeSet<String> = ["db", "db::votes", "api", "api::csv", "api::stats"]
        .map(String::from)
        .into();
    assert_eq!(
        resolve("api::stats", "super::csv::inert_cell", &known).as_deref(),
        Some("api::csv")
    );
    assert_eq!(
        resolve("api::stats", "crate::db::votes::VoteRow", &known).as_deref(),
        Some("db::votes")
    );
    assert!(dependencies()["service::dossiers"].contains("db::dossiers"));
}

#[test]
fn each_layer_names_only_those_below_it() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (module, deps) in dependencies() {
        let top = module.split("::").next().unwrap().to_owned();
        let may = allowed
            .get(top.as_str())
            .unwrap_or_else(|| panic!("{top} has no place in ALLOWED"));
        for dep in deps {
            let dep_top = dep.split("::").next().unwrap();
            if dep_top != top && !may.contains(&dep_top) {
                wrong.push(format!("{module} -> {dep}"));
            }
        }
    }
    assert!(wrong.is_empty(), "layers crossed upwards: {wrong:#?}");
}

#[test]
fn no_module_depends_on_itself() {
    let deps = dependencies();
    // Depth-first search: a module met again while still on the path closes a cycle.
    fn visit<'a>(
        module: &'a str,
        deps: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|m| *m == module) {
            cycles.push(path[at..].join(" -> ") + " -> " + module);
            return;
        }
        if !done.insert(module) {
            return;
        }
        path.push(module);
        for dep in deps.get(module).into_iter().flatten() {
            visit(dep, deps, path, done, cycles);
        }
        path.pop();
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for module in deps.keys() {
        visit(module, &deps, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(cycles.is_empty(), "module cycles: {cycles:#?}");
}
