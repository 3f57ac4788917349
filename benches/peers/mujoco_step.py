#!/usr/bin/env python3
"""Time MuJoCo's mj_step on sprinter12 (the peer body, data/shared/peers/sprinter12.xml), standing and in flight,
the same way sprintlab's `benches/step.rs` times one 1 ms step.

The standing pose is held by joint springs/dampers with the spec's standing PD gains (computed inside mj_step,
so the loop runs in C). Prints one JSON object: median microseconds per step over the repetitions.
Requires `pip install mujoco==4.0.0`.
"""
import argparse
import json
import os
import statistics
import time

import mujoco
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS = os.path.join(ROOT, "data", "shared", "peers")


def model_with_pd():
    m = mujoco.MjModel.from_xml_path(os.path.join(PEERS, "sprinter12.xml"))
    spec = json.load(open(os.path.join(PEERS, "sprinter12_spec.json")))
    gains = {d["name"]: d["pd_standing_kp_kd"] for s in spec["segments"] for d in s["joint"]["dofs"]}
    for j in range(m.njnt):
        name = m.joint(j).name
        if name in gains:
            m.jnt_stiffness[j] = gains[name][0]
            m.qpos_spring[m.jnt_qposadr[j]] = 0.0
            m.dof_damping[m.jnt_dofadr[j]] = gains[name][1]
    return m


def time_steps(m, d, state, nsteps, reps):
    kind = mujoco.mjtState.mjSTATE_INTEGRATION
    out = []
    for _ in range(reps):
        mujoco.mj_setState(m, d, state, kind)
        mujoco.mj_forward(m, d)
        t0 = time.perf_counter()
        mujoco.mj_step(m, d, nsteps)
        out.append((time.perf_counter() - t0) / nsteps * 1e6)
    return statistics.median(out), out


def snapshot(m, d):
    kind = mujoco.mjtState.mjSTATE_INTEGRATION
    st = np.empty(mujoco.mj_stateSize(m, kind))
    mujoco.mj_getState(m, d, st, kind)
    return st


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    m = model_with_pd()
    res = {"mujoco_version": mujoco.__version__}
    d = mujoco.MjData(m)
    mujoco.mj_resetDataKeyframe(m, d, m.key("stand").id)
    mujoco.mj_step(m, d, 1000)  # settle 1 s
    res["standing_us_per_step"], res["standing_reps"] = time_steps(m, d, snapshot(m, d), a.steps, a.reps)
    res["standing_ncon"] = int(d.ncon)
    d = mujoco.MjData(m)
    mujoco.mj_resetDataKeyframe(m, d, m.key("stand").id)
    d.qpos[2] = 3000.0
    mujoco.mj_forward(m, d)
    res["flight_us_per_step"], res["flight_reps"] = time_steps(m, d, snapshot(m, d), a.steps, a.reps)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
