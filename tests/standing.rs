//! Standing: the body holds its posture for 2 s on the ground through the torque generators; the mean total
//! vertical GRF over the last 0.5 s equals body weight within 1 %, and the feet do not slide.

mod common;

use std::sync::Arc;

use sprintlab::control::HoldPosture;
use sprintlab::model::Model;
use sprintlab::sim::{ActivationDynamics, Simulator, WorldSettings};

pub struct StandResult {
    pub mean_fz_bw: f64,
    pub max_slide: f64,
    pub min_pelvis_z: f64,
    pub peak_bw: f64,
}

pub fn stand(model: Arc<Model>, drop: f64, seconds: f64) -> StandResult {
    let n = model.dofs.len();
    let kp: Vec<f64> = model
        .dofs
        .iter()
        .map(|d| d.pd_standing.map_or(1000.0, |g| g[0]))
        .collect();
    let kd: Vec<f64> = model
        .dofs
        .iter()
        .map(|d| d.pd_standing.map_or(50.0, |g| g[1]))
        .collect();
    let mut ctrl = HoldPosture {
        target: vec![0.0; n],
        kp,
        kd,
    };
    let sim = Simulator::new(
        model.clone(),
        WorldSettings::default(),
        ActivationDynamics::default(),
    );
    let mut s = sim.initial_state();
    let _ = drop;
    let mut ws = sim.workspace();
    let bw = model.body_weight;
    let steps = (seconds / sim.world.dt).round() as usize;
    let last = (0.5 / sim.world.dt).round() as usize;
    let mut sum = 0.0;
    let mut peak: f64 = 0.0;
    let foot0: Vec<_> = model
        .feet
        .iter()
        .map(|&f| sim.segment_pose(&s, f).0)
        .collect();
    let mut max_slide: f64 = 0.0;
    let mut min_z = f64::INFINITY;
    for k in 0..steps {
        let r = sim.step(&mut s, &mut ws, &mut ctrl);
        assert!(r.finite);
        let fz: f64 = r.grf.iter().map(|g| g[2]).sum();
        peak = peak.max(fz / bw);
        if k >= steps - last {
            sum += fz;
        }
        for (i, &f) in model.feet.iter().enumerate() {
            let p = sim.segment_pose(&s, f).0;
            max_slide =
                max_slide.max(((p.x - foot0[i].x).powi(2) + (p.y - foot0[i].y).powi(2)).sqrt());
        }
        min_z = min_z.min(sim.root_pose(&s).0[2]);
        if k % 100 == 0 {
            eprintln!(
                "t {:.2} fz/bw {:.4} pelvis z {:.4}",
                s.t,
                fz / bw,
                sim.root_pose(&s).0[2]
            );
        }
    }
    StandResult {
        mean_fz_bw: sum / last as f64 / bw,
        max_slide,
        min_pelvis_z: min_z,
        peak_bw: peak,
    }
}

#[test]
fn sprinter12_stands_two_seconds_with_grf_equal_to_body_weight() {
    let r = stand(common::sprinter12(), 0.0, 2.0);
    eprintln!(
        "sprinter12: mean Fz {:.5} BW, slide {:.2e} m, min pelvis z {:.4} m",
        r.mean_fz_bw, r.max_slide, r.min_pelvis_z
    );
    assert!((r.mean_fz_bw - 1.0).abs() < 0.01);
    assert!(r.max_slide < 2e-3);
}
