//! `sprintlab limits`: which muscle groups bind, from a run folder. On the quickstart (the shipped rigid-body
//! sprinter, 2.1 s): seven rows, shares in [0, 1], a saturated group's mean concentric joint velocity within its
//! peak, net torque within the eccentric ceiling, no contractile-element velocity on rigid generators, and the
//! stance hip extensors at full activation for much of the stance (docs/sprint.md).

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sprintlab");

#[test]
fn the_quickstart_stance_hip_extensors_are_saturated_and_every_row_is_consistent() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("run");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = Command::new(BIN)
        .args([
            "simulate",
            root.join("scenarios/quickstart.toml").to_str().unwrap(),
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new(BIN).args(["limits"]).arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    println!("{}", String::from_utf8_lossy(&o.stdout));
    let mut rd = csv::Reader::from_path(out.join("limits.csv")).unwrap();
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<std::collections::BTreeMap<String, String>> = rd
        .records()
        .map(|r| head.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect())
        .collect();
    assert_eq!(rows.len(), 7);
    let num = |r: &std::collections::BTreeMap<String, String>, k: &str| r[k].parse::<f64>().ok();
    for r in &rows {
        let share = num(r, "saturated_share").unwrap();
        assert!((0.0..=1.0).contains(&share), "{r:?}");
        assert!(num(r, "samples").unwrap() > 0.0, "{r:?}");
        assert!(
            r["ce_velocity"].is_empty(),
            "rigid generators have no contractile state: {r:?}"
        );
        if share > 0.0 {
            let (v, peak) = (
                num(r, "joint_velocity").unwrap(),
                num(r, "peak_joint_velocity").unwrap(),
            );
            assert!(
                v <= peak + 1e-9,
                "mean while saturated {v} above the peak {peak}: {r:?}"
            );
            assert!(
                num(r, "torque_share").unwrap() <= 1.7,
                "beyond the eccentric ceiling: {r:?}"
            );
        }
    }
    let hip = rows
        .iter()
        .find(|r| r["phase"] == "stance" && r["group"] == "hip_ext")
        .unwrap();
    assert!(num(hip, "saturated_share").unwrap() > 0.3, "{hip:?}");
}
