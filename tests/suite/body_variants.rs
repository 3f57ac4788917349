//! Issue 16 part B, opt-in body variants of the default athlete: the sprinter strength profile
//! (`[athlete] profile = "sprinter"`) and the toe segment (`[athlete] toe = true`).

use std::path::Path;

use sprintlab::scenario;

/// A bursts scenario exciting the right hip extensors fully from t = 0, with `athlete` lines added, on the
/// single-joint rigid generators (the profile sets groups; two-joint units would take a share of them).
fn hip_ext_burst(athlete: &str) -> scenario::Loaded {
    let text = format!(
        "[strength]\nseries_elastic = false\ntwo_joint = false\n[athlete]\n{athlete}\n[world]\ngravity = [0.0, 0.0, 0.0]\nground = false\n[controller]\nkind = \"bursts\"\n\
         [controller.bursts.h]\ndof = \"hip_flex_r\"\ndirection = \"negative\"\nonset = 0.0\nduration = 1.0\n\
         amplitude = 1.0\n[run]\nduration = 0.05\n"
    );
    scenario::load_text(&text, Path::new("profile.toml")).expect("valid scenario")
}

/// Activation of the right hip extensors after `n` steps of a full excitation.
fn hip_ext_activation(loaded: &scenario::Loaded, n: usize) -> f64 {
    let sim = loaded.simulator();
    let mut s = sim.initial_state_with(&loaded.initial_angles(), 0.0);
    let mut ctrl = loaded.controller();
    let mut ws = sim.workspace();
    for _ in 0..n {
        sim.step(&mut s, &mut ws, ctrl.as_mut());
    }
    s.activation[sim.model.dof_index("hip_flex_r").unwrap()][1]
}

/// The sprinter profile changes the generators of the six sagittal leg groups only (isometric torque
/// T0 = 5.6 N·m/kg × 75 kg for the hip extensors, ω_max 26 rad/s, Allen 2009) and leaves the de Leva body as it
/// is; its 10 ms activation time constant drives the activation: a = 1 − exp(−t/τ) under a full excitation,
/// against 15 ms (`[activation]` default) with the default profile.
#[test]
fn sprinter_profile_changes_leg_generators_and_activation_not_the_body() {
    let base = hip_ext_burst("");
    let sprinter = hip_ext_burst("profile = \"sprinter\"");
    let (mb, ms) = (&base.model, &sprinter.model);
    assert_eq!(mb.segments, ms.segments, "the body is unchanged");
    assert_eq!(mb.spheres, ms.spheres);
    let hip = ms.dof_index("hip_flex_r").unwrap();
    let ext = &ms.dofs[hip].generators[1];
    assert_eq!(ext.params.group, "hip_ext");
    assert!((ext.t_max - 5.6 * 75.0).abs() < 1e-9, "{}", ext.t_max);
    assert_eq!(ext.params.omega_max, 26.0);
    assert!((mb.dofs[hip].generators[1].t_max - 3.5 * 75.0).abs() < 1e-9);
    let mut changed = 0;
    for (db, ds) in mb.dofs.iter().zip(&ms.dofs) {
        for (gb, gs) in db.generators.iter().zip(&ds.generators) {
            let leg = ["hip_ext", "hip_flex", "knee_ext", "knee_flex", "ankle_pf", "ankle_df"]
                .contains(&gb.params.group.as_str());
            if leg {
                assert_ne!(gb, gs, "{}", db.name);
                changed += 1;
            } else {
                assert_eq!(gb, gs, "{}", db.name);
            }
        }
    }
    assert_eq!(changed, 12, "both groups of hip flexion, knee and ankle on both legs");
    let untrained = hip_ext_burst("profile = \"untrained\"");
    assert!(
        untrained
            .model
            .dofs
            .iter()
            .zip(&mb.dofs)
            .all(|(a, b)| a.generators == b.generators),
        "`untrained` names the dynamometer profile"
    );

    let n = 10; // 10 ms
    let (a_base, a_sprinter) = (hip_ext_activation(&base, n), hip_ext_activation(&sprinter, n));
    let exact = |tau: f64| 1.0 - (-(n as f64) * 0.001 / tau).exp();
    eprintln!(
        "hip extensor activation after 10 ms: dynamometer {a_base:.5} (1 − e^(−10/15) = {:.5}), sprinter \
         {a_sprinter:.5} (1 − e^(−1) = {:.5})",
        exact(0.015),
        exact(0.010)
    );
    assert!((a_base - exact(0.015)).abs() < 1e-12, "{a_base}");
    assert!((a_sprinter - exact(0.010)).abs() < 1e-12, "{a_sprinter}");
}

