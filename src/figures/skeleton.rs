//! The drawable body: segment geometry from `model.json` (capsules, balls, the foot box) in each segment's frame,
//! and segment poses (frame origin and orientation) from `timeseries.csv`'s `seg_<segment>_*` columns. Shared by
//! the stick-figure strip and the stride viewer.

use super::data::Side;
use crate::error::Error;
use crate::export::Table;
use crate::model::file::{GeomSpec, ModelFile};
use crate::sim::columns;

/// A line of a segment (segment frame, m): a capsule's axis, or a link from the segment's long axis to a child's
/// joint centre (hip line, shoulder girdle).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Start (m, segment frame).
    pub p0: [f64; 3],
    /// End (m, segment frame).
    pub p1: [f64; 3],
    /// Capsule radius (m); 0 for links.
    pub radius: f64,
}

/// A ball (a capsule shorter than its radius, e.g. the head), segment frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Ball {
    /// Centre (m).
    pub c: [f64; 3],
    /// Radius (m).
    pub r: f64,
}

/// A box (the foot), segment frame.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxGeom {
    /// Centre (m).
    pub c: [f64; 3],
    /// Half extents (m).
    pub h: [f64; 3],
}

impl BoxGeom {
    /// The eight corners (segment frame).
    pub fn corners(&self) -> [[f64; 3]; 8] {
        let mut out = [[0.0; 3]; 8];
        for (k, o) in out.iter_mut().enumerate() {
            for (a, v) in o.iter_mut().enumerate() {
                let s = if k >> a & 1 == 1 { 1.0 } else { -1.0 };
                *v = self.c[a] + s * self.h[a];
            }
        }
        out
    }
}

/// One segment's drawable geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct SegGeom {
    /// Segment name.
    pub name: String,
    /// Body side.
    pub side: Side,
    /// Lines.
    pub lines: Vec<Line>,
    /// Balls.
    pub balls: Vec<Ball>,
    /// Boxes.
    pub boxes: Vec<BoxGeom>,
}

/// The whole body's geometry, segments in model order.
#[derive(Debug, Clone, PartialEq)]
pub struct Skeleton {
    /// Segments.
    pub segments: Vec<SegGeom>,
}

impl Skeleton {
    /// Geometry from a model file: every capsule (a capsule shorter than its radius becomes a ball), box and
    /// sphere, and for each child joint off the parent's long axis a link line from the axis to the joint centre.
    pub fn from_model(model: &ModelFile) -> Self {
        let mut segments: Vec<SegGeom> = model
            .segments
            .iter()
            .map(|s| {
                let mut g = SegGeom {
                    name: s.name.clone(),
                    side: Side::of(&s.name),
                    lines: Vec::new(),
                    balls: Vec::new(),
                    boxes: Vec::new(),
                };
                for geom in &s.geoms {
                    match geom {
                        GeomSpec::Capsule { p0, p1, radius } => {
                            let len = dist(p0, p1);
                            if len < *radius {
                                g.balls.push(Ball {
                                    c: mid(p0, p1),
                                    r: radius + len / 2.0,
                                });
                            } else {
                                g.lines.push(Line {
                                    p0: *p0,
                                    p1: *p1,
                                    radius: *radius,
                                });
                            }
                        }
                        GeomSpec::Box { center, half_extents } => g.boxes.push(BoxGeom {
                            c: *center,
                            h: *half_extents,
                        }),
                        GeomSpec::Sphere { center, radius } => g.balls.push(Ball { c: *center, r: *radius }),
                    }
                }
                g
            })
            .collect();
        for s in &model.segments {
            let Some(parent) = &s.parent else { continue };
            let Some(pi) = model.segments.iter().position(|p| &p.name == parent) else {
                continue;
            };
            let a = s.joint.anchor_in_parent;
            if a[0].hypot(a[1]) > 1e-6 {
                segments[pi].lines.push(Line {
                    p0: [0.0, 0.0, a[2]],
                    p1: a,
                    radius: 0.0,
                });
            }
        }
        Self { segments }
    }
}

