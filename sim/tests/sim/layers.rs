//! The library's modules point one way, from the document up to the
//! server. Read from `sim/src/*.rs`: every `crate::` path in a module's code
//! is an edge to the module it names (to the crate root for anything the
//! root itself defines), and the crate root depends on every module it
//! declares. A cycle fails the test, named.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name → the modules its code names.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The crate root's node.
const ROOT: &str = "lib";

/// `files`: (module name, source); the crate root is named [`ROOT`].
fn dependencies(files: &[(String, String)]) -> Graph {
    let modules: BTreeSet<&str> = files
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| *name != ROOT)
        .collect();
    let mut graph = Graph::new();
    for (name, source) in files {
        let edges = graph.entry(name.clone()).or_default();
        for line in source.lines().map(str::trim) {
            // Comments name modules in links and prose, not in code.
            if line.starts_with("//") {
                continue;
            }
            if name == ROOT
                && let Some(declared) = declared_module(line)
            {
                edges.insert(declared.to_owned());
            }
            for named in crate_paths(line) {
                let target = if modules.contains(named) { named } else { ROOT };
                if target != name {
                    edges.insert(target.to_owned());
                }
            }
        }
    }
    graph
}

/// `x` of `mod x;` or `pub mod x;`.
fn declared_module(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("pub ").unwrap_or(line);
    rest.strip_prefix("mod ")?.strip_suffix(';')
}

/// The first segment of every path after `crate::` on the line, including
/// each path of a group (`crate::{a, b::c}`).
fn crate_paths(line: &str) -> Vec<&str> {
    let ident = |s: &str| -> usize {
        s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let mut found = Vec::new();
    for (at, _) in line.match_indices("crate::") {
        let rest = &line[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',').map(str::trim) {
                let end = ident(item);
                if end > 0 {
                    found.push(&item[..end]);
                }
            }
        } else {
            let end = ident(rest);
            if end > 0 {
                found.push(&rest[..end]);
            }
        }
    }
    found
}

/// A cycle as `a → b → a`, if there is one.
fn cycle(graph: &Graph) -> Option<String> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<String> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut names = path[start..].to_vec();
            names.push(node.to_owned());
            return Some(names.join(" → "));
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_modules_of_sim_src_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
            files.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    let graph = dependencies(&files);
    assert!(graph.len() > 10, "read {} modules", graph.len());
    if let Some(found) = cycle(&graph) {
        panic!("modules of sim/src depend on each other in a cycle: {found}");
    }
}

fn files(sources: &[(&str, &str)]) -> Vec<(String, String)> {
    sources
        .iter()
        .map(|(name, source)| ((*name).to_owned(), (*source).to_owned()))
        .collect()
}

#[test]
fn a_cycle_is_found_and_named() {
    let two = files(&[
        ("lib", "mod a;\npub mod b;\nmod c;"),
        ("a", "use crate::b::Thing;"),
        ("b", "use crate::{c, a::Other};"),
        ("c", "// crate::a in a comment is no dependency\n"),
    ]);
    assert_eq!(cycle(&dependencies(&two)).as_deref(), Some("a → b → a"));

    // Naming something the crate root defines points back at the root.
    let root = files(&[
        ("lib", "mod a;\npub struct Thing;"),
        ("a", "fn f() -> crate::Thing {}"),
    ]);
    assert_eq!(cycle(&dependencies(&root)).as_deref(), Some("a → lib → a"));

    let layered = files(&[
        ("lib", "mod a;\nmod b;"),
        ("a", "use crate::b;"),
        ("b", "use std::fmt;\n// use crate::a;"),
    ]);
    assert_eq!(cycle(&dependencies(&layered)), None);
}
