//! The scenario and model parsers never panic (issue 13, item 5): every shipped scenario, parameter file
//! (`best.toml`) and model file is mutated — deleted, duplicated and swapped lines, random bytes, truncation,
//! numbers replaced by huge, tiny, negative and non-finite values, values replaced by deep nesting — and loaded.
//! Each case must end in an error or a valid load: never a panic, never a file written. A sample of the refused
//! cases also goes through the binary (`simulate --out`), which must exit 1 (not 101, a panic), say `error:`, and
//! leave no output folder.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

/// What kind of input a source file is, so that it is loaded the way the tool loads it.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Scenario,
    /// A parameter overlay, loaded as the `[optimize] start` of the scenario that uses it.
    Params,
    Model,
}

#[derive(Clone, Debug)]
struct Source {
    path: PathBuf,
    text: String,
    kind: Kind,
}

/// Every shipped scenario (`scenarios/`, `data/verification/`), the committed `best.toml` that scenarios start
/// from, and the model files under `data/`.
fn sources() -> Vec<Source> {
    let mut out = Vec::new();
    let mut add = |dir: &str, ext: &str, kind: Kind| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == ext))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push(Source { path, text, kind });
        }
    };
    add("scenarios", "toml", Kind::Scenario);
    add("data/verification", "toml", Kind::Scenario);
    add("data/shared/peers", "json", Kind::Model);
    for stage in ["sprint_stage0", "sprint_stage3", "sprint_stage4"] {
        let path = PathBuf::from(format!("results/{stage}/best.toml"));
        let text = std::fs::read_to_string(&path).unwrap();
        out.push(Source {
            path,
            text,
            kind: Kind::Params,
        });
    }
    out
}

/// One mutation of a source text.
#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapValues(usize, usize),
    ReplaceByte(usize, u8),
    InsertBytes(usize, Vec<u8>),
    Truncate(usize),
    /// The n-th number in the text replaced by a hostile one.
    Number(usize, &'static str),
    /// The n-th value (after `=`, or a JSON value after `:`) replaced by nesting of this depth.
    Nest(usize, usize, bool),
}

const HOSTILE: &[&str] = &[
    "1e308",
    "-1e308",
    "1e309",
    "inf",
    "-inf",
    "nan",
    "+nan",
    "-0.0",
    "0",
    "5e-324",
    "1e-320",
    "-1",
    "9223372036854775808",
    "18446744073709551616",
    "-9223372036854775809",
    "1e1000000",
    "0x7fffffffffffffff",
    "3.0e",
    "NaN",
    "Infinity",
    "1_000",
    "00012",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapValues(a, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::ReplaceByte(a, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(a, b)| Mutation::InsertBytes(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), prop::sample::select(HOSTILE)).prop_map(|(a, b)| Mutation::Number(a, b)),
        (
            any::<usize>(),
            prop_oneof![1usize..64, 64usize..1024, Just(5_000usize)],
            any::<bool>()
        )
            .prop_map(|(a, d, t)| Mutation::Nest(a, d, t)),
    ]
}

