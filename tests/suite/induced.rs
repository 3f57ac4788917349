//! Induced ground-force analysis (`sprintlab induced`): the parts are computed from the model on their own (mass
//! matrix, Coriolis terms, foot Jacobians, generator torques), so their sum equals the measured ground force only
//! if the decomposition is complete and consistent with the simulator's step.

use std::path::{Path, PathBuf};

use sprintlab::cli;
use sprintlab::export::Table;
use sprintlab::scenario;
use sprintlab::study::induced::{induced, PARTS};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sprintlab-induced-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `text` (a scenario written as `dir/name.toml`) into `dir/run` and analyses it.
fn run_and_analyse(dir: &Path, name: &str, text: &str) -> (PathBuf, sprintlab::study::induced::InducedSummary) {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    let loaded = scenario::load(&path).unwrap();
    let run = cli::simulate(&loaded, Some(&dir.join("run"))).unwrap();
    let summary = induced(&run).unwrap();
    (run, summary)
}

/// Every sampled row of induced.csv: |Σ parts − measured| per axis, and the peak measured magnitude.
fn row_errors(run: &Path) -> (f64, f64, usize) {
    let t = Table::read(&run.join("induced.csv")).unwrap();
    let (mut err, mut peak) = (0.0f64, 0.0f64);
    for r in 0..t.rows() {
        let mut m2 = 0.0;
        for a in ["x", "y", "z"] {
            let parts: f64 = PARTS.iter().map(|p| t.col(&format!("{p}_{a}")).unwrap()[r]).sum();
            let measured = t.col(&format!("measured_{a}")).unwrap()[r];
            err = err.max((parts - measured).abs());
            m2 += measured * measured;
        }
        peak = peak.max(m2.sqrt());
    }
    (err, peak, t.rows())
}

/// The quickstart scenario cut to 1.2 s (it has no `[athlete]` table).
fn quickstart_1_2_s() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/quickstart.toml")).unwrap();
    assert!(text.contains("\ntoe = false\n"), "quickstart pins the one-piece foot");
    text.replace("duration = 2.1", "duration = 1.2")
}

#[test]
fn induced_parts_sum_to_the_measured_grf_on_real_sprint_stances() {
    let dir = scratch("sprint");
    let (run, s) = run_and_analyse(&dir, "sprint", &quickstart_1_2_s());
    let (err, peak, rows) = row_errors(&run);
    println!(
        "{rows} sampled rows, {} steps analysed: max |sum - measured| {err:.3} N (every step {:.3} N) of peak {peak:.0} N",
        s.steps_analysed, s.max_sum_error_n
    );
    for k in ["measured"].iter().chain(PARTS.iter()) {
        println!(
            "  {k:17} mean impulse per stance x {:8.2} N·s  z {:8.2} N·s",
            s.mean_impulse_x[*k], s.mean_impulse_z[*k]
        );
    }
    assert!(
        rows > 100 && s.stances.len() >= 4,
        "{rows} rows, {} stances",
        s.stances.len()
    );
    assert!(err <= 0.02 * peak, "sampled rows: {err} N > 2 % of {peak} N");
    assert!(s.max_sum_error_n <= 0.02 * s.peak_measured_n, "{s:?}");
    // The stance leg's extensors carry the weight: their vertical part is the largest of all.
    let z = &s.mean_impulse_z;
    let largest = PARTS.iter().max_by(|a, b| z[**a].total_cmp(&z[**b])).unwrap();
    assert_eq!(*largest, "pushing_leg", "{z:?}");
    // The stacked figure, drawn from induced.csv; the same folder gives byte-identical SVG.
    let report = sprintlab::figures::figures(&run).unwrap();
    assert!(report.errors().is_empty(), "{:?}", report.errors());
    let svg = std::fs::read_to_string(run.join("figures/induced.svg")).unwrap();
    roxmltree::Document::parse(&svg).expect("induced.svg parses");
    let png = png::Decoder::new(std::fs::File::open(run.join("figures/induced.png")).unwrap());
    assert_eq!(png.read_info().unwrap().info().width, 2067, "double column at 300 dpi");
    sprintlab::figures::figures(&run).unwrap();
    assert_eq!(std::fs::read_to_string(run.join("figures/induced.svg")).unwrap(), svg);
}

