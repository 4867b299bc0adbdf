//! The shape of `src/` (issue 23): files of at most 550 lines, and top-level modules that import
//! one another without a cycle, so they stack in layers and no import runs back up. A `crate::X`
//! anywhere in a module's files (a `use`, a path or a doc link) counts as an import of X;
//! comments that name a module in prose do not use the `crate::` form.

use crate::util::root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file of `src/` belongs to (None for `lib.rs` and `main.rs`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// module → the modules it imports.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let modules: BTreeSet<String> = all.iter().filter_map(|f| module_of(&src, f)).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for f in &all {
        let Some(from) = module_of(&src, f) else {
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        let word = |s: &str| -> String {
            s.trim_start()
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect()
        };
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + 7..];
            // `crate::x::…`, or a group `crate::{x::…, y, …}`: the first name of each part.
            let names: Vec<String> = match rest.strip_prefix('{') {
                Some(group) => {
                    let body = &group[..group.find('}').unwrap_or(group.len())];
                    body.split(',').map(word).collect()
                }
                None => vec![word(rest)],
            };
            for name in names {
                if name != from && modules.contains(&name) {
                    g.get_mut(&from).unwrap().insert(name);
                }
            }
        }
    }
    g
}

#[test]
fn the_top_level_modules_import_one_another_without_a_cycle() {
    let g = graph();
    // Peel off modules that import nothing left: what cannot be peeled is on a cycle.
    let mut left = g.clone();
    let mut layers: Vec<Vec<String>> = Vec::new();
    while !left.is_empty() {
        let free: Vec<String> = left
            .iter()
            .filter(|(_, to)| to.iter().all(|t| !left.contains_key(t)))
            .map(|(m, _)| m.clone())
            .collect();
        assert!(
            !free.is_empty(),
            "these modules import one another in a cycle (or depend on one): {:?}",
            left.iter()
                .map(|(m, to)| format!(
                    "{m} → {:?}",
                    to.iter()
                        .filter(|t| left.contains_key(*t))
                        .collect::<Vec<_>>()
                ))
                .collect::<Vec<_>>()
        );
        for m in &free {
            left.remove(m);
        }
        layers.push(free);
    }
    // The drawing, bottom up (shown with --nocapture).
    for (k, l) in layers.iter().enumerate() {
        println!("layer {k}: {}", l.join(", "));
    }
    // The engine stays below what uses it, and the command line on top.
    let layer_of = |m: &str| {
        layers
            .iter()
            .position(|l| l.iter().any(|x| x == m))
            .unwrap()
    };
    assert!(layer_of("model") < layer_of("engine"));
    assert!(layer_of("engine") < layer_of("ensemble"));
    assert_eq!(layer_of("cli"), layers.len() - 1);
}

#[test]
fn the_drawing_sees_imports() {
    // A check of the check: the graph finds imports that are known to exist.
    let g = graph();
    assert!(g["engine"].contains("scenario"));
    assert!(g["cli"].contains("publish"));
    assert!(!g["model"].contains("engine"));
}

/// No file of `src/` is over 550 lines (issue 23): a file that grows past it is split by
/// concern.
#[test]
fn no_source_file_is_over_550_lines() {
    let mut all = Vec::new();
    files(&root().join("src"), &mut all);
    let long: Vec<String> = all
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 550).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over 550 lines: {long:?}");
}