/// Bad input: an unknown profile is rejected at `athlete.profile` with file:line:column and the allowed names.
#[test]
fn unknown_profile_is_rejected_with_its_location_and_the_allowed_names() {
    let text = "[athlete]\nmass_kg = 70.0\nprofile = \"elite\"\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.1\n";
    let e = scenario::load_text(text, Path::new("bad_profile.toml"))
        .unwrap_err()
        .to_string();
    eprintln!("{e}");
    assert!(e.contains("bad_profile.toml:3:"), "{e}");
    assert!(e.contains("athlete.profile"), "{e}");
    assert!(e.contains("dynamometer") && e.contains("sprinter"), "{e}");
}

/// Bad input: the toe segment on a body other than the default athlete, or with rapier's contacts, and a toe
/// value that is not a boolean, are rejected at `athlete.toe` with file:line:column and what is allowed.
#[test]
fn toe_on_another_body_or_contact_or_not_a_boolean_is_rejected_with_its_location() {
    let cases = [
        (
            "[model]\nbuiltin = \"sprinter12\"\n[athlete]\ntoe = true\n",
            "default athlete only",
        ),
        (
            "[athlete]\ntoe = true\n[contact]\nmodel = \"rapier\"\n",
            "compliant contact",
        ),
        (
            "[athlete]\n\ntoe = \"yes\"\n",
            "expected true or false; got the string \"yes\"",
        ),
    ];
    for (head, says) in cases {
        let text = format!("{head}[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.1\n");
        let line = head.lines().position(|l| l.starts_with("toe")).unwrap() + 1;
        let e = scenario::load_text(&text, Path::new("bad_toe.toml"))
            .unwrap_err()
            .to_string();
        eprintln!("{e}");
        assert!(e.contains(&format!("bad_toe.toml:{line}:")), "{e}");
        assert!(e.contains("athlete.toe"), "{e}");
        assert!(e.contains(says), "{e}");
    }
}

/// The toe segment adds two segments and two passive DOFs at the end (every other index unchanged), two
/// spheres per foot under the toe tips that belong to the foot (two feet still), and the MTP DOFs have no
/// muscles.
#[test]
fn toe_segments_are_appended_and_their_spheres_belong_to_the_feet() {
    let text = "[athlete]\ntoe = true\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.1\n";
    let t = scenario::load_text(text, Path::new("toe.toml")).expect("valid");
    let b = scenario::load_text(&text.replace("toe = true", "toe = false"), Path::new("no_toe.toml")).expect("valid");
    let (mt, mb) = (&t.model, &b.model);
    assert_eq!(mt.segments.len(), mb.segments.len() + 2);
    assert_eq!(mt.dofs.len(), mb.dofs.len() + 2);
    for (i, d) in mb.dofs.iter().enumerate() {
        assert_eq!(mt.dofs[i].name, d.name);
    }
    assert_eq!(mt.dofs[19].name, "mtp_r");
    assert_eq!(mt.dofs[20].name, "mtp_l");
    assert!(mt.dofs[19].passive && mt.dofs[19].generators.iter().all(|g| g.t_max == 0.0));
    assert!(mb.dofs.iter().all(|d| !d.passive));
    assert_eq!(mt.feet, mb.feet);
    assert_eq!(mt.spheres.len(), 12);
    for sp in &mt.spheres {
        let foot = &mt.segments[mt.feet[sp.foot]].name;
        let seg = &mt.segments[sp.segment].name;
        assert_eq!(foot[foot.len() - 1..], seg[seg.len() - 1..], "{seg} on {foot}");
    }
}

