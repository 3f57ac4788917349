#!/usr/bin/env python3
"""Checks sprintlab's OpenSim export with OpenSim itself (PyPI `opensim==4.6`).

Usage: python3 check_export.py RUN_DIR

1. `opensim.TimeSeriesTable` and `opensim.Storage` load `kinematics.mot` and `grf.sto`: column labels, row counts,
   `inDegrees`, and values equal to the ones in `timeseries.csv` (degrees, frame change).
2. The pelvis convention: a y-up OpenSim model whose pelvis joint is a CustomJoint Rz(pelvis_tilt)·Rx(pelvis_list)·
   Ry(pelvis_rotation) + translations, driven by the .mot coordinates, puts the pelvis where timeseries.csv says
   (origin and orientation, mapped to X = x, Y = z, Z = -y).
Prints one line per check; exits non-zero on the first failure.
"""
import csv
import math
import os
import sys

import numpy as np
import opensim as osim

run = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(run, "timeseries.csv"))))
n = len(rows)

# 1. Tables.
kin = osim.TimeSeriesTable(os.path.join(run, "kinematics.mot"))
labels = list(kin.getColumnLabels())
assert kin.getNumRows() == n, (kin.getNumRows(), n)
assert labels[:6] == ["pelvis_tilt", "pelvis_list", "pelvis_rotation", "pelvis_tx", "pelvis_ty", "pelvis_tz"], labels
assert "hip_flex_r" in labels and "knee_r" in labels, labels
assert kin.getTableMetaDataAsString("inDegrees") == "yes"
k = n // 2
times = kin.getIndependentColumn()
assert abs(times[k] - float(rows[k]["t"])) == 0.0, (times[k], rows[k]["t"])
for dof in ("hip_flex_r", "knee_r", "ankle_l", "lumbar_flex"):
    got = kin.getDependentColumn(dof)[k]
    want = math.degrees(float(rows[k][dof]))
    assert abs(got - want) <= 1e-12 * max(1.0, abs(want)), (dof, got, want)
assert abs(kin.getDependentColumn("pelvis_ty")[k] - float(rows[k]["pelvis_z"])) < 1e-15
assert abs(kin.getDependentColumn("pelvis_tz")[k] + float(rows[k]["pelvis_y"])) < 1e-15
print(f"kinematics.mot: {kin.getNumRows()} rows, {len(labels)} coordinates, values match timeseries.csv (row {k})")

sto = osim.Storage(os.path.join(run, "kinematics.mot"))
assert sto.getSize() == n and sto.isInDegrees()
print(f"kinematics.mot via Storage: {sto.getSize()} rows, inDegrees")

grf = osim.TimeSeriesTable(os.path.join(run, "grf.sto"))
glabels = list(grf.getColumnLabels())
assert grf.getNumRows() == n
for foot in ("foot_r", "foot_l"):
    for s in ("force_vx", "force_vy", "force_vz", "force_px", "force_py", "force_pz", "torque_x", "torque_y", "torque_z"):
        assert f"{foot}_{s}" in glabels, (foot, s, glabels)
fz = [float(r["grf_foot_r_z"]) for r in rows]
kmax = max(range(n), key=lambda i: fz[i])
assert grf.getDependentColumn("foot_r_force_vy")[kmax] == fz[kmax], "vertical force = OpenSim Y"
assert grf.getDependentColumn("foot_r_force_px")[kmax] == float(rows[kmax]["cop_foot_r_x"])
assert grf.getDependentColumn("foot_r_force_pz")[kmax] == -float(rows[kmax]["cop_foot_r_y"])
print(f"grf.sto: {grf.getNumRows()} rows, {len(glabels)} columns, peak foot_r_force_vy {fz[kmax]:.1f} N matches")

# 2. Pelvis convention in a y-up OpenSim model.
model = osim.Model()
model.setGravity(osim.Vec3(0, -9.81, 0))
body = osim.Body("pelvis", 8.0, osim.Vec3(0), osim.Inertia(0.1, 0.1, 0.1, 0, 0, 0))
model.addBody(body)
st = osim.SpatialTransform()
axes = [("pelvis_tilt", (0, 0, 1)), ("pelvis_list", (1, 0, 0)), ("pelvis_rotation", (0, 1, 0)),
        ("pelvis_tx", (1, 0, 0)), ("pelvis_ty", (0, 1, 0)), ("pelvis_tz", (0, 0, 1))]
for i, (name, ax) in enumerate(axes):
    ta = st.updTransformAxis(i)
    names = osim.ArrayStr()
    names.append(name)
    ta.setCoordinateNames(names)
    ta.setAxis(osim.Vec3(*ax))
    f = osim.LinearFunction(1.0, 0.0)
    ta.setFunction(f)
    f.thisown = False  # owned by the TransformAxis (else OpenSim frees it twice)
joint = osim.CustomJoint("ground_pelvis", model.getGround(), osim.Vec3(0), osim.Vec3(0), body, osim.Vec3(0),
                         osim.Vec3(0), st)
model.addJoint(joint)
state = model.initSystem()
cs = model.getCoordinateSet()
M = np.array([[1, 0, 0], [0, 0, 1], [0, -1, 0]], dtype=float)


def quat(r):
    w, x, y, z = (float(r[c]) for c in ("pelvis_qw", "pelvis_qx", "pelvis_qy", "pelvis_qz"))
    nq = math.sqrt(w * w + x * x + y * y + z * z)
    w, x, y, z = w / nq, x / nq, y / nq, z / nq
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


worst_r = worst_p = 0.0
for i in sorted(set([0, n // 4, n // 2, 3 * n // 4, n - 1])):
    for name, _ in axes:
        v = kin.getDependentColumn(name)[i]
        cs.get(name).setValue(state, math.radians(v) if name in ("pelvis_tilt", "pelvis_list", "pelvis_rotation")
                              else v, False)
    model.realizePosition(state)
    R = body.getTransformInGround(state).R()
    R = np.array([[R.get(a, b) for b in range(3)] for a in range(3)])
    p = body.getPositionInGround(state)
    p = np.array([p.get(0), p.get(1), p.get(2)])
    r = rows[i]
    want_R = M @ quat(r) @ M.T
    want_p = np.array([float(r["pelvis_x"]), float(r["pelvis_z"]), -float(r["pelvis_y"])])
    worst_r = max(worst_r, float(np.max(np.abs(R - want_R))))
    worst_p = max(worst_p, float(np.max(np.abs(p - want_p))))
assert worst_r < 1e-9 and worst_p < 1e-12, (worst_r, worst_p)
print(f"pelvis convention: OpenSim CustomJoint pose matches timeseries.csv (rotation {worst_r:.1e}, origin {worst_p:.1e})")
print("opensim check ok")
