//! OpenSim export (`kinematics.mot`, `grf.sto`, written by `sprintlab figures`): the storage format checked here
//! in Rust (header lines, row and column counts, labels, values round-tripping from `timeseries.csv`), and, when
//! the `opensim` Python package is installed (PyPI `opensim==4.6`), loaded by OpenSim itself
//! (`tests/opensim/check_export.py`: TimeSeriesTable/Storage, values, and the pelvis convention on a y-up OpenSim
//! model). Only that OpenSim part may be skipped, and it says so.

use crate::figures_common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use figures_common::*;

struct Storage {
    header: Vec<String>,
    labels: Vec<String>,
    rows: Vec<Vec<f64>>,
}

impl Storage {
    fn read(path: &Path) -> Self {
        let text = std::fs::read_to_string(path).unwrap();
        let mut lines = text.lines();
        let mut header = Vec::new();
        for l in lines.by_ref() {
            if l == "endheader" {
                break;
            }
            header.push(l.to_string());
        }
        let labels: Vec<String> = lines.next().unwrap().split('\t').map(str::to_string).collect();
        let rows: Vec<Vec<f64>> = lines
            .map(|l| {
                let r: Vec<f64> = l.split('\t').map(|v| v.parse().unwrap()).collect();
                assert_eq!(r.len(), labels.len(), "{}: ragged row `{l}`", path.display());
                r
            })
            .collect();
        Self { header, labels, rows }
    }

    fn meta(&self, key: &str) -> &str {
        self.header
            .iter()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key}= in the header"))
    }

    fn col(&self, name: &str) -> Vec<f64> {
        let j = self
            .labels
            .iter()
            .position(|l| l == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        self.rows.iter().map(|r| r[j]).collect()
    }
}

fn timeseries(dir: &Path) -> HashMap<String, Vec<f64>> {
    let text = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let mut lines = text.lines();
    let names: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for l in lines {
        for (j, v) in l.split(',').enumerate() {
            cols[j].push(v.parse().unwrap());
        }
    }
    names.iter().map(|n| n.to_string()).zip(cols).collect()
}