/// Applies a mutation; the result is bytes, since random bytes need not be UTF-8.
fn apply(text: &str, m: &Mutation, json: bool) -> Vec<u8> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let n = lines.len().max(1);
    let bytes = text.as_bytes();
    match m {
        Mutation::DeleteLine(i) => lines
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != i % n)
            .map(|(_, l)| *l)
            .collect::<String>()
            .into_bytes(),
        Mutation::DuplicateLine(i) => {
            let mut v = lines.clone();
            if !v.is_empty() {
                v.insert(i % n, lines[i % n]);
            }
            v.concat().into_bytes()
        }
        Mutation::SwapValues(a, b) => {
            let sep = if json { ':' } else { '=' };
            let with: Vec<usize> = (0..lines.len()).filter(|&k| lines[k].contains(sep)).collect();
            if with.len() < 2 {
                return bytes.to_vec();
            }
            let (i, j) = (with[a % with.len()], with[b % with.len()]);
            let split = |l: &str| {
                let p = l.find(sep).unwrap();
                (l[..=p].to_string(), l[p + 1..].to_string())
            };
            let (ki, vi) = split(lines[i]);
            let (kj, vj) = split(lines[j]);
            let mut v: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            v[i] = format!("{ki}{}", vj.trim_end_matches('\n')) + if lines[i].ends_with('\n') { "\n" } else { "" };
            v[j] = format!("{kj}{}", vi.trim_end_matches('\n')) + if lines[j].ends_with('\n') { "\n" } else { "" };
            v.concat().into_bytes()
        }
        Mutation::ReplaceByte(i, b) => {
            let mut v = bytes.to_vec();
            if !v.is_empty() {
                let k = i % v.len();
                v[k] = *b;
            }
            v
        }
        Mutation::InsertBytes(i, ins) => {
            let mut v = bytes.to_vec();
            let k = i % (v.len() + 1);
            v.splice(k..k, ins.iter().copied());
            v
        }
        Mutation::Truncate(i) => bytes[..i % (bytes.len() + 1)].to_vec(),
        Mutation::Number(i, rep) => {
            let spans = number_spans(bytes);
            if spans.is_empty() {
                return bytes.to_vec();
            }
            let (s, e) = spans[i % spans.len()];
            [&bytes[..s], rep.as_bytes(), &bytes[e..]].concat()
        }
        Mutation::Nest(i, depth, table) => {
            let sep = if json { b':' } else { b'=' };
            let at: Vec<usize> = (0..bytes.len()).filter(|&k| bytes[k] == sep).collect();
            if at.is_empty() {
                return bytes.to_vec();
            }
            let k = at[i % at.len()] + 1;
            let end = bytes[k..]
                .iter()
                .position(|&c| c == b'\n' || c == b',')
                .map_or(bytes.len(), |p| k + p);
            let (open, close) = match (json, table) {
                (false, true) => ("{ a = ".to_string(), " }"),
                (true, true) => ("{\"a\": ".to_string(), "}"),
                _ => ("[".to_string(), "]"),
            };
            let mut v = bytes[..k].to_vec();
            v.push(b' ');
            v.extend(open.repeat(*depth).bytes());
            v.extend(b"1");
            v.extend(close.repeat(*depth).bytes());
            v.extend(&bytes[end..]);
            v
        }
    }
}

/// Byte ranges of the decimal numbers in a text.
fn number_spans(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        let starts = b[k].is_ascii_digit() && (k == 0 || !(b[k - 1].is_ascii_alphanumeric() || b[k - 1] == b'_'));
        if starts {
            let s = if k > 0 && b[k - 1] == b'-' { k - 1 } else { k };
            let mut e = k;
            while e < b.len() && (b[e].is_ascii_digit() || matches!(b[e], b'.' | b'e' | b'E' | b'+' | b'-')) {
                e += 1;
            }
            out.push((s, e));
            k = e;
        } else {
            k += 1;
        }
    }
    out
}

