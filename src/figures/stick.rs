//! Stick-figure strip: one stride (touchdown to the next touchdown of the same foot), or evenly spaced frames of
//! the whole run when there is no stride, in sagittal (x–z, seen from the right) and frontal (y–z, seen from the
//! front) views, with the ground reaction force vector at each loaded foot's centre of pressure.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{all_stances, Side};
use super::skeleton::{Pose, PoseColumns, Skeleton};
use super::style::*;
use crate::error::Error;
use crate::export::read::{feet, Table};
use crate::export::tables::StanceRecord;
use crate::model::file::ModelFile;
use crate::sim::columns;

/// Frames in the strip.
pub const FRAMES: usize = 8;
/// Length of a 1-BW force arrow (m, drawn at the body's scale).
pub const GRF_M_PER_BW: f64 = 0.15;

struct Frame {
    t: f64,
    pose: Pose,
    /// Per loaded foot: centre of pressure (m) and force (BW).
    grf: Vec<([f64; 3], [f64; 3])>,
}

/// The stick-figure figure.
pub struct StickFigure {
    skel: Skeleton,
    frames: Vec<Frame>,
    what: String,
}

impl StickFigure {
    /// Builds the strip from `timeseries.csv` (poses, GRF, COP) and `model.json` (geometry).
    pub fn build(ts: &Table, steps: &[StanceRecord], model: &ModelFile, bw: f64) -> Result<Self, Error> {
        let t = ts.check_time(columns::TIME)?;
        let skel = Skeleton::from_model(model);
        let cols = PoseColumns::new(ts, &skel)?;
        let n = ts.rows();
        let stances = all_stances(ts, steps)?;
        let stride = stances.iter().find_map(|s| {
            stances
                .iter()
                .find(|o| o.foot == s.foot && o.start > s.start)
                .map(|o| (s, o))
        });
        let (rows, what): (Vec<usize>, String) = match stride {
            Some((a, b)) => {
                let (t0, t1) = (t[a.start], t[b.start]);
                let rows = (0..FRAMES)
                    .map(|k| nearest(t, t0 + (t1 - t0) * k as f64 / FRAMES as f64))
                    .collect();
                let side = match Side::of(&a.foot) {
                    Side::Right => "right",
                    Side::Left => "left",
                    Side::Centre => "the",
                };
                (
                    rows,
                    format!("one stride: {side} touchdown at {t0:.3} s to the next at {t1:.3} s"),
                )
            }
            None => {
                let rows = (0..FRAMES)
                    .map(|k| (k * (n - 1) + (FRAMES - 1) / 2) / (FRAMES - 1))
                    .collect();
                (
                    rows,
                    format!("no complete stride: {FRAMES} frames evenly spaced over the run"),
                )
            }
        };
        let feet = feet(ts);
        let mut fcols = Vec::new();
        for f in &feet {
            fcols.push(ts.cols(&columns::grf_and_cop(f))?);
        }
        let frames = rows
            .iter()
            .map(|&r| Frame {
                t: t[r],
                pose: cols.at(r),
                grf: fcols
                    .iter()
                    .filter_map(|c| {
                        let f = [c[0][r] / bw, c[1][r] / bw, c[2][r] / bw];
                        let p = [c[3][r], c[4][r], 0.0];
                        let mag = (f[0] * f[0] + f[1] * f[1] + f[2] * f[2]).sqrt();
                        (mag > 0.02 && p[0].is_finite() && p[1].is_finite()).then_some((p, f))
                    })
                    .collect(),
            })
            .collect();
        Ok(Self { skel, frames, what })
    }
}

fn nearest(t: &[f64], x: f64) -> usize {
    let i = t.partition_point(|v| *v < x);
    if i == 0 {
        0
    } else if i >= t.len() {
        t.len() - 1
    } else if (t[i] - x).abs() < (x - t[i - 1]).abs() {
        i
    } else {
        i - 1
    }
}

/// A drawing primitive in view coordinates (u horizontal, z up, m) with a depth (larger = farther).
enum Prim {
    Line([f64; 2], [f64; 2], u32, RGBColor),
    Dot([f64; 2], f64, RGBColor),
    Ring([f64; 2], f64, RGBColor),
    Hull(Vec<[f64; 2]>, RGBColor),
}

