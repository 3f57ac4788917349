//! Helpers of the figures, viewer and OpenSim-export tests: small real run folders made with the built binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Runs the binary; panics with its output if it could not be started.
pub fn sprintlab(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("runs the sprintlab binary")
}

pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs and asserts success.
pub fn ok(args: &[&str]) -> Output {
    let o = sprintlab(args);
    assert!(o.status.success(), "sprintlab {args:?} failed:\n{}", text(&o));
    o
}

/// `scenarios/drop_5cm.toml` shortened to `duration` s, written into `dir`; returns the scenario path.
pub fn short_drop_scenario(dir: &Path, duration: f64) -> PathBuf {
    let src = std::fs::read_to_string(Path::new(ROOT).join("scenarios/drop_5cm.toml")).unwrap();
    assert!(src.contains("duration = 2.0"), "drop_5cm.toml changed: update the test");
    let p = dir.join("drop_short.toml");
    std::fs::write(&p, src.replace("duration = 2.0", &format!("duration = {duration}"))).unwrap();
    p
}

/// A simulate run of the shortened default-athlete drop (0.4 s: impact, rebound, second landing).
pub fn drop_run(dir: &Path) -> PathBuf {
    let sc = short_drop_scenario(dir, 0.4);
    let out = dir.join("drop");
    ok(&["simulate", sc.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    out
}

/// An optimisation run folder of `scenarios/stance_push.toml` with 24 evaluations (history.csv + best rollout).
pub fn optimize_run(dir: &Path) -> PathBuf {
    let out = dir.join("opt");
    let sc = Path::new(ROOT).join("scenarios/stance_push.toml");
    ok(&[
        "optimize",
        sc.to_str().unwrap(),
        "--max-evals",
        "24",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    out
}

/// A simulate run of `scenarios/stance_push.toml` at its initial parameters (a running stance, 0.2 s).
pub fn stance_run(dir: &Path) -> PathBuf {
    let out = dir.join("stance");
    let sc = Path::new(ROOT).join("scenarios/stance_push.toml");
    ok(&["simulate", sc.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    out
}

/// Copies a folder (files only, one level plus subfolders).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), to).unwrap();
        }
    }
}

/// Width, height and pixels-per-metre (pHYs) of a PNG file, decoding it fully.
pub fn png_info(path: &Path) -> (u32, u32, Option<u32>, Vec<u8>, usize) {
    let dec = png::Decoder::new(std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    let mut reader = dec.read_info().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let ppm = reader.info().pixel_dims.map(|d| d.xppu);
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    buf.truncate(frame.buffer_size());
    let channels = frame.color_type.samples();
    (frame.width, frame.height, ppm, buf, channels)
}