/// A CSV file's header and rows, as text.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let head = lines.next().unwrap().split(',').map(str::to_string).collect();
    (
        head,
        lines.map(|l| l.split(',').map(str::to_string).collect()).collect(),
    )
}

fn col(h: &[String], n: &str) -> usize {
    h.iter().position(|c| c == n).unwrap_or_else(|| panic!("no column {n}"))
}

fn num(s: &str) -> f64 {
    s.parse().unwrap()
}

/// A run folder's first right stance: `steps.csv`'s header and row, `timeseries.csv`'s header and rows, and the
/// stance's touchdown and lift-off times (s).
struct RightStance {
    sh: Vec<String>,
    row: Vec<String>,
    th: Vec<String>,
    ts: Vec<Vec<String>>,
    td: f64,
    lo: f64,
}

fn right_stance(dir: &Path) -> RightStance {
    let (sh, steps) = read_csv(&dir.join("steps.csv"));
    let (th, ts) = read_csv(&dir.join("timeseries.csv"));
    let row = steps
        .into_iter()
        .find(|r| r[col(&sh, "side")] == "foot_r")
        .expect("a right stance");
    let td = num(&row[col(&sh, "touchdown")]);
    let lo = td + num(&row[col(&sh, "contact_time")]);
    RightStance {
        sh,
        row,
        th,
        ts,
        td,
        lo,
    }
}

/// `steps.csv`'s joint work, recomputed from the written `timeseries.csv` of the one-stance push scenario (every
/// step sampled): over the right stance, the knee's and ankle's positive and negative work, Σ max/min((τ_gen −
/// d·ω)·ω)·dt with the generator torque and velocity columns and the joint damping d (0.5 and 0.2 N·m·s/rad;
/// no range stop is reached), equal the columns, and the left leg's stance has its own joints' values.
#[test]
fn stance_joint_work_matches_torque_times_velocity_of_the_timeseries() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/stance_push.toml");
    let loaded = scenario::load(&path).expect("stance_push");
    let tmp = tempfile::tempdir().unwrap();
    let dir = sprintlab::cli::simulate(&loaded, Some(&tmp.path().join("run"))).expect("simulates");
    let RightStance {
        sh,
        row,
        th,
        ts,
        td,
        lo,
    } = right_stance(&dir);
    let m = &loaded.model;
    for (joint, damping) in [("knee", 0.5), ("ankle", 0.2)] {
        let dof = format!("{joint}_r");
        let [lim_lo, lim_hi] = m.dofs[m.dof_index(&dof).unwrap()].limits.unwrap();
        let (mut pos, mut neg, mut n) = (0.0, 0.0, 0);
        for r in &ts {
            let t = num(&r[col(&th, "t")]);
            if t < td - 1e-12 || t >= lo - 1e-12 {
                continue;
            }
            let q = num(&r[col(&th, &dof)]);
            assert!(q > lim_lo && q < lim_hi, "{dof} at a range stop");
            let w = num(&r[col(&th, &format!("{dof}_vel"))]);
            let tau = num(&r[col(&th, &format!("{dof}_torque"))]) - damping * w;
            let e = tau * w * 0.001;
            if e > 0.0 {
                pos += e;
            } else {
                neg += e;
            }
            n += 1;
        }
        let (cp, cn) = (
            num(&row[col(&sh, &format!("work_pos_{joint}_j"))]),
            num(&row[col(&sh, &format!("work_neg_{joint}_j"))]),
        );
        eprintln!(
            "{dof}: {n} samples in stance; work +{pos:.4} / {neg:.4} J recomputed, +{cp:.4} / {cn:.4} J in steps.csv"
        );
        assert!(n > 50, "{n}");
        assert!(pos > 1.0 || neg < -1.0, "the joint works in stance");
        assert!((pos - cp).abs() <= 1e-9 * (1.0 + pos.abs()), "{pos} vs {cp}");
        assert!((neg - cn).abs() <= 1e-9 * (1.0 + neg.abs()), "{neg} vs {cn}");
    }
}

