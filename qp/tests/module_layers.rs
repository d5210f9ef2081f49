//! The query processor's module layering, checked from its source.
//!
//! qp is being reshaped into layers that import only downward (see
//! `docs/architecture/overview.md` and the relational-engine issue): `txn`, then `types`,
//! `functions`, `catalog`, `sql` (parse, names, plan, binder, optimizer), `exec`, `policy` /
//! `security` / `jobs`, `session`, `pgwire`. Each of today's top-level modules is assigned
//! the layer it belongs to in [`LAYER`]. This test reads every `crate::<module>` reference in
//! `qp/src` and fails when
//!
//! - a module imports one in a higher layer, unless the edge is in [`KNOWN_BACK_EDGES`]
//!   (today's, which the reshaping removes one by one);
//! - an edge listed in [`KNOWN_BACK_EDGES`] no longer exists (take it off the list: the list
//!   only shrinks);
//! - the modules form a cycle without using a known back edge;
//! - a module is missing from [`LAYER`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every top-level module of `qp/src` and its layer (a module may import its own layer and
/// lower ones). `error` is visible to every layer and not listed.
const LAYER: &[(&str, u32)] = &[
    ("txn", 0),
    ("types", 1),
    // The function registry and overload resolution, and the scalar functions' code.
    ("functions", 2),
    ("catalog", 3),
    ("index", 3),
    // DSQL's limits: plain numbers and checks, read by the planner, the executor and the
    // session alike.
    ("limits", 3),
    // Role records, oids and IAM mappings in the catalog keyspace (the name and ARN rules
    // in it belong to a security layer later).
    ("roles", 3),
    ("names", 4),
    ("parse", 4),
    ("planner", 4),
    ("plan", 4),
    ("expr", 4),
    ("explain", 4),
    ("exec", 7),
    ("refusals", 8),
    ("locking", 8),
    ("privileges", 8),
    ("login", 8),
    ("jobs", 8),
    ("session", 9),
    ("settings", 9),
    ("handler", 10),
];

/// Imports that go up a layer today (or close a cycle within one). Remove an entry when the
/// code stops needing it; never add one.
const KNOWN_BACK_EDGES: &[(&str, &str)] = &[];

/// The top-level module a source file belongs to (`exec/read.rs` → `exec`); `None` for
/// `lib.rs`.
fn module_of(path: &Path, src: &Path) -> Option<String> {
    let relative = path.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib").then_some(name)
}

/// The modules a source text names as `crate::<module>`, including inside
/// `use crate::{a, b::c}` groups. Line comments are ignored.
fn referenced_modules(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Items at depth 0 of the group, up to its closing brace.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        let name = ident(&group[i..]);
                        if !name.is_empty() {
                            found.insert(name);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

fn source_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read qp/src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every import edge between distinct top-level modules (`error` left out).
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(from) = module_of(&file, &src).filter(|m| m != "error") else {
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("read source");
        for to in referenced_modules(&text) {
            if to != from && to != "error" && to != "self" && to != "super" {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
        edges.entry(from).or_default();
    }
    edges
}

/// A cycle in `graph`, if there is one (as the list of modules along it).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(cycle) = visit(next, graph, state, path) {
                        return Some(cycle);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0
            && let Some(cycle) = visit(node, graph, &mut state, &mut Vec::new())
        {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn modules_import_only_downward_except_the_known_back_edges() {
    let layer: BTreeMap<&str, u32> = LAYER.iter().copied().collect();
    let known: BTreeSet<(&str, &str)> = KNOWN_BACK_EDGES.iter().copied().collect();
    let edges = edges();
    let mut problems = Vec::new();
    for module in edges.keys() {
        if !layer.contains_key(module.as_str()) {
            problems.push(format!("module `{module}` has no layer in LAYER"));
        }
    }
    for module in layer.keys() {
        if !edges.contains_key(*module) {
            problems.push(format!(
                "LAYER names `{module}`, which is not a module of qp/src"
            ));
        }
    }
    for (from, targets) in &edges {
        for to in targets {
            let (Some(&lf), Some(&lt)) = (layer.get(from.as_str()), layer.get(to.as_str())) else {
                continue;
            };
            if lt > lf && !known.contains(&(from.as_str(), to.as_str())) {
                problems.push(format!(
                    "`{from}` (layer {lf}) imports `{to}` (layer {lt}): a new import upward"
                ));
            }
        }
    }
    for (from, to) in &known {
        if !edges
            .get(*from)
            .is_some_and(|targets| targets.contains(*to))
        {
            problems.push(format!(
                "`{from}` no longer imports `{to}`: remove the edge from KNOWN_BACK_EDGES"
            ));
        }
    }
    let mut downward = edges.clone();
    for (from, to) in &known {
        if let Some(targets) = downward.get_mut(*from) {
            targets.remove(*to);
        }
    }
    if let Some(cycle) = find_cycle(&downward) {
        problems.push(format!(
            "import cycle without a known back edge: {}",
            cycle.join(" → ")
        ));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn references_are_read_from_paths_and_groups() {
    let text = "use crate::a::X;\nuse crate::{b, c::{D, E}, f::G};\n// crate::hidden\nlet x = crate::h::y();";
    let found: Vec<String> = referenced_modules(text).into_iter().collect();
    assert_eq!(found, ["a", "b", "c", "f", "h"]);
}
