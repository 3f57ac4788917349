//! Standing: the default athlete and sprinter12 each hold their posture on the ground through the torque
//! generators; over 0.5–1.5 s, while the body stands still (its COM's vertical speed at both ends below 5 cm/s,
//! i.e. momentum below 0.5 % of m·g·1 s), the mean total vertical GRF equals body weight within 1 %, and the
//! feet do not slide (less than 2 mm up to 1.5 s).
//!
//! The window ends at 1.5 s because `hold-posture` is joint PD without balance feedback: every body on the
//! default contact starts tipping backwards onto its heels after ≈ 1.6 s and falls at 2.7–2.9 s (the rigid body
//! at 2.87 s, with toes 2.75, with tendons and two-joint units 2.85, the default athlete with all three 2.73;
//! `hold_posture_stands_long_only_on_stiffer_contact`). Over 1.5–2.0 s the mean GRF is already that fall's
//! (0.997 BW rigid, 0.989 BW with all three), which is why the window moved when issue 16 changed the default
//! body; the premise check makes a window in which the body is not standing still fail.

use std::path::Path;

use sprintlab::scenario;

struct Stand {
    /// Mean vertical GRF over [`WINDOW`] (BW).
    mean_fz_bw: f64,
    /// Whole-body vertical momentum at the start and the end of [`WINDOW`], over m·g·1 s.
    pz_at_ends: [f64; 2],
    max_slide: f64,
    peak_bw: f64,
    final_bw: f64,
    /// Final angles of the metatarsophalangeal DOFs `mtp_*` (rad; empty without toes).
    mtp: Vec<f64>,
}

/// The window of the standing measurement (s).
const WINDOW: [f64; 2] = [0.5, 1.5];

/// Runs a hold-posture scenario and measures GRF every step, and foot slide as the horizontal travel of the
/// sole contact points.
fn stand(model: &str, drop: f64, seconds: f64, angles: &str) -> Stand {
    stand_with(model, "", drop, seconds, angles)
}

/// [`stand`] with `[athlete]` lines.
fn stand_with(model: &str, athlete: &str, drop: f64, seconds: f64, angles: &str) -> Stand {
    let text = format!(
        "[model]\nbuiltin = \"{model}\"\n[athlete]\n{athlete}\n[initial]\ndrop_height = {drop}\nangles = {{ {angles} }}\n\
         [controller]\nkind = \"hold-posture\"\n[run]\nduration = {seconds}\n"
    );
    let loaded = scenario::load_text(&text, Path::new("standing.toml")).expect("valid scenario");
    let sim = loaded.simulator();
    let mut s = sim.initial_state_with(&loaded.initial_angles(), drop);
    let mut ctrl = loaded.controller();
    let mut ws = sim.workspace();
    let m = &sim.model;
    let bw = m.body_weight;
    let steps = (seconds / sim.world.dt).round() as usize;
    let [k0, k1] = WINDOW.map(|t| (t / sim.world.dt).round() as usize);
    let mut pz_at_ends = [f64::NAN; 2];
    let (mut sum, mut peak, mut last) = (0.0, 0.0f64, 0.0);
    let mut feet0 = None;
    let mut max_slide: f64 = 0.0;
    for k in 0..steps {
        let r = sim.step(&mut s, &mut ws, ctrl.as_mut());
        assert!(r.finite, "diverged at {}", s.t);
        let fz: f64 = r.grf.iter().map(|g| g[2]).sum();
        peak = peak.max(fz / bw);
        last = fz / bw;
        if k >= k0 && k < k1 {
            sum += fz;
        }
        for (end, kk) in [k0, k1].into_iter().enumerate() {
            if k + 1 == kk {
                pz_at_ends[end] = sim.measures(&s).momentum[2] / bw;
            }
        }
        // Slide is measured from the moment the feet are loaded (after a drop, from touchdown).
        let feet = sim.sphere_centres(&s);
        if feet0.is_none() && fz > 0.5 * bw {
            feet0 = Some(feet.clone());
        }
        // Slide up to the window's end, like the force (not the fall that follows).
        if let Some(f0) = feet0.as_ref().filter(|_| k < k1) {
            for (p, p0) in feet.iter().zip(f0) {
                max_slide = max_slide.max(((p[0] - p0[0]).powi(2) + (p[1] - p0[1]).powi(2)).sqrt());
            }
        }
    }
    let n = m.dofs.len();
    let (mut q, mut qd) = (vec![0.0; n], vec![0.0; n]);
    sim.joint_state(&s, &mut q, &mut qd);
    Stand {
        mean_fz_bw: sum / (k1 - k0) as f64 / bw,
        pz_at_ends,
        max_slide,
        peak_bw: peak,
        final_bw: last,
        mtp: (0..n)
            .filter(|&i| m.dofs[i].name.starts_with("mtp_"))
            .map(|i| q[i])
            .collect(),
    }
}