/// Loads mutated bytes the way the tool would: a scenario at the original's path (its relative model and
/// start paths still resolve), a parameter file as the start of the stage scenario that uses it, a model file
/// from a scenario that names it.
fn load(src: &Source, bytes: &[u8], scratch: &Path) -> Result<(), String> {
    match src.kind {
        Kind::Scenario => {
            let text = String::from_utf8_lossy(bytes);
            sprintlab::scenario::load_text(&text, &src.path)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        Kind::Params => {
            let file = scratch.join("best.toml");
            std::fs::write(&file, bytes).unwrap();
            let stage = src.path.parent().unwrap().file_name().unwrap().to_str().unwrap();
            let next = match stage {
                "sprint_stage0" => "scenarios/sprint_stage1.toml",
                "sprint_stage3" => "scenarios/sprint_stage4.toml",
                _ => "scenarios/plateau.toml",
            };
            let text = std::fs::read_to_string(next).unwrap();
            let start = text.lines().find(|l| l.starts_with("start = ")).expect("a start line");
            let text = text.replace(start, &format!("start = {:?}", file.to_str().unwrap()));
            sprintlab::scenario::load_text(&text, Path::new(next))
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        Kind::Model => {
            let file = scratch.join("model.json");
            std::fs::write(&file, bytes).unwrap();
            let text = format!(
                "[model]\nfile = {:?}\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.1\n",
                file.to_str().unwrap()
            );
            sprintlab::scenario::load_text(&text, &scratch.join("s.toml"))
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    }
}

/// Every file below `dir` with its length, to show that loading wrote nothing.
fn listing(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p, e.metadata().unwrap().len()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn mutated_scenarios_params_and_models_load_or_fail_cleanly_never_panic() {
    let sources = sources();
    assert!(
        sources.len() >= 20,
        "expected every shipped file, found {}",
        sources.len()
    );
    let scratch = tempfile::tempdir().unwrap();
    let watched = [
        "scenarios",
        "data",
        "results/sprint_stage0",
        "results/sprint_stage3",
        "results/sprint_stage4",
    ];
    let before: Vec<_> = watched.iter().map(|d| listing(Path::new(d))).collect();
    // Deterministic: a fixed seed, and failures are not persisted to the source tree.
    let config = Config {
        cases: 12_000,
        failure_persistence: None,
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &[7; 32]),
    );
    let counts = std::cell::RefCell::new((0usize, 0usize));
    let refused_sample = std::cell::RefCell::new(Vec::new());
    let t0 = std::time::Instant::now();
    let strategy = (0..sources.len(), prop::collection::vec(mutation(), 1..4));
    let result = runner.run(&strategy, |(i, muts)| {
        let src = &sources[i];
        let json = matches!(src.kind, Kind::Model);
        let mut bytes = src.text.as_bytes().to_vec();
        for m in &muts {
            bytes = apply(&String::from_utf8_lossy(&bytes), m, json);
        }
        let scratch = scratch.path();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| load(src, &bytes, scratch))) {
            Ok(Ok(())) => counts.borrow_mut().0 += 1,
            Ok(Err(msg)) => {
                counts.borrow_mut().1 += 1;
                // The error names a file (the mutated one, or the file the mutation made inconsistent with it).
                prop_assert!(
                    msg.contains(".toml") || msg.contains(".json"),
                    "error names no file: {msg}"
                );
                if matches!(src.kind, Kind::Scenario) && refused_sample.borrow().len() < 40 {
                    refused_sample.borrow_mut().push((src.path.clone(), bytes.clone()));
                }
            }
            Err(_) => {
                return Err(TestCaseError::fail(format!(
                    "panicked loading {} after {muts:?}",
                    src.path.display()
                )))
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (ok, refused) = *counts.borrow();
    println!(
        "{} cases: {ok} loaded, {refused} refused with an error, 0 panics ({:.1} s)",
        ok + refused,
        t0.elapsed().as_secs_f64()
    );
    assert!(ok + refused >= 10_000);
    // Both outcomes must occur, or the mutations test nothing.
    assert!(ok > 500 && refused > 500, "loaded {ok}, refused {refused}");
    let after: Vec<_> = watched.iter().map(|d| listing(Path::new(d))).collect();
    assert_eq!(before, after, "loading wrote or changed a file");

    // The binary on a sample of the refused scenarios: exit 1 with `error:`, never 101, no output folder.
    for (k, (path, bytes)) in refused_sample.borrow().iter().enumerate() {
        let dir = path.parent().unwrap();
        let file = dir.join(format!(".fuzz-{}-{k}.toml", std::process::id()));
        std::fs::write(&file, bytes).unwrap();
        let out_dir = scratch.path().join(format!("run{k}"));
        let out = Command::new(BIN)
            .arg("simulate")
            .arg(&file)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        std::fs::remove_file(&file).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {stderr}", path.display());
        assert!(stderr.contains("error:"), "{}: {stderr}", path.display());
        assert!(
            !out_dir.exists(),
            "{}: a refused scenario wrote {}",
            path.display(),
            out_dir.display()
        );
        let partial = std::fs::read_dir(scratch.path())
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().contains(".partial"));
        assert!(!partial, "a staging folder was left behind");
    }
}

#[test]
fn hostile_numbers_replace_every_number_of_the_sprint_scenario() {
    // Exhaustive over one file: every number of the shipped sprinter replaced by each hostile value.
    let path = Path::new("scenarios/sprint.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let spans = number_spans(text.as_bytes());
    assert!(spans.len() > 50);
    let mut cases = 0;
    let t0 = std::time::Instant::now();
    for i in 0..spans.len() {
        for rep in HOSTILE {
            let bytes = apply(&text, &Mutation::Number(i, rep), false);
            let t = String::from_utf8(bytes).unwrap();
            let r = std::panic::catch_unwind(|| sprintlab::scenario::load_text(&t, path).map(|_| ()));
            assert!(r.is_ok(), "panic with number {i} replaced by {rep}");
            cases += 1;
        }
    }
    println!(
        "{cases} hostile-number cases, 0 panics ({:.1} s)",
        t0.elapsed().as_secs_f64()
    );
}
