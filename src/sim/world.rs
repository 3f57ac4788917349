//! Building the rapier multibody from a [`Model`].
//!
//! One `MultibodyJointSet` articulation, f64. The root (pelvis) gets rapier's free 6-DOF joint; every hinge DOF
//! is a revolute multibody joint, and multi-DOF joints are hinge chains through tiny collider-less gimbal bodies
//! (rapier panics on a 2-angular-DOF multibody joint, and the chain reproduces the peer spec's Euler-chain
//! coordinates exactly, so each anatomical DOF is one multibody DOF with its own implicit damping).
//! No colliders by default: foot–ground contact is sprintlab's own compliant model, so there is no
//! self-collision either. With `[contact] model = "rapier"`, [`build_rapier_contact`] adds mass-less cuboid
//! colliders on the feet and a ground half-space, in collision groups that only let feet meet the ground.

use rapier3d_f64::math::{Real, Vector};
use rapier3d_f64::prelude::*;

use crate::model::file::GeomSpec;
use crate::model::Model;

/// Mass of a gimbal body (kg): negligible next to any segment (the whole body gains 8e-6 kg).
pub const GIMBAL_MASS: Real = 1e-6;
/// Principal inertia of a gimbal body (kg·m²).
pub const GIMBAL_INERTIA: Real = 1e-9;

/// How a model maps onto rapier handles and multibody indices. Deterministic for a given model.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Rigid body of each segment.
    pub segment_body: Vec<RigidBodyHandle>,
    /// Multibody link id of each segment.
    pub segment_link: Vec<usize>,
    /// Per DOF: the hinge's child body, its parent body, its link id and its index in the generalized vectors.
    pub dof: Vec<DofLink>,
    /// Every body of the articulation (segments and gimbals), insertion order.
    pub all_bodies: Vec<RigidBodyHandle>,
    /// The multibody.
    pub multibody: MultibodyIndex,
    /// Root COM in the root segment frame (m): the root body's frame sits at its COM (a free root whose frame
    /// is not at its COM drifts by `R(t)·c − c` in rapier; see notes), so segment-frame points of the root are
    /// shifted by `−c` in body coordinates.
    pub root_offset: Vector,
    /// rapier's contacts (`[contact] model = "rapier"` with a ground): the colliders; `None` otherwise.
    pub rapier_contact: Option<RapierContact>,
}

/// Colliders of the rapier contact model.
#[derive(Debug, Clone)]
pub struct RapierContact {
    /// Colliders of each foot, in [`Model::feet`] order.
    pub feet: Vec<Vec<ColliderHandle>>,
    /// The ground half-space (top at z = 0).
    pub ground: ColliderHandle,
    /// Lowest-point candidates of the foot colliders: (segment, point in the segment's *body* frame, radius) —
    /// box corners (radius 0) and sphere centres. Used to place the body on the ground.
    pub support: Vec<(usize, Vector, Real)>,
}

/// Foot colliders: members of group 1, interacting with group 2 only (so never with each other).
pub const FOOT_GROUPS: InteractionGroups =
    InteractionGroups::new(Group::GROUP_1, Group::GROUP_2, InteractionTestMode::And);
/// The ground: member of group 2, interacting with group 1 only.
pub const GROUND_GROUPS: InteractionGroups =
    InteractionGroups::new(Group::GROUP_2, Group::GROUP_1, InteractionTestMode::And);

impl Layout {
    /// World position of a point given in a segment's frame (the root body frame is shifted to its COM).
    pub fn point_world(&self, mb: &Multibody, seg: usize, p: [f64; 3]) -> Vector {
        let mut c = Vector::new(p[0], p[1], p[2]);
        if seg == 0 {
            c -= self.root_offset;
        }
        mb.link(self.segment_link[seg])
            .expect("link")
            .local_to_world()
            .transform_point(c)
    }
}

/// Where one hinge DOF lives in the multibody.
#[derive(Debug, Clone, Copy)]
pub struct DofLink {
    /// Body on the child side of the hinge.
    pub child: RigidBodyHandle,
    /// Body on the parent side of the hinge.
    pub parent: RigidBodyHandle,
    /// Multibody link id of the child body.
    pub link: usize,
    /// Index in the generalized coordinate/velocity vectors.
    pub assembly: usize,
    /// Hinge axis in the child body frame.
    pub axis: Vector,
}