#[test]
fn sprinter12_stands_two_seconds_with_grf_equal_to_body_weight() {
    let r = stand("sprinter12", 0.0, 2.0, "");
    eprintln!(
        "sprinter12: mean Fz {:.5} BW over {WINDOW:?} s, max sole slide {:.2e} m",
        r.mean_fz_bw, r.max_slide
    );
    assert_standing_still(&r, "sprinter12");
    assert!((r.mean_fz_bw - 1.0).abs() < 0.01, "{}", r.mean_fz_bw);
    assert!(r.max_slide < 2e-3, "{}", r.max_slide);
}

/// The first wave's rigid body: `[athlete]` lines switching issue 16's mechanisms off.
const RIGID: &str = "toe = false\n[strength]\nseries_elastic = false\ntwo_joint = false";

/// The default athlete (series-elastic extensors, two-joint units, toes) and the first wave's rigid body.
const BODIES: [(&str, &str); 2] = [("default athlete", ""), ("rigid body", RIGID)];

#[test]
fn default_athlete_stands_two_seconds_with_grf_equal_to_body_weight() {
    for (what, lines) in BODIES {
        let r = stand_with("default-athlete", lines, 0.0, 2.0, "");
        eprintln!(
            "{what}: mean Fz {:.5} BW over {WINDOW:?} s, max sole slide {:.2e} m",
            r.mean_fz_bw, r.max_slide
        );
        assert_standing_still(&r, what);
        assert!((r.mean_fz_bw - 1.0).abs() < 0.01, "{what}: {}", r.mean_fz_bw);
        assert!(r.max_slide < 2e-3, "{what}: {}", r.max_slide);
        // The default athlete's toes stay near neutral (as the toe-only test below).
        for a in &r.mtp {
            assert!(a.abs() < 5f64.to_radians(), "{what}: MTP at {a} rad");
        }
    }
}

/// Impact sanity: dropped from 5 cm (lowest sole point 5 cm above the ground) in a landing-ready posture
/// (knees 0.2 rad flexed, feet flat), no single step shows a total vertical GRF above 8 BW, and the body
/// settles to 1 BW. (Landing with locked straight knees, a rigid column, gives ≈ 8.1 BW at 1 ms with the
/// default contact: see the README.)
#[test]
fn default_athlete_dropped_from_5cm_peaks_below_8bw_and_settles() {
    let flexed = "knee_r = 0.2, knee_l = 0.2, hip_flex_r = 0.1, hip_flex_l = 0.1, ankle_r = 0.1, ankle_l = 0.1";
    for (what, lines) in BODIES {
        let r = stand_with("default-athlete", lines, 0.05, 2.0, flexed);
        eprintln!(
            "drop 5 cm, {what}: peak {:.2} BW, mean over {WINDOW:?} s {:.4} BW, final {:.4} BW",
            r.peak_bw, r.mean_fz_bw, r.final_bw
        );
        assert!(r.peak_bw < 8.0, "{what}: {}", r.peak_bw);
        assert!(r.peak_bw > 1.5, "the drop must actually load the feet: {}", r.peak_bw);
        assert_standing_still(&r, what);
        assert!((r.mean_fz_bw - 1.0).abs() < 0.01, "{what}: {}", r.mean_fz_bw);
    }
}