#[derive(Clone, Copy, PartialEq)]
enum View {
    Sagittal,
    Frontal,
}

impl View {
    /// (horizontal, vertical, depth) of a world point: sagittal seen from the right (x to the right, depth +y),
    /// frontal seen from the front (y, the athlete's left, to the right; depth −x).
    fn project(self, p: &[f64; 3]) -> ([f64; 2], f64) {
        match self {
            View::Sagittal => ([p[0], p[2]], p[1]),
            View::Frontal => ([p[1], p[2]], -p[0]),
        }
    }
}

fn side_color(s: Side) -> RGBColor {
    match s {
        Side::Right => RIGHT,
        Side::Left => LEFT,
        Side::Centre => CENTRE,
    }
}

fn hull(mut pts: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    let cross = |o: [f64; 2], a: [f64; 2], b: [f64; 2]| (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    let mut h: Vec<[f64; 2]> = Vec::new();
    for pass in 0..2 {
        let start = h.len();
        let iter: Box<dyn Iterator<Item = &[f64; 2]>> = if pass == 0 {
            Box::new(pts.iter())
        } else {
            Box::new(pts.iter().rev())
        };
        for &p in iter {
            while h.len() >= start + 2 && cross(h[h.len() - 2], h[h.len() - 1], p) <= 0.0 {
                h.pop();
            }
            h.push(p);
        }
        h.pop();
    }
    h
}

impl StickFigure {
    fn prims(&self, f: &Frame, view: View) -> Vec<(f64, Prim)> {
        let mut out = Vec::new();
        for (i, g) in self.skel.segments.iter().enumerate() {
            let c = side_color(g.side);
            for l in &g.lines {
                let (a, da) = view.project(&f.pose.world(i, &l.p0));
                let (b, db) = view.project(&f.pose.world(i, &l.p1));
                let w = if l.radius > 0.0 { stroke(1.6) } else { stroke(0.9) };
                out.push(((da + db) / 2.0, Prim::Line(a, b, w, c)));
            }
            for b in &g.balls {
                let (p, d) = view.project(&f.pose.world(i, &b.c));
                out.push((d, Prim::Ring(p, b.r, c)));
            }
            for bx in &g.boxes {
                let mut d = 0.0;
                let pts: Vec<[f64; 2]> = bx
                    .corners()
                    .iter()
                    .map(|v| {
                        let (p, dd) = view.project(&f.pose.world(i, v));
                        d += dd / 8.0;
                        p
                    })
                    .collect();
                out.push((d, Prim::Hull(hull(pts), c)));
            }
            let (p, d) = view.project(&f.pose.p[i]);
            out.push((d - 1e-4, Prim::Dot(p, pt(1.5), c)));
        }
        // Far first; stable order for equal depths keeps the output deterministic.
        out.sort_by(|a, b| b.0.total_cmp(&a.0));
        out
    }

    fn arrows(f: &Frame, view: View) -> Vec<([f64; 2], [f64; 2])> {
        f.grf
            .iter()
            .map(|(p, force)| {
                let e = [
                    p[0] + force[0] * GRF_M_PER_BW,
                    p[1] + force[1] * GRF_M_PER_BW,
                    p[2] + force[2] * GRF_M_PER_BW,
                ];
                (view.project(p).0, view.project(&e).0)
            })
            .collect()
    }

    /// Horizontal half-extent around the pelvis and vertical extent (m) over all frames, arrows included.
    fn extents(&self, view: View) -> (f64, f64, f64) {
        let (mut half, mut zlo, mut zhi) = (0.3f64, 0.0f64, 1.0f64);
        for f in &self.frames {
            let uc = view.project(&f.pose.p[0]).0[0];
            let mut take = |q: [f64; 2]| {
                half = half.max((q[0] - uc).abs());
                zlo = zlo.min(q[1]);
                zhi = zhi.max(q[1]);
            };
            for (_, p) in self.prims(f, view) {
                match p {
                    Prim::Line(a, b, ..) => {
                        take(a);
                        take(b);
                    }
                    Prim::Dot(a, ..) => take(a),
                    Prim::Ring(a, r, _) => {
                        take([a[0] - r, a[1] - r]);
                        take([a[0] + r, a[1] + r]);
                    }
                    Prim::Hull(v, _) => v.into_iter().for_each(&mut take),
                }
            }
            for (a, b) in Self::arrows(f, view) {
                take(a);
                take(b);
            }
        }
        (half + 0.05, zlo - 0.03, zhi + 0.03)
    }
}

/// Layout of the strip (pixels): label column, top strip, bottom strip, row height, cell width, scale (px/m) and
/// the vertical range (m).
struct Layout {
    lw: f64,
    th: f64,
    bh: f64,
    rh: f64,
    cw: f64,
    s: f64,
    zlo: f64,
}

/// Space between the two rows (pixels).
const ROW_GAP: f64 = 12.5;
/// The tallest a row may be (mm).
const MAX_ROW_MM: f64 = 60.0;

impl StickFigure {
    fn layout(&self) -> Layout {
        let w = mm(DOUBLE_MM) as f64;
        let lw = pt(16.0);
        let th = pt(12.0);
        let bh = pt(26.0);
        let n = self.frames.len().max(1);
        let cw = (w - lw) / n as f64;
        let ext: Vec<(f64, f64, f64)> = [View::Sagittal, View::Frontal]
            .iter()
            .map(|v| self.extents(*v))
            .collect();
        let zlo = ext.iter().map(|e| e.1).fold(f64::INFINITY, f64::min);
        let zhi = ext.iter().map(|e| e.2).fold(f64::NEG_INFINITY, f64::max);
        let half = ext.iter().map(|e| e.0).fold(0.0, f64::max);
        let s = (cw / (2.0 * half)).min(mm(MAX_ROW_MM) as f64 / (zhi - zlo));
        Layout {
            lw,
            th,
            bh,
            rh: s * (zhi - zlo),
            cw,
            s,
            zlo,
        }
    }
}

impl Figure for StickFigure {
    fn size_mm(&self) -> (f64, f64) {
        let l = self.layout();
        let h = (l.th + l.bh + 2.0 * l.rh + ROW_GAP) / DPI * 25.4;
        (DOUBLE_MM, (h * 2.0).ceil() / 2.0)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let h = root.dim_in_pixel().1 as f64;
        let Layout {
            lw,
            th,
            bh,
            rh,
            cw,
            s,
            zlo,
        } = self.layout();
        let views = [View::Sagittal, View::Frontal];
        let center = |f: &Frame, v: View| v.project(&f.pose.p[0]).0[0];
        let tf = tick_font();
        let lf = label_font();
        for (r, view) in views.iter().enumerate() {
            let bottom = th + (r + 1) as f64 * rh + r as f64 * ROW_GAP;
            let label = match view {
                View::Sagittal => "sagittal (x–z)",
                View::Frontal => "frontal (y–z)",
            };
            root.draw(&Text::new(
                label,
                (pt(6.0) as i32, (bottom - rh / 2.0) as i32),
                lf.clone()
                    .transform(FontTransform::Rotate270)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(de)?;
            for (k, f) in self.frames.iter().enumerate() {
                let cx = lw + (k as f64 + 0.5) * cw;
                let uc = center(f, *view);
                let px = |q: [f64; 2]| -> (i32, i32) {
                    (
                        (cx + (q[0] - uc) * s).round() as i32,
                        (bottom - (q[1] - zlo) * s).round() as i32,
                    )
                };
                let gy = px([uc, 0.0]).1;
                root.draw(&PathElement::new(
                    vec![((cx - cw * 0.45) as i32, gy), ((cx + cw * 0.45) as i32, gy)],
                    RGBColor(150, 150, 150).stroke_width(stroke(0.6)),
                ))
                .map_err(de)?;
                for (_, p) in self.prims(f, *view) {
                    match p {
                        Prim::Line(a, b, wd, c) => root
                            .draw(&PathElement::new(vec![px(a), px(b)], c.stroke_width(wd)))
                            .map_err(de)?,
                        Prim::Dot(a, rad, c) => root
                            .draw(&Circle::new(px(a), rad.round() as i32, c.filled()))
                            .map_err(de)?,
                        Prim::Ring(a, rad, c) => root
                            .draw(&Circle::new(
                                px(a),
                                (rad * s).round() as i32,
                                c.stroke_width(stroke(1.2)),
                            ))
                            .map_err(de)?,
                        Prim::Hull(v, c) => {
                            let pts: Vec<(i32, i32)> = v.iter().map(|q| px(*q)).collect();
                            root.draw(&Polygon::new(pts.clone(), c.mix(0.3).filled())).map_err(de)?;
                            let mut closed = pts;
                            closed.push(closed[0]);
                            root.draw(&PathElement::new(closed, c.stroke_width(stroke(0.8))))
                                .map_err(de)?;
                        }
                    }
                }
                for (a, b) in Self::arrows(f, *view) {
                    draw_arrow(root, px(a), px(b))?;
                }
                if r == 0 {
                    root.draw(&Text::new(
                        format!("{:.3} s", f.t),
                        (cx as i32, (th * 0.5) as i32),
                        tf.clone().pos(Pos::new(HPos::Center, VPos::Center)),
                    ))
                    .map_err(de)?;
                }
            }
        }
        // Key: scale bar, arrow scale, sides; what the frames are (right-aligned).
        let y = (h - bh * 0.72) as i32;
        let left = Pos::new(HPos::Left, VPos::Center);
        let gap = pt(3.0);
        let mut x = lw;
        let bar = 0.5 * s;
        root.draw(&PathElement::new(
            vec![(x as i32, y), ((x + bar) as i32, y)],
            BLACK.stroke_width(stroke(1.2)),
        ))
        .map_err(de)?;
        x += bar + gap;
        root.draw(&Text::new("0.5 m", (x as i32, y), tf.clone().pos(left)))
            .map_err(de)?;
        x += text_width("0.5 m", 7.0) + 4.0 * gap;
        draw_arrow(root, (x as i32, y), ((x + pt(12.0)) as i32, y))?;
        x += pt(12.0) + gap;
        let grf_label = format!("GRF at the centre of pressure, 1 BW = {GRF_M_PER_BW} m");
        root.draw(&Text::new(grf_label.clone(), (x as i32, y), tf.clone().pos(left)))
            .map_err(de)?;
        x += text_width(&grf_label, 7.0) + 4.0 * gap;
        for (c, name) in [(RIGHT, "right"), (LEFT, "left")] {
            root.draw(&PathElement::new(
                vec![(x as i32, y), ((x + pt(10.0)) as i32, y)],
                c.stroke_width(stroke(1.6)),
            ))
            .map_err(de)?;
            x += pt(10.0) + gap;
            root.draw(&Text::new(name, (x as i32, y), tf.clone().pos(left)))
                .map_err(de)?;
            x += text_width(name, 7.0) + 3.0 * gap;
        }
        root.draw(&Text::new(
            self.what.clone(),
            (lw as i32, (h - bh * 0.25) as i32),
            tf.pos(left),
        ))
        .map_err(de)?;
        Ok(())
    }
}

fn draw_arrow<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, a: (i32, i32), b: (i32, i32)) -> Result<(), String> {
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let len = dx.hypot(dy);
    if len < 1.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / len, dy / len);
    let hl = pt(4.0).min(len * 0.6);
    let hw = hl * 0.45;
    let base = (b.0 as f64 - ux * hl, b.1 as f64 - uy * hl);
    root.draw(&PathElement::new(
        vec![a, (base.0.round() as i32, base.1.round() as i32)],
        GRF.stroke_width(stroke(1.2)),
    ))
    .map_err(de)?;
    let head = vec![
        b,
        ((base.0 - uy * hw).round() as i32, (base.1 + ux * hw).round() as i32),
        ((base.0 + uy * hw).round() as i32, (base.1 - ux * hw).round() as i32),
    ];
    root.draw(&Polygon::new(head, GRF.filled())).map_err(de)
}