/// The rapier sets that make up a simulation state.
#[derive(Clone)]
pub struct Sets {
    /// Rigid bodies (segments and gimbals).
    pub bodies: RigidBodySet,
    /// Colliders: none with the compliant contact; foot cuboids and the ground with rapier's contacts.
    pub colliders: ColliderSet,
    /// Impulse joints (none).
    pub impulse_joints: ImpulseJointSet,
    /// The articulation.
    pub multibody_joints: MultibodyJointSet,
    /// Island manager.
    pub islands: IslandManager,
    /// Soft bodies (none; required by the 0.36 step signature).
    pub soft_bodies: SoftBodySet,
}

fn v(a: [f64; 3]) -> Vector {
    Vector::new(a[0], a[1], a[2])
}

/// Builds the articulation in the model's standing pose (all angles 0), then applies the initial angles.
pub fn build(model: &Model) -> (Sets, Layout) {
    let mut bodies = RigidBodySet::new();
    let mut mbs = MultibodyJointSet::new();
    let n = model.segments.len();
    let mut segment_body = Vec::with_capacity(n);
    let mut origin_world: Vec<Vector> = Vec::with_capacity(n);
    let mut dof_links: Vec<Option<(RigidBodyHandle, RigidBodyHandle, Vector)>> = vec![None; model.dofs.len()];
    let mut all_bodies = Vec::new();
    let root_offset = v(model.segments[0].com);

    for s in model.segments.iter() {
        let anchor = v(s.anchor);
        let origin = match s.parent {
            None => anchor,
            Some(p) => origin_world[p] + anchor,
        };
        origin_world.push(origin);
        let (body_pos, local_com) = if s.parent.is_none() {
            (origin + root_offset, Vector::ZERO)
        } else {
            (origin, v(s.com))
        };
        let mp = MassProperties::new(local_com, s.mass, v(s.inertia));
        let seg = bodies.insert(
            RigidBodyBuilder::dynamic()
                .translation(body_pos)
                .additional_mass_properties(mp)
                .angular_damping(0.0)
                .linear_damping(0.0)
                .can_sleep(false),
        );
        match s.parent {
            None => {
                all_bodies.push(seg);
            }
            Some(p) => {
                // Anchor in the parent *body* frame (the root body frame is shifted to its COM).
                let mut a1 = if model.segments[p].parent.is_none() {
                    anchor - root_offset
                } else {
                    anchor
                };
                let mut prev = segment_body[p];
                let chain = &s.dofs;
                for (k, &d) in chain.iter().enumerate() {
                    let child = if k + 1 == chain.len() {
                        seg
                    } else {
                        let g = bodies.insert(
                            RigidBodyBuilder::dynamic()
                                .translation(origin)
                                .additional_mass_properties(MassProperties::new(
                                    Vector::ZERO,
                                    GIMBAL_MASS,
                                    Vector::splat(GIMBAL_INERTIA),
                                ))
                                .angular_damping(0.0)
                                .linear_damping(0.0)
                                .can_sleep(false),
                        );
                        all_bodies.push(g);
                        g
                    };
                    let axis = v(model.dofs[d].axis);
                    let joint = RevoluteJointBuilder::new(axis)
                        .local_anchor1(a1)
                        .local_anchor2(Vector::ZERO)
                        .contacts_enabled(false);
                    mbs.insert(prev, child, joint, true).expect("the model is a tree");
                    dof_links[d] = Some((child, prev, axis));
                    a1 = Vector::ZERO;
                    prev = child;
                }
                all_bodies.push(seg);
            }
        }
        segment_body.push(seg);
    }
    for h in &all_bodies {
        // Mass properties from `additional_mass_properties` are only applied at the first step otherwise.
        let colliders = ColliderSet::new();
        bodies[*h].recompute_mass_properties_from_colliders(&colliders);
    }
    let root_link = *mbs.rigid_body_link(segment_body[0]).expect("root is in the multibody");
    let mb_index = root_link.multibody;
    {
        let mb = mbs.get_multibody_mut(mb_index).expect("multibody");
        mb.set_self_contacts_enabled(false);
        mb.forward_kinematics(&bodies, true);
    }
    let link_of = |h: RigidBodyHandle| mbs.rigid_body_link(h).expect("link").id;
    let segment_link: Vec<usize> = segment_body.iter().map(|&h| link_of(h)).collect();
    let mb = mbs.get_multibody(mb_index).expect("multibody");
    let dof: Vec<DofLink> = dof_links
        .iter()
        .map(|x| {
            let (child, parent, axis) = x.expect("every DOF has a hinge");
            let link = link_of(child);
            DofLink {
                child,
                parent,
                link,
                assembly: mb.link(link).expect("link").assembly_id(),
                axis,
            }
        })
        .collect();
    let mut sets = Sets {
        bodies,
        colliders: ColliderSet::new(),
        impulse_joints: ImpulseJointSet::new(),
        multibody_joints: mbs,
        islands: IslandManager::new(),
        soft_bodies: SoftBodySet::new(),
    };
    let layout = Layout {
        segment_body,
        segment_link,
        dof,
        all_bodies,
        multibody: mb_index,
        root_offset,
        rapier_contact: None,
    };
    // Initial joint angles through the generalized coordinates (link poses derive from them).
    let mb = sets.multibody_joints.get_multibody_mut(mb_index).expect("multibody");
    let mut disp = vec![0.0; mb.ndofs()];
    for (i, d) in model.dofs.iter().enumerate() {
        disp[layout.dof[i].assembly] = d.initial_angle;
    }
    mb.apply_displacements(&disp);
    mb.damping_mut().fill(0.0);
    mb.forward_kinematics(&sets.bodies, false);
    mb.update_rigid_bodies(&mut sets.bodies, true);
    // Factorise the mass matrix once so the contact solve has A⁻¹ before the first step.
    let _ = mb.dof_inverse_inertia(&sets.bodies);
    (sets, layout)
}