/// Known limitation, pinned: `hold-posture` is joint PD without balance feedback. On the default (heel-pad
/// soft) contact the default athlete drifts backwards onto its heels and tips over after ≈ 2.8 s; on a stiffer
/// contact (k = 2e6 N/m^1.5, 4× the default) the same controller keeps it standing for 8 s. This test checks
/// the stiff case stands 8 s, and that the soft case is still what the README says (so a change is noticed).
#[test]
fn hold_posture_stands_long_only_on_stiffer_contact() {
    let run = |k: f64| {
        let text =
            format!("[contact]\nstiffness = {k}\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 8.0\n");
        let loaded = scenario::load_text(&text, Path::new("long_stand.toml")).unwrap();
        let sim = loaded.simulator();
        let mut s = sim.initial_state_with(&loaded.initial_angles(), 0.0);
        let mut ctrl = loaded.controller();
        let mut ws = sim.workspace();
        let z0 = sim.root_pose(&s).0[2];
        let mut fell_at = None;
        for _ in 0..8000 {
            sim.step(&mut s, &mut ws, ctrl.as_mut());
            if fell_at.is_none() && sim.root_pose(&s).0[2] < z0 - 0.05 {
                fell_at = Some(s.t);
            }
        }
        fell_at
    };
    let stiff = run(2e6);
    let soft = run(5e5);
    eprintln!("hold-posture, default athlete: k = 2e6 fell at {stiff:?}; k = 5e5 (default) fell at {soft:?}");
    assert_eq!(stiff, None);
    assert!(soft.is_some_and(|t| t > 2.0), "{soft:?}");
}

/// With the toe segment alone (`[athlete] toe = true`, rigid generators) the athlete still stands on 1.0 BW (same 1 % bound)
/// without sliding, and the passive MTP joints stay near neutral: within 5° (the ground pushes the toe tips up
/// against the 25 N·m/rad spring).
#[test]
fn default_athlete_with_toes_stands_on_body_weight_with_the_mtp_near_neutral() {
    let r = stand_with(
        "default-athlete",
        &RIGID.replace("toe = false", "toe = true"),
        0.0,
        2.0,
        "",
    );
    eprintln!(
        "toes on the rigid generators: mean Fz {:.5} BW over {WINDOW:?} s, max sole slide {:.2e} m, MTP angles \
         {:?} rad",
        r.mean_fz_bw, r.max_slide, r.mtp
    );
    assert_eq!(r.mtp.len(), 2);
    assert_standing_still(&r, "toes");
    assert!((r.mean_fz_bw - 1.0).abs() < 0.01, "{}", r.mean_fz_bw);
    assert!(r.max_slide < 2e-3, "{}", r.max_slide);
    for a in &r.mtp {
        assert!(a.abs() < 5f64.to_radians(), "MTP at {a} rad");
    }
}

/// The 5 cm drop bound (peak < 8 BW, settles to 1 BW) holds with the toe segment.
#[test]
fn default_athlete_with_toes_dropped_from_5cm_peaks_below_8bw_and_settles() {
    let flexed = "knee_r = 0.2, knee_l = 0.2, hip_flex_r = 0.1, hip_flex_l = 0.1, ankle_r = 0.1, ankle_l = 0.1";
    let r = stand_with(
        "default-athlete",
        &RIGID.replace("toe = false", "toe = true"),
        0.05,
        2.0,
        flexed,
    );
    eprintln!(
        "drop 5 cm, toes on the rigid generators: peak {:.2} BW, mean over {WINDOW:?} s {:.4} BW, final {:.4} BW, MTP {:?} rad",
        r.peak_bw, r.mean_fz_bw, r.final_bw, r.mtp
    );
    assert!(r.peak_bw < 8.0, "{}", r.peak_bw);
    assert!(r.peak_bw > 1.5, "the drop must actually load the feet: {}", r.peak_bw);
    assert_standing_still(&r, "toes, drop");
    assert!((r.mean_fz_bw - 1.0).abs() < 0.01, "{}", r.mean_fz_bw);
}

/// The premise of the standing checks: the body stands still through [`WINDOW`] (vertical momentum at both ends
/// below 0.5 % of m·g·1 s, i.e. the COM moving < 5 cm/s vertically), on every body they are run on.
fn assert_standing_still(r: &Stand, what: &str) {
    eprintln!(
        "{what}: vertical momentum at {WINDOW:?} s = {:.2e}, {:.2e} m·g·s",
        r.pz_at_ends[0], r.pz_at_ends[1]
    );
    for p in r.pz_at_ends {
        assert!(
            p.abs() < 5e-3,
            "{what} is not standing still in the window: {:?}",
            r.pz_at_ends
        );
    }
}
