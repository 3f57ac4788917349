//! The measurement layer on real physics: stances and push integrals of a standing body and a drop landing,
//! balance loss of a body that collapses, and the sign of trunk pitch.

use std::path::Path;

use sprintlab::measure::{
    pelvis_height, BalanceChecker, BalanceLimits, BalanceLoss, BalanceReason, PushMeter, StepRecorder,
};
use sprintlab::scenario;

/// What a rollout measured.
struct Run {
    meter: PushMeter,
    loss: Option<BalanceLoss>,
    body_weight: f64,
    t_end: f64,
}

/// Runs a scenario for its `[run] duration`, feeding a push meter and checking balance every step; stops at the
/// first balance loss.
fn run(text: &str) -> Run {
    let loaded = scenario::load_text(text, Path::new("x.toml")).expect("valid scenario");
    let sim = loaded.simulator();
    let mut state = sim.initial_state_with(&loaded.initial_angles(), loaded.scenario.initial.drop_height);
    let mut ctrl = loaded.controller();
    let mut ws = sim.workspace();
    let checker = BalanceChecker::new(&sim.model);
    let limits = BalanceLimits::default();
    let z0 = pelvis_height(&sim, &state);
    let mut meter = PushMeter::new(&sim.model);
    let steps = (loaded.scenario.run.duration / sim.world.dt).round() as u64;
    let mut loss = None;
    for _ in 0..steps {
        let r = sim.step(&mut state, &mut ws, ctrl.as_mut());
        assert!(r.finite, "diverged at t = {}", state.t);
        meter.feed(r.t, sim.world.dt, &r);
        loss = checker.check(&sim, &state, &limits, z0);
        if loss.is_some() {
            break;
        }
    }
    Run {
        meter,
        loss,
        body_weight: sim.model.body_weight,
        t_end: state.t,
    }
}

#[test]
fn standing_one_second_is_one_open_stance_per_foot_carrying_half_body_weight_each() {
    let r = run("[controller]\nkind = \"hold-posture\"\n[run]\nduration = 1.0\n");
    assert!(r.loss.is_none(), "{}", r.loss.unwrap());
    let stances = r.meter.stances();
    assert_eq!(stances.len(), 2, "{stances:#?}");
    let mut vertical = 0.0;
    for (i, s) in stances.iter().enumerate() {
        eprintln!(
            "standing {}: touchdown {:.3} s, contact {:.3} s, mean Fz {:.4} BW, peak {:.3} BW, vertical impulse \
             {:.2} N·s, net horizontal {:+.3} N·s",
            s.foot_name,
            s.touchdown,
            s.contact_time,
            s.mean_vertical_force_bw,
            s.peak_vertical_force_bw,
            s.vertical_impulse,
            s.net_horizontal_impulse
        );
        assert_eq!(s.foot, i);
        // The body starts just touching and settles onto its heel pads: touchdown within the first steps.
        assert!(s.touchdown < 0.03, "{}", s.touchdown);
        assert_eq!(s.lift_off, None);
        assert!((s.contact_time - (r.t_end - s.touchdown)).abs() < 1e-12);
        assert!(
            (s.mean_vertical_force_bw - 0.5).abs() < 0.025,
            "{}",
            s.mean_vertical_force_bw
        );
        vertical += s.vertical_impulse;
    }
    let bw_time = r.body_weight * r.t_end;
    eprintln!(
        "standing: vertical impulse of both feet {:.4} × BW·t",
        vertical / bw_time
    );
    assert!((vertical / bw_time - 1.0).abs() < 0.02, "{}", vertical / bw_time);
    let t = r.meter.totals();
    assert_eq!((t.stances, t.complete_stances), (2, 0));
}

#[test]
fn drop_landing_touches_down_at_the_free_fall_time() {
    let r = run(
        "[initial]\ndrop_height = 0.3\nangles = { knee_r = 0.4, knee_l = 0.4, hip_flex_r = 0.2, hip_flex_l = 0.2, \
         ankle_r = 0.2, ankle_l = 0.2 }\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.5\n",
    );
    let t_ff = (2.0 * 0.3 / 9.81f64).sqrt();
    let stances = r.meter.stances();
    assert!(!stances.is_empty());
    for s in &stances {
        eprintln!(
            "drop 0.3 m: {} touchdown {:.4} s (free fall {:.4} s), peak {:.2} BW, mean {:.2} BW over {:.3} s",
            s.foot_name, s.touchdown, t_ff, s.peak_vertical_force_bw, s.mean_vertical_force_bw, s.contact_time
        );
    }
    let first = stances.iter().map(|s| s.touchdown).fold(f64::INFINITY, f64::min);
    assert!((first - t_ff).abs() < 0.004, "touchdown {first} vs free fall {t_ff}");
    if let Some(l) = &r.loss {
        eprintln!("drop 0.3 m: {l}");
    }
}

