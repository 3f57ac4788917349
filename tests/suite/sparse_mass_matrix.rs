//! The patched rapier (vendor/rapier3d-f64: mass matrix and Coriolis products over each link's ancestor DOF
//! columns only) reproduces the unpatched crate's outputs byte for byte: the sprint (contact, flight, 6 s), the
//! 5 cm drop (impact) and the zero-g whirl (large velocities, every Coriolis term), against SHA-256 sums of the
//! unpatched build's `timeseries.csv` and `steps.csv` stored in tests/sparse_mass_matrix/unpatched_sha256.txt
//! (`steps.csv` without the columns appended later: joint work, touchdown measures).

use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

fn folder() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sparse_mass_matrix"))
}

/// (scenario name, file name) → the unpatched build's SHA-256 (hex).
fn unpatched_sums() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(folder().join("unpatched_sha256.txt")).expect("stored sums");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (sum, path) = l.split_once("  ").expect("`sum  scenario/file`");
            let (scenario, file) = path.split_once('/').expect("`scenario/file`");
            (scenario.to_string(), file.to_string(), sum.to_string())
        })
        .collect()
}

/// Columns of `steps.csv` appended after the stored sums were taken: the per-joint work (`work_*`, issue 16) and
/// the touchdown measures (issue 17). Every other column is as the unpatched build wrote it, and these derive from
/// the torques, velocities and positions that `timeseries.csv`'s sums cover.
fn added_later(column: &str) -> bool {
    column.starts_with("work_") || column == "touchdown_distance" || column == "foot_touchdown_speed"
}

/// `steps.csv` without the columns [`added_later`].
fn without_later_columns(bytes: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let header: Vec<&str> = text.lines().next().expect("a header").split(',').collect();
    let keep: Vec<usize> = (0..header.len()).filter(|&i| !added_later(header[i])).collect();
    let mut out = String::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(',').collect();
        let kept: Vec<&str> = keep.iter().map(|&i| fields[i]).collect();
        out.push_str(&kept.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn sparse_mass_matrix_reproduces_the_unpatched_rapier_byte_for_byte() {
    let sums = unpatched_sums();
    assert_eq!(
        sums.len(),
        5,
        "timeseries.csv of the three scenarios, steps.csv of the two with contact"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut simulated: Vec<String> = Vec::new();
    for (scenario, file, expected) in &sums {
        let out = dir.path().join(scenario);
        if !simulated.contains(scenario) {
            let o = Command::new(BIN)
                .arg("simulate")
                .arg(folder().join(format!("{scenario}.toml")))
                .arg("--out")
                .arg(&out)
                .output()
                .expect("runs");
            assert!(o.status.success(), "{scenario}: {}", String::from_utf8_lossy(&o.stderr));
            simulated.push(scenario.clone());
        }
        let mut bytes = std::fs::read(out.join(file)).unwrap();
        if file == "steps.csv" {
            bytes = without_later_columns(&bytes);
        }
        assert!(
            bytes.len() > 1_000,
            "{scenario}/{file}: a real output, {} bytes",
            bytes.len()
        );
        assert_eq!(
            &sha256_hex(&bytes),
            expected,
            "{scenario}/{file} differs from the unpatched rapier's output"
        );
    }
}