fn dist(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

fn mid(a: &[f64; 3], b: &[f64; 3]) -> [f64; 3] {
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0, (a[2] + b[2]) / 2.0]
}

/// Segment poses at one instant: frame origin (m) and segment-to-world quaternion (w, x, y, z), model order.
#[derive(Debug, Clone, PartialEq)]
pub struct Pose {
    /// Frame origins (world, m).
    pub p: Vec<[f64; 3]>,
    /// Unit quaternions (w, x, y, z).
    pub q: Vec<[f64; 4]>,
}

impl Pose {
    /// A point given in segment `seg`'s frame, in world coordinates.
    pub fn world(&self, seg: usize, v: &[f64; 3]) -> [f64; 3] {
        let r = rotate(&self.q[seg], v);
        [self.p[seg][0] + r[0], self.p[seg][1] + r[1], self.p[seg][2] + r[2]]
    }
}

/// Rotates `v` by the unit quaternion `q` (w, x, y, z); `q` is normalised first (nalgebra's rotation; the
/// figures are drawn, not fed back into the physics, so its summation order is free to differ from the
/// controller's `control::sprint::rotate`).
pub fn rotate(q: &[f64; 4], v: &[f64; 3]) -> [f64; 3] {
    use nalgebra::{Quaternion, UnitQuaternion, Vector3};
    let q = Quaternion::new(q[0], q[1], q[2], q[3]);
    if q.norm() == 0.0 {
        return *v;
    }
    let r = UnitQuaternion::from_quaternion(q) * Vector3::new(v[0], v[1], v[2]);
    [r.x, r.y, r.z]
}

/// The `seg_<segment>_{x,y,z,qw,qx,qy,qz}` columns of a timeseries, per segment of a skeleton.
pub struct PoseColumns<'a> {
    cols: Vec<[&'a [f64]; 7]>,
}

impl<'a> PoseColumns<'a> {
    /// Finds the columns (a data error naming the file and the first missing column otherwise).
    pub fn new(ts: &'a Table, skel: &Skeleton) -> Result<Self, Error> {
        let mut cols = Vec::new();
        for s in &skel.segments {
            let mut c: [&[f64]; 7] = [&[]; 7];
            for (k, col) in c.iter_mut().enumerate() {
                *col = ts.col(&columns::segment_pose(&s.name, k))?;
            }
            cols.push(c);
        }
        Ok(Self { cols })
    }

    /// The pose at a row.
    pub fn at(&self, row: usize) -> Pose {
        Pose {
            p: self.cols.iter().map(|c| [c[0][row], c[1][row], c[2][row]]).collect(),
            q: self
                .cols
                .iter()
                .map(|c| [c[3][row], c[4][row], c[5][row], c[6][row]])
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quaternion_rotation_matches_axis_angle() {
        // 90° about z: x → y.
        let h = std::f64::consts::FRAC_1_SQRT_2;
        let r = rotate(&[h, 0.0, 0.0, h], &[1.0, 0.0, 0.0]);
        assert!((r[0]).abs() < 1e-15 && (r[1] - 1.0).abs() < 1e-15 && r[2].abs() < 1e-15);
        // 90° about y: z → x.
        let r = rotate(&[h, 0.0, h, 0.0], &[0.0, 0.0, 1.0]);
        assert!((r[0] - 1.0).abs() < 1e-15 && r[2].abs() < 1e-15);
    }

    #[test]
    fn box_corners_span_the_box() {
        let b = BoxGeom {
            c: [1.0, 0.0, 0.0],
            h: [0.5, 0.25, 0.1],
        };
        let c = b.corners();
        assert_eq!(c[0], [0.5, -0.25, -0.1]);
        assert_eq!(c[7], [1.5, 0.25, 0.1]);
    }
}