/// A body that falls 0.3 m while gliding forward at 3 m/s with its posture held keeps its shape in the air: its
/// first stance's row reports the ankle's forward speed just before touchdown as the glide speed, and the touchdown
/// distance as the ankle's lead over the COM in the start posture (rigid translation). The first would read lower
/// if it were taken in contact, where friction stops the foot.
#[test]
fn a_gliding_drop_lands_with_the_glide_speed_and_the_start_postures_ankle_lead() {
    let text = "[initial]\ndrop_height = 0.3\nvelocity = [3.0, 0.0, 0.0]\nangles = { hip_flex_r = 0.4, knee_r = 0.3, \
                hip_flex_l = -0.2, knee_l = 0.5 }\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.35\n";
    let loaded = scenario::load_text(text, Path::new("x.toml")).expect("valid scenario");
    let sim = loaded.simulator();
    let mut state = loaded.initial_state(&sim);
    let foot = sim.model.segment_index("foot_r").unwrap();
    let lead0 = sim.segment_pose(&state, foot).0.x - sim.measures(&state).com[0];
    let mut ctrl = loaded.controller();
    let mut ws = sim.workspace();
    let mut meter = PushMeter::new(&sim.model);
    let mut rec = StepRecorder::new(&sim.model);
    let steps = (loaded.scenario.run.duration / sim.world.dt).round() as u64;
    for _ in 0..steps {
        let r = sim.step(&mut state, &mut ws, ctrl.as_mut());
        meter.feed(r.t, sim.world.dt, &r);
        rec.feed(&sim, &state, &r);
    }
    let rows = rec.rows(&sim.model, &meter.stances());
    let first = rows.iter().find(|r| r.side == "foot_r").expect("the right foot lands");
    eprintln!(
        "gliding drop: touchdown {:.3} s, ankle speed before it {:.4} m/s, ankle lead {:.4} m (start {lead0:.4} m)",
        first.touchdown, first.foot_touchdown_speed, first.touchdown_distance
    );
    assert!(
        first.touchdown > 0.2,
        "it must land from the drop, not start in contact"
    );
    assert!(
        (first.foot_touchdown_speed - 3.0).abs() < 0.02,
        "{}",
        first.foot_touchdown_speed
    );
    assert!(
        (first.touchdown_distance - lead0).abs() < 0.01,
        "{} vs {lead0}",
        first.touchdown_distance
    );
}

#[test]
fn the_braking_weight_charges_the_mean_braking_impulse_per_stance_of_a_gliding_landing() {
    // A body gliding forward at 3 m/s lands on held legs: its stances brake. The braking weight adds exactly
    // weight × mean braking magnitude per stance to the cost, and nothing else changes.
    let text = |w: f64| {
        format!(
            "[initial]\ndrop_height = 0.3\nvelocity = [3.0, 0.0, 0.0]\nangles = {{ hip_flex_r = 0.4, knee_r = 0.3, \
             hip_flex_l = -0.2, knee_l = 0.5 }}\n[controller]\nkind = \"hold-posture\"\n[objective]\n\
             braking_impulse = {w:?}\n[run]\nduration = 0.5\n"
        )
    };
    let eval = |w: f64| sprintlab::measure::evaluate(&scenario::load_text(&text(w), Path::new("x.toml")).unwrap());
    let (plain, weighted) = (eval(0.0), eval(2.0));
    let braking = plain.stances.iter().map(|s| -s.braking_impulse).sum::<f64>() / plain.stances.len() as f64;
    eprintln!(
        "gliding landing: {} stances, mean braking {braking:.3} N·s",
        plain.stances.len()
    );
    assert!(braking > 1.0, "a 3 m/s landing brakes: {braking} N·s");
    assert_eq!(plain.stances, weighted.stances);
    assert!(((weighted.cost - plain.cost) - 2.0 * braking).abs() < 1e-9 * braking);
}

#[test]
fn unactuated_body_collapses_and_loses_balance() {
    let r = run("[controller]\nkind = \"constant-torque\"\n[run]\nduration = 1.5\n");
    let loss = r.loss.expect("a body without joint torques must fall");
    eprintln!("zero torque: {loss}");
    assert!(loss.t > 0.05 && loss.t <= 1.5, "{}", loss.t);
    assert!(
        matches!(
            loss.reason,
            BalanceReason::PelvisTooLow { .. } | BalanceReason::SegmentOnGround { .. }
        ),
        "{loss}"
    );
}

