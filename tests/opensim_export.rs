//! OpenSim export (`kinematics.mot`, `grf.sto`, written by `sprintlab figures`): the storage format checked here
//! in Rust (header lines, row and column counts, labels, values round-tripping from `timeseries.csv`), and, when
//! the `opensim` Python package is installed (PyPI `opensim==4.6`), loaded by OpenSim itself
//! (`tests/opensim/check_export.py`: TimeSeriesTable/Storage, values, and the pelvis convention on a y-up OpenSim
//! model). Only that OpenSim part may be skipped, and it says so.

mod figures_common;

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
        for k in ["x", "y", "z"] {
            assert!(sto.col(&format!("{foot}_torque_{k}")).iter().all(|v| *v == 0.0));
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