#[test]
fn mot_and_sto_have_opensim_headers_and_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let run = stance_run(tmp.path());
    ok(&["figures", run.to_str().unwrap()]);
    let ts = timeseries(&run);
    let n = ts["t"].len();

    let mot = Storage::read(&run.join("kinematics.mot"));
    assert_eq!(mot.header[0], "kinematics");
    assert_eq!(mot.header[1], "version=1");
    assert_eq!(mot.meta("nRows"), n.to_string());
    assert_eq!(mot.meta("nColumns"), mot.labels.len().to_string());
    assert_eq!(mot.meta("inDegrees"), "yes");
    assert_eq!(mot.rows.len(), n);
    assert_eq!(
        mot.labels[..7],
        [
            "time",
            "pelvis_tilt",
            "pelvis_list",
            "pelvis_rotation",
            "pelvis_tx",
            "pelvis_ty",
            "pelvis_tz"
        ]
    );
    assert_eq!(mot.labels.len(), 7 + 19, "time, 6 pelvis coordinates, the 19 DOFs");
    for dof in &mot.labels[7..] {
        let want: Vec<f64> = ts[dof].iter().map(|r| r.to_degrees()).collect();
        assert_eq!(mot.col(dof), want, "{dof} (deg) round-trips exactly");
    }
    assert_eq!(mot.col("time"), ts["t"]);
    assert_eq!(mot.col("pelvis_tx"), ts["pelvis_x"]);
    assert_eq!(mot.col("pelvis_ty"), ts["pelvis_z"], "OpenSim Y is up");
    let tz: Vec<f64> = ts["pelvis_y"].iter().map(|y| -y + 0.0).collect();
    assert_eq!(mot.col("pelvis_tz"), tz, "OpenSim Z is sprintlab's −y");
    // The stance starts with the trunk leaning forward (lumbar_flex 0.15 rad) on a level pelvis.
    assert!((ts["lumbar_flex"][0].to_degrees() - 8.594366926962348).abs() < 1e-12);
    assert!(mot.col("pelvis_tilt")[0].abs() < 1e-9 && mot.col("pelvis_list")[0].abs() < 1e-9);

    let sto = Storage::read(&run.join("grf.sto"));
    assert_eq!(sto.header[0], "grf");
    assert_eq!(sto.header[1], "version=1");
    assert_eq!(sto.meta("nRows"), n.to_string());
    assert_eq!(sto.meta("nColumns"), sto.labels.len().to_string());
    assert_eq!(sto.meta("inDegrees"), "no");
    assert_eq!(sto.rows.len(), n);
    assert_eq!(sto.labels.len(), 1 + 2 * 9);
    for foot in ["foot_r", "foot_l"] {
        let loaded: Vec<bool> = ts[&format!("cop_{foot}_x")].iter().map(|c| c.is_finite()).collect();
        let fz = &ts[&format!("grf_{foot}_z")];
        let vy = sto.col(&format!("{foot}_force_vy"));
        let px = sto.col(&format!("{foot}_force_px"));
        let pz = sto.col(&format!("{foot}_force_pz"));
        let py = sto.col(&format!("{foot}_force_py"));
        for (i, &is_loaded) in loaded.iter().enumerate() {
            if is_loaded {
                assert_eq!(vy[i], fz[i], "{foot} row {i}: vertical force is OpenSim's Y");
                assert_eq!(px[i], ts[&format!("cop_{foot}_x")][i]);
                assert_eq!(pz[i], -ts[&format!("cop_{foot}_y")][i] + 0.0);
            } else {
                assert_eq!((vy[i], px[i], pz[i]), (0.0, 0.0, 0.0), "{foot} row {i}: unloaded");
            }
            assert_eq!(py[i], 0.0, "the centre of pressure is on the ground");
        }
        // About the centre of pressure the ground's moment is vertical: the free moment (OpenSim Y).
        for k in ["x", "z"] {
            assert!(sto.col(&format!("{foot}_torque_{k}")).iter().all(|v| *v == 0.0));
        }
        let ty = sto.col(&format!("{foot}_torque_y"));
        let tz = &ts[&format!("free_moment_{foot}_z")];
        for i in 0..ty.len() {
            let loaded = ts[&format!("cop_{foot}_x")][i].is_finite();
            assert_eq!(ty[i], if loaded { tz[i] } else { 0.0 }, "{foot} row {i}");
        }
    }
    let peak = sto.col("foot_r_force_vy").iter().fold(0.0f64, |a, b| a.max(*b));
    assert!(peak > 500.0, "the right stance loads the right foot ({peak} N)");

    // OpenSim itself, when installed.
    let has_opensim = Command::new("python3")
        .args(["-c", "import opensim"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !has_opensim {
        println!(
            "SKIPPED the OpenSim part: the `opensim` Python package is not installed (`python3 -c \"import opensim\"` \
             failed; `pip install opensim==4.6` enables it). The Rust format checks above ran."
        );
        return;
    }
    let script = Path::new(ROOT).join("tests/opensim/check_export.py");
    // In the temporary folder: OpenSim writes an `opensim.log` into its working directory.
    let o = Command::new("python3")
        .arg(&script)
        .arg(&run)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    println!("{out}");
    assert!(
        o.status.success() && out.contains("opensim check ok"),
        "OpenSim check failed:\n{}",
        text(&o)
    );
}

/// The free moment about the centre of pressure reaches grf.sto as the vertical (OpenSim Y) torque, and it is
/// really computed: a 3D running touchdown twists the feet.
#[test]
fn free_moment_is_exported_as_the_vertical_torque() {
    let d = tempfile::tempdir().unwrap();
    let run = d.path().join("run");
    let bin = env!("CARGO_BIN_EXE_sprintlab");
    let sc = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sprint_try.toml");
    let ok = |args: &[&std::ffi::OsStr]| {
        let o = std::process::Command::new(bin).args(args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    ok(&["simulate".as_ref(), sc.as_os_str(), "--out".as_ref(), run.as_os_str()]);
    ok(&["figures".as_ref(), run.as_os_str()]);
    let ts = std::fs::read_to_string(run.join("timeseries.csv")).unwrap();
    let mut lines = ts.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = head
        .iter()
        .position(|c| *c == "free_moment_foot_r_z")
        .expect("free moment column");
    let tz: Vec<f64> = lines.map(|l| l.split(',').nth(col).unwrap().parse().unwrap()).collect();
    let max = tz.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    assert!(max > 0.01, "a running touchdown produces some free moment: {max}");
    let sto = std::fs::read_to_string(run.join("grf.sto")).unwrap();
    let body: Vec<&str> = sto.lines().skip_while(|l| *l != "endheader").skip(1).collect();
    let labels: Vec<&str> = body[0].split('\t').collect();
    let j = labels.iter().position(|c| *c == "foot_r_torque_y").unwrap();
    let sto_max = body[1..]
        .iter()
        .map(|l| l.split('\t').nth(j).unwrap().parse::<f64>().unwrap().abs())
        .fold(0.0f64, f64::max);
    assert!((sto_max - max).abs() <= 1e-9 * max.max(1.0), "{sto_max} vs {max}");
}