#[test]
fn forward_lumbar_bend_reads_as_positive_trunk_pitch() {
    let text =
        "[initial]\nangles = { lumbar_flex = 0.3 }\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.1\n";
    let loaded = scenario::load_text(text, Path::new("x.toml")).expect("valid scenario");
    let sim = loaded.simulator();
    let state = sim.initial_state_with(&loaded.initial_angles(), 0.0);
    let checker = BalanceChecker::new(&sim.model);
    assert_eq!(sim.model.segments[checker.trunk()].name, "torso");
    let a = checker.trunk_angles(&sim, &state);
    eprintln!(
        "lumbar_flex 0.3: trunk pitch {:.6}, roll {:.2e}, yaw {:.2e} rad",
        a.pitch, a.roll, a.yaw
    );
    assert!((a.pitch - 0.3).abs() < 1e-6, "{a:?}");
    assert!(a.roll.abs() < 1e-6 && a.yaw.abs() < 1e-6, "{a:?}");
    let z0 = pelvis_height(&sim, &state);
    assert!(checker.check(&sim, &state, &BalanceLimits::default(), z0).is_none());
    // Past the pitch limit the same pose is a balance loss with the measured angle.
    let tight = BalanceLimits {
        max_trunk_pitch: 0.2,
        ..Default::default()
    };
    match checker.check(&sim, &state, &tight, z0).map(|l| l.reason) {
        Some(BalanceReason::TrunkPitch { angle }) => assert!((angle - 0.3).abs() < 1e-6),
        other => panic!("{other:?}"),
    }
}

#[test]
fn initial_rates_set_joint_velocities_and_a_rate_on_the_stance_hip_stops_the_foot() {
    // A running touchdown in free space: the whole body at 6 m/s, the right hip extending at 6.5 rad/s.
    let text = "[world]\ndt = 0.0001\ngravity = [0.0, 0.0, 0.0]\nground = false\n\
                [initial]\nangles = { hip_flex_r = 0.4, knee_r = 0.3 }\nvelocity = [6.0, 0.0, 0.0]\n\
                rates = { hip_flex_r = -6.5, knee_l = 2.0 }\n[controller]\nkind = \"constant-torque\"\n\
                [run]\nduration = 0.1\n";
    let loaded = scenario::load_text(text, Path::new("x.toml")).expect("valid scenario");
    let sim = loaded.simulator();
    let mut state = loaded.initial_state(&sim);
    let n = sim.model.dofs.len();
    let (mut q, mut qd) = (vec![0.0; n], vec![0.0; n]);
    sim.joint_state(&state, &mut q, &mut qd);
    let i = |name: &str| sim.model.dof_index(name).unwrap();
    assert_eq!(qd[i("hip_flex_r")], -6.5);
    assert_eq!(qd[i("knee_l")], 2.0);
    assert_eq!(qd[i("hip_flex_l")], 0.0);
    // The right ankle hangs (0.436·cos 0.4 + 0.449·cos 0.1) = 0.85 m below the hip: the hip rate takes
    // 6.5 × 0.85 = 5.5 m/s off its forward speed, so the foot moves at about 0.5 m/s while the body does 6.
    let foot = sim.model.segment_index("foot_r").unwrap();
    let x0 = sim.segment_pose(&state, foot).0.x;
    let mut ws = sim.workspace();
    let mut ctrl = loaded.controller();
    let _ = sim.step(&mut state, &mut ws, ctrl.as_mut());
    let v_foot = (sim.segment_pose(&state, foot).0.x - x0) / sim.world.dt;
    assert!((0.3..0.7).contains(&v_foot), "foot forward speed {v_foot} m/s");
}

#[test]
fn a_faster_generator_keeps_more_concentric_torque() {
    let load = |velocity: f64| {
        let text = format!(
            "[strength]\nvelocity = {velocity}\n[controller]\nkind = \"hold-posture\"\n[run]\nduration = 0.1\n"
        );
        scenario::load_text(&text, Path::new("x.toml"))
            .expect("valid scenario")
            .model
    };
    let (slow, fast) = (load(1.0), load(2.0));
    let k = slow.dof_index("hip_flex_r").unwrap();
    // Hip extensors (negative group) shortening at 9 rad/s (hip extending, ω < 0).
    let cap = |m: &sprintlab::model::Model| m.dofs[k].generators[1].capacity(0.3, -9.0, -1.0).0;
    let iso = |m: &sprintlab::model::Model| m.dofs[k].generators[1].capacity(0.3, 0.0, -1.0).0;
    assert_eq!(iso(&slow), iso(&fast), "same isometric strength");
    assert!(cap(&fast) > 2.0 * cap(&slow), "{} vs {}", cap(&fast), cap(&slow));
    // At ω = ω_max of the priors, the prior generator has nothing left; the doubled one has its ω_max/2 value.
    let g = &slow.dofs[k].generators[1].params;
    let w = g.omega_max;
    assert_eq!(slow.dofs[k].generators[1].capacity(0.3, -w, -1.0).0, 0.0);
    let half = fast.dofs[k].generators[1].capacity(0.3, -w, -1.0).0 / iso(&fast);
    assert!((half - g.tv_half).abs() < 1e-12, "{half}");
}
