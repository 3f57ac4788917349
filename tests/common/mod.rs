//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use sprintlab::control::ConstantTorque;
use sprintlab::model::file::ModelFile;
use sprintlab::model::generators::GeneratorTable;
use sprintlab::model::{ContactParams, Model, Strengths};
use sprintlab::sim::{ActivationDynamics, Simulator, WorldSettings};

/// The peer body, as shipped in the project.
pub fn sprinter12_file() -> ModelFile {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/shared/peers/sprinter12_spec.json"
    ))
    .expect("spec");
    serde_json::from_str(&text).expect("spec parses")
}

pub fn sprinter12() -> Arc<Model> {
    Arc::new(
        Model::compile(
            &sprinter12_file(),
            &Strengths::default(),
            &GeneratorTable::priors(),
            ContactParams::default(),
        )
        .expect("compiles"),
    )
}

/// The zero-g verification set-up at a given dt.
pub fn zero_g(dt: f64) -> (Simulator, ConstantTorque) {
    let model = sprinter12();
    let mut torques = vec![0.0; model.dofs.len()];
    for (name, t) in [
        ("hip_flex_r", 20.0),
        ("hip_flex_l", -20.0),
        ("shoulder_flex_r", -5.0),
        ("lumbar_rot", 3.0),
    ] {
        torques[model.dof_index(name).unwrap()] = t;
    }
    let sim = Simulator::new(
        model,
        WorldSettings {
            gravity: [0.0; 3],
            ground: false,
            dt,
            substeps: 1,
        },
        ActivationDynamics::default(),
    );
    (sim, ConstantTorque { torques })
}

/// The peer reference trajectory: rows of (t, values by column name).
pub fn reference() -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/shared/peers/zero_g_reference.csv"
    ))
    .expect("reference");
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|x| x.parse::<f64>().unwrap()).collect())
        .collect();
    (header, rows)
}
