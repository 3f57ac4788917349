//! The stride viewer: `RUN_DIR/viewer.html`, one self-contained page (inline script, no network) that animates
//! the run's 3D skeleton with the GRF arrow and the muscle-group activations by contributor. The page template is
//! `assets/viewer/viewer.html`; the run's data is embedded in it as JSON.

use serde_json::{json, Value};

use super::data::{muscle_groups, Side};
use super::skeleton::{PoseColumns, Skeleton};
use crate::error::Error;
use crate::export::read::{feet, Table};
use crate::model::file::ModelFile;
use crate::model::generators::Contributor;
use crate::sim::columns;

/// The page template; `__SPRINTLAB_DATA__` is replaced by the data.
pub const TEMPLATE: &str = include_str!("../../assets/viewer/viewer.html");
/// At most this many frames are embedded (longer runs are decimated evenly).
pub const MAX_FRAMES: usize = 2500;

/// Rounds to `d` decimals (keeps the page small; 1e-5 m = 0.01 mm).
fn r(x: f64, d: i32) -> Value {
    if x.is_finite() {
        let s = 10f64.powi(d);
        json!((x * s).round() / s)
    } else {
        Value::Null
    }
}

fn side(s: Side) -> &'static str {
    match s {
        Side::Right => "r",
        Side::Left => "l",
        Side::Centre => "c",
    }
}

/// The viewer page for a run (`title` is shown in its header).
pub fn page(title: &str, ts: &Table, model: &ModelFile, bw: f64) -> Result<String, Error> {
    let t = ts.check_time(columns::TIME)?;
    let skel = Skeleton::from_model(model);
    let poses = PoseColumns::new(ts, &skel)?;
    let step = t.len().div_ceil(MAX_FRAMES).max(1);
    let rows: Vec<usize> = (0..t.len()).step_by(step).collect();
    let segments: Vec<Value> = skel
        .segments
        .iter()
        .map(|g| {
            json!({
                "name": g.name,
                "side": side(g.side),
                "lines": g.lines.iter().map(|l| {
                    let v: Vec<Value> = l.p0.iter().chain(l.p1.iter()).chain([l.radius].iter()).map(|x| r(*x, 5)).collect();
                    v
                }).collect::<Vec<_>>(),
                "balls": g.balls.iter().map(|b| vec![r(b.c[0], 5), r(b.c[1], 5), r(b.c[2], 5), r(b.r, 5)]).collect::<Vec<_>>(),
                "boxes": g.boxes.iter().map(|b| b.c.iter().chain(b.h.iter()).map(|x| r(*x, 5)).collect::<Vec<_>>()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let pose: Vec<Value> = rows
        .iter()
        .map(|&i| {
            let p = poses.at(i);
            let mut v = Vec::with_capacity(7 * p.p.len());
            for (o, q) in p.p.iter().zip(&p.q) {
                v.extend(o.iter().map(|x| r(*x, 5)));
                v.extend(q.iter().map(|x| r(*x, 6)));
            }
            Value::Array(v)
        })
        .collect();
    let mut fs = Vec::new();
    for f in feet(ts) {
        let c = ts.cols(&columns::grf_and_cop(&f))?;
        let data: Vec<Value> = rows
            .iter()
            .map(|&i| {
                json!([
                    r(c[0][i] / bw, 4),
                    r(c[1][i] / bw, 4),
                    r(c[2][i] / bw, 4),
                    r(c[3][i], 4),
                    r(c[4][i], 4)
                ])
            })
            .collect();
        fs.push(json!({ "name": f, "side": side(Side::of(&f)), "f": data }));
    }
    let mut groups = Vec::new();
    let all = muscle_groups(model);
    for g in &all {
        let a = ts.col(&g.column())?;
        let shared = all.iter().filter(|o| o.dof == g.dof).all(|o| o.group == g.group);
        let contributor = match g.contributor {
            Contributor::Push => "push",
            Contributor::Swing => "swing",
            Contributor::Arms => "arms",
            Contributor::Torso => "torso",
            Contributor::None => "none",
        };
        groups.push(json!({
            "label": g.label(shared),
            "side": g.side.letter(),
            "contributor": contributor,
            "a": rows.iter().map(|&i| r(a[i], 3)).collect::<Vec<_>>(),
        }));
    }
    let data = json!({
        "title": title,
        "bw": bw,
        "t": rows.iter().map(|&i| r(t[i], 6)).collect::<Vec<_>>(),
        "segments": segments,
        "pose": pose,
        "feet": fs,
        "groups": groups,
    });
    // `<` only occurs inside JSON strings, where \u003c is the same character: the data cannot close the script.
    let text = serde_json::to_string(&data).expect("JSON").replace('<', "\\u003c");
    Ok(TEMPLATE.replacen("__SPRINTLAB_DATA__", &text, 1))
}
