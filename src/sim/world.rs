//! Building the rapier multibody from a [`Model`].
//!
//! One `MultibodyJointSet` articulation, f64. The root (pelvis) gets rapier's free 6-DOF joint; every hinge DOF
//! is a revolute multibody joint, and multi-DOF joints are hinge chains through tiny collider-less gimbal bodies
//! (rapier panics on a 2-angular-DOF multibody joint, and the chain reproduces the peer spec's Euler-chain
//! coordinates exactly, so each anatomical DOF is one multibody DOF with its own implicit damping).
//! No colliders: foot–ground contact is sprintlab's own compliant model, so there is no self-collision either.

use rapier3d_f64::math::{Real, Vector};
use rapier3d_f64::prelude::*;

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
    /// Colliders (none: contact is ours).
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