/// Adds rapier's foot–ground contact: every `box` geom of every foot segment ([`Model::feet`]) becomes a cuboid
/// collider on that foot's body (a foot without a box gets ball colliders at its contact spheres), and a fixed
/// half-space with its top at z = 0 is the ground. The colliders carry no mass (density 0: the mass properties
/// come from `additional_mass_properties`), friction `contact.friction` (same on both sides, so the combined
/// coefficient is exactly it) and restitution 0; collision groups let feet meet only the ground.
pub fn build_rapier_contact(model: &Model, layout: &mut Layout, sets: &mut Sets) {
    let mu = model.contact.friction;
    let mut feet = Vec::with_capacity(model.feet.len());
    let mut support = Vec::new();
    for &seg in &model.feet {
        let body = layout.segment_body[seg];
        // Segment-frame points in body coordinates (only the root body frame is shifted).
        let off = if seg == 0 { -layout.root_offset } else { Vector::ZERO };
        let mut builders = Vec::new();
        for g in &model.segments[seg].geoms {
            if let GeomSpec::Box { center, half_extents } = g {
                let c = v(*center) + off;
                let h = v(*half_extents);
                builders.push(ColliderBuilder::cuboid(h.x, h.y, h.z).translation(c));
                for sx in [-1.0, 1.0] {
                    for sy in [-1.0, 1.0] {
                        for sz in [-1.0, 1.0] {
                            support.push((seg, c + Vector::new(sx * h.x, sy * h.y, sz * h.z), 0.0));
                        }
                    }
                }
            }
        }
        if builders.is_empty() {
            for sp in model.spheres.iter().filter(|sp| sp.segment == seg) {
                let c = v(sp.center) + off;
                builders.push(ColliderBuilder::ball(sp.radius).translation(c));
                support.push((seg, c, sp.radius));
            }
        }
        let handles = builders
            .into_iter()
            .map(|b| {
                let col = b
                    .density(0.0)
                    .friction(mu)
                    .restitution(0.0)
                    .collision_groups(FOOT_GROUPS)
                    .build();
                sets.colliders.insert_with_parent(col, body, &mut sets.bodies)
            })
            .collect();
        feet.push(handles);
    }
    let ground = sets.colliders.insert(
        ColliderBuilder::halfspace(rapier3d_f64::na::Unit::new_unchecked(Vector::Z))
            .friction(mu)
            .restitution(0.0)
            .collision_groups(GROUND_GROUPS)
            .build(),
    );
    // Zero-density colliders leave the mass properties as they were; recompute now so nothing changes at the
    // first step either.
    for h in &layout.all_bodies {
        sets.bodies[*h].recompute_mass_properties_from_colliders(&sets.colliders);
    }
    layout.rapier_contact = Some(RapierContact { feet, ground, support });
}