/// A run folder of a body with toes reloads (its resolved scenario points at `model.json`, which holds the toe
/// segments) into the same model, and a replay of it gives the same `timeseries.csv` byte for byte.
#[test]
fn a_run_folder_with_toes_reloads_to_the_same_body_and_replays_identically() {
    let text =
        "[athlete]\ntoe = true\nprofile = \"sprinter\"\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.2\n";
    let loaded = scenario::load_text(text, Path::new("toe_run.toml")).expect("valid");
    let tmp = tempfile::tempdir().unwrap();
    let dir = sprintlab::cli::simulate(&loaded, Some(&tmp.path().join("a"))).expect("simulates");
    let again = scenario::load(&dir.join("scenario.toml")).expect("the run folder's scenario reloads");
    assert_eq!(again.model.segments, loaded.model.segments);
    assert_eq!(again.model.dofs, loaded.model.dofs);
    assert_eq!(again.model.spheres, loaded.model.spheres);
    let dir2 = sprintlab::cli::simulate(&again, Some(&tmp.path().join("b"))).expect("replays");
    let ts = |d: &Path| std::fs::read(d.join("timeseries.csv")).unwrap();
    assert!(ts(&dir) == ts(&dir2), "the replay differs");
}

/// `steps.csv`'s tendon exchange, recomputed from the written `timeseries.csv` of the one-stance push scenario with
/// series-elastic and two-joint generators (every step sampled): over the right stance (from the sample before
/// touchdown to lift-off), the sums of the increases and of the decreases of every right-leg unit's
/// `<unit>_tendon_energy` equal `tendon_stored_j` and `tendon_returned_j`; the rigid body's file has no such
/// columns.
#[test]
fn stance_tendon_energy_matches_the_timeseries_and_is_absent_on_a_rigid_body() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/stance_push.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let pins = "series_elastic = false\ntwo_joint = false\n";
    assert!(text.contains(pins), "stance_push pins the rigid generators");
    let tmp = tempfile::tempdir().unwrap();
    let run = |text: &str, name: &str| {
        let loaded = scenario::load_text(text, &path).expect("stance_push");
        sprintlab::cli::simulate(&loaded, Some(&tmp.path().join(name))).expect("simulates")
    };
    let rigid = run(&text, "rigid");
    let (rh, _) = read_csv(&rigid.join("steps.csv"));
    assert!(!rh.iter().any(|c| c.starts_with("tendon_")), "{rh:?}");
    let elastic = run(
        &text.replace(pins, "series_elastic = true\ntwo_joint = true\n"),
        "elastic",
    );
    let RightStance {
        sh,
        row,
        th,
        ts,
        td,
        lo,
    } = right_stance(&elastic);
    let units: Vec<usize> = (0..th.len()).filter(|&i| th[i].ends_with("_r_tendon_energy")).collect();
    assert!(units.len() >= 4, "right-leg units: {units:?}");
    let window: Vec<&Vec<String>> = ts
        .iter()
        .filter(|r| {
            let t = num(&r[col(&th, "t")]);
            t >= td - 0.001 - 1e-9 && t < lo - 1e-9
        })
        .collect();
    let (mut stored, mut returned) = (0.0, 0.0);
    for w in window.windows(2) {
        for &u in &units {
            let de = num(&w[1][u]) - num(&w[0][u]);
            if de > 0.0 {
                stored += de;
            } else {
                returned -= de;
            }
        }
    }
    let (cs, cr) = (
        num(&row[col(&sh, "tendon_stored_j")]),
        num(&row[col(&sh, "tendon_returned_j")]),
    );
    eprintln!(
        "right stance, {} samples, {} units: stored {stored:.4} / returned {returned:.4} J recomputed, {cs:.4} / {cr:.4} \
         J in steps.csv",
        window.len(),
        units.len()
    );
    assert!(
        window.len() > 50 && stored > 1.0,
        "the tendons take up energy in stance: {stored}"
    );
    assert!((stored - cs).abs() <= 1e-9 * (1.0 + stored), "{stored} vs {cs}");
    assert!((returned - cr).abs() <= 1e-9 * (1.0 + returned), "{returned} vs {cr}");
}