/// A rigid block standing on four spheres: gravity's induced part is its weight (statics), the other parts vanish.
/// (A model needs one joint: the block carries a 1 g pendulum, whose own sag under gravity is below the tolerance.)
#[test]
fn gravity_alone_induces_body_weight_under_a_rigid_static_stance() {
    let dir = scratch("block");
    let sphere = |x: f64, y: f64| format!(r#"{{"segment": "block", "center": [{x}, {y}, -0.1], "radius": 0.02}}"#);
    let model = format!(
        r#"{{"name": "block", "segments": [{{"name": "block", "parent": null,
            "joint": {{"type": "free", "name": "root", "anchor_in_parent": [0, 0, 0.12], "anchor_in_child": [0, 0, 0], "dofs": []}},
            "mass": 70.0, "com": [0, 0, 0], "inertia_diag": [1.5, 2.0, 1.2], "geoms": []}},
            {{"name": "bob", "parent": "block",
            "joint": {{"type": "hinge", "name": "bob", "anchor_in_parent": [0, 0, 0.1], "anchor_in_child": [0, 0, 0],
                "dofs": [{{"name": "elbow_r", "axis_in_child": [0, 1, 0]}}]}},
            "mass": 0.001, "com": [0, 0, 0.01], "inertia_diag": [1e-7, 1e-7, 1e-7], "geoms": []}}],
            "contact": {{"spheres": [{}, {}, {}, {}]}}}}"#,
        sphere(0.15, 0.1),
        sphere(0.15, -0.1),
        sphere(-0.1, 0.1),
        sphere(-0.1, -0.1)
    );
    std::fs::write(dir.join("block.json"), model).unwrap();
    let text = "[model]\nfile = \"block.json\"\n\n[controller]\nkind = \"constant-torque\"\ntorques = {}\n\n[run]\nduration = 1.0\n";
    let (run, s) = run_and_analyse(&dir, "block", text);
    let t = Table::read(&run.join("induced.csv")).unwrap();
    let last = t.rows() - 1;
    let bw = s.body_weight_n;
    let col = |c: &str| t.col(c).unwrap()[last];
    println!(
        "block at rest: gravity part {:.6} N, measured {:.6} N, weight {bw:.6} N",
        col("gravity_z"),
        col("measured_z")
    );
    assert!(
        (col("gravity_z") - bw).abs() < 1e-5 * bw,
        "gravity part {} vs {bw}",
        col("gravity_z")
    );
    assert!(col("gravity_x").abs() < 1e-5 * bw && col("gravity_y").abs() < 1e-5 * bw);
    assert!(
        (col("measured_z") - bw).abs() < 1e-2 * bw,
        "measured {}",
        col("measured_z")
    );
    let (err, peak, _) = row_errors(&run);
    assert!(err <= 0.02 * peak, "{err} N of {peak} N");
}

/// The articulated peer body standing still under posture control, both feet down: the parts sum to the measured
/// force, body weight. With both feet welded the legs close a loop with the pelvis, so gravity alone is held almost
/// entirely by the ground: its induced part is body weight to within the upper body's own sag (measured 0.995 BW).
#[test]
fn standing_body_parts_sum_to_body_weight() {
    let dir = scratch("stand");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/stand_sprinter12.toml")).unwrap();
    let (run, s) = run_and_analyse(&dir, "stand", &text);
    let t = Table::read(&run.join("induced.csv")).unwrap();
    let last_t = *t.col("t").unwrap().last().unwrap();
    let rows: Vec<usize> = (0..t.rows()).filter(|&r| t.col("t").unwrap()[r] == last_t).collect();
    let total = |c: &str| rows.iter().map(|&r| t.col(c).unwrap()[r]).sum::<f64>();
    let bw = s.body_weight_n;
    let parts: Vec<(String, f64)> = PARTS
        .iter()
        .map(|p| (p.to_string(), total(&format!("{p}_z")) / bw))
        .collect();
    println!(
        "standing, both feet, vertical parts in BW: {parts:?}; measured {:.4}",
        total("measured_z") / bw
    );
    assert_eq!(rows.len(), 2, "both feet loaded");
    assert!((total("measured_z") - bw).abs() < 0.01 * bw);
    let sum: f64 = parts.iter().map(|p| p.1).sum();
    assert!((sum - 1.0).abs() < 0.02, "parts sum to {sum} BW");
    assert!((parts[0].1 - 1.0).abs() < 0.01, "gravity's part {} BW", parts[0].1);
}

/// With the toe segment (`[athlete] toe = true`) the parts still sum to the measured force within the same 2 % of
/// the peak: the toe's contact forces join the foot's wrench and the MTP joint is welded by one selector row
/// (welding the toe's own 6 rows as well made the constraint matrix singular and the sum wrong by 560 % of the peak).
#[test]
fn induced_parts_sum_to_the_measured_grf_with_toes() {
    let dir = scratch("toes");
    let text = quickstart_1_2_s().replace("\ntoe = false\n", "\ntoe = true\n");
    let (run, s) = run_and_analyse(&dir, "toes", &text);
    let (err, peak, rows) = row_errors(&run);
    println!(
        "toes: {rows} sampled rows, {} steps analysed: max |sum - measured| {err:.3} N (every step {:.3} N) of peak \
         {peak:.0} N",
        s.steps_analysed, s.max_sum_error_n
    );
    assert!(
        rows > 100 && s.stances.len() >= 2,
        "{rows} rows, {} stances",
        s.stances.len()
    );
    assert!(err <= 0.02 * peak, "sampled rows: {err} N > 2 % of {peak} N");
    assert!(s.max_sum_error_n <= 0.02 * s.peak_measured_n, "{s:?}");
}
