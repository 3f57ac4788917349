//! The layer order of sprintlab's top-level modules, checked by a test: a module may import only modules
//! below it (data flows scenario → model → sim → measure → export → figures; studies above; front end on top).
//!
//! `cargo test --release --lib layers -- --nocapture` prints every `crate::` edge between top-level modules.

/// Top-level modules from the bottom up. `error`, `io` and `rng` sit below everything.
pub const LAYERS: &[&str] = &[
    "error", "io", "rng", "model", "control", "sim", "scenario", "measure", "export", "figures", "optim", "sweep",
    "study", "cli",
];

#[cfg(test)]
mod tests {
    use super::LAYERS;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    /// Upward imports still being removed on other branches of issue 13 (each must still exist: the list can only
    /// shrink). `(from, to, why)`.
    const PENDING: &[(&str, &str, &str)] = &[];

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
            if e.is_dir() {
                rust_files(&e, out);
            } else if e.extension().is_some_and(|x| x == "rs") {
                out.push(e);
            }
        }
    }

    /// The top-level modules a source text names through `crate::` (`use crate::{a, b}` included), comments
    /// and root re-exports (`crate::Error`) left out.
    fn targets(text: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                let names: Vec<&str> = match rest.strip_prefix('{') {
                    Some(group) => group.split('}').next().unwrap_or("").split(',').collect(),
                    None => vec![rest],
                };
                for n in names {
                    let id: String = n
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    // `crate::Error` and other root re-exports are not modules.
                    if id.starts_with(|c: char| c.is_ascii_lowercase()) {
                        out.insert(id);
                    }
                }
            }
        }
        out
    }

    /// `from → {to: files}` over `src/`, between different top-level modules.
    fn edges() -> BTreeMap<(String, String), Vec<String>> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for f in files {
            let rel = f.strip_prefix(&src).unwrap();
            let first = rel.components().next().unwrap().as_os_str().to_string_lossy();
            let module = first.trim_end_matches(".rs").to_string();
            if module == "lib" || module == "main" || module == "layers" {
                continue;
            }
            for t in targets(&std::fs::read_to_string(&f).unwrap()) {
                if t != module {
                    out.entry((module.clone(), t))
                        .or_default()
                        .push(rel.display().to_string());
                }
            }
        }
        out
    }

    /// Two-way imports between files still to be removed (`(a, b)`, a < b): `optim/search.rs` holds the
    /// `Checkpoint` state while `optim/checkpoint.rs` implements argmin's checkpointing for `Search` (optim's owner
    /// to untangle).
    const PENDING_TWO_WAY: &[(&str, &str)] = &[];

    /// The file a module path names (`["sweep", "run", "Point"]` → `sweep/run.rs`): the longest prefix that is a
    /// file of `files`.
    fn file_of(parts: &[String], files: &BTreeSet<String>) -> Option<String> {
        (1..=parts.len()).rev().find_map(|k| {
            let stem = parts[..k].join("/");
            [format!("{stem}.rs"), format!("{stem}/mod.rs")]
                .into_iter()
                .find(|f| files.contains(f))
        })
    }

    /// File-to-file edges over `src/` through `crate::` and `super::` paths (comments left out).
    fn file_edges() -> BTreeSet<(String, String)> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut paths = Vec::new();
        rust_files(&src, &mut paths);
        let rel = |p: &Path| p.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let files: BTreeSet<String> = paths.iter().map(|p| rel(p)).collect();
        let mut edges = BTreeSet::new();
        for p in &paths {
            let me = rel(p);
            let mut module: Vec<String> = me.trim_end_matches(".rs").split('/').map(String::from).collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            let text = std::fs::read_to_string(p).unwrap();
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (root, base) in [
                    ("crate::", Vec::new()),
                    ("super::", module[..module.len().saturating_sub(1)].to_vec()),
                ] {
                    for (i, _) in line.match_indices(root) {
                        let path: Vec<String> = line[i + root.len()..]
                            .split("::")
                            .map(|seg| {
                                seg.chars()
                                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                                    .collect()
                            })
                            .take_while(|seg: &String| seg.starts_with(|c: char| c.is_ascii_lowercase()))
                            .collect();
                        let full: Vec<String> = base.iter().cloned().chain(path).collect();
                        if let Some(target) = file_of(&full, &files).filter(|t| *t != me) {
                            edges.insert((me.clone(), target));
                        }
                    }
                }
            }
        }
        edges
    }

    #[test]
    fn no_two_files_import_each_other() {
        let edges = file_edges();
        assert!(
            edges.contains(&("sweep/run.rs".into(), "sweep/plan.rs".into())),
            "super:: paths resolved"
        );
        let two_way: Vec<(String, String)> = edges
            .iter()
            .filter(|(a, b)| a < b && edges.contains(&(b.clone(), a.clone())))
            .cloned()
            .collect();
        let unexpected: Vec<_> = two_way
            .iter()
            .filter(|(a, b)| !PENDING_TWO_WAY.contains(&(a.as_str(), b.as_str())))
            .collect();
        assert!(unexpected.is_empty(), "files importing each other: {unexpected:?}");
        for (a, b) in PENDING_TWO_WAY {
            assert!(
                two_way.contains(&(a.to_string(), b.to_string())),
                "{a} <-> {b} is gone: remove it from PENDING_TWO_WAY"
            );
        }
    }

    #[test]
    fn targets_reads_paths_and_groups_but_not_comments() {
        let t = targets(
            "use crate::io::x;\n// crate::cli\nuse crate::{export, figures::y};\nf(crate::sim::z, crate::Error)",
        );
        assert_eq!(t.into_iter().collect::<Vec<_>>(), ["export", "figures", "io", "sim"]);
    }

    #[test]
    fn modules_import_only_layers_below_them() {
        let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
        let edges = edges();
        let mut upward = Vec::new();
        for ((from, to), files) in &edges {
            println!("{from} -> {to}: {}", files.join(" "));
            let (Some(a), Some(b)) = (rank(from), rank(to)) else {
                panic!("{from} -> {to} ({files:?}): a module missing from LAYERS; place it there");
            };
            let pending = PENDING.iter().any(|(f, t, _)| f == from && t == to);
            if b > a && !pending {
                upward.push(format!("{from} -> {to} in {}", files.join(", ")));
            }
        }
        assert!(
            upward.is_empty(),
            "imports against the layer order {LAYERS:?}:\n{}",
            upward.join("\n")
        );
        for (from, to, why) in PENDING {
            assert!(
                edges.contains_key(&(from.to_string(), to.to_string())),
                "{from} -> {to} is gone ({why}): remove it from PENDING"
            );
        }
    }
}
