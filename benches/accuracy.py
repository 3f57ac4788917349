#!/usr/bin/env python3
"""Cost at equal accuracy (issue 14, item 3): error against converged references at dt = 0.5, 1, 2, 4 ms.

  * zero-g whirl (scenarios/zero_g_verification.toml) against data/shared/peers/zero_g_reference.csv
    (MuJoCo RK4 at 0.1 ms, OpenSim-confirmed): max |joint angle error| over t <= 0.2 s and over 0.5 s; MuJoCo's
    Euler and implicitfast on the same case at the same dt (needs `mujoco` 4.0.0, e.g. PYTHON=/work/venv-mujoco);
  * free fall (the zero-g case with gravity): max |COM height - (z0 - g t^2/2)| over 0.5 s;
  * the shipped 6 s sprint (scenarios/sprint.toml): stride metrics of steps.csv (mean over the steps) against the
    same sprint at dt = 0.1 ms.

Cost per simulated second: CPU time (user + sys) of `sprintlab simulate` for the run minus that of the same
scenario cut to 0.02 s (start-up, model compilation, run folder), divided by the simulated time; median of REPS.
MuJoCo's: the time of its mj_step calls (C loop). Prints a Markdown table and writes JSON to --json.

  python3 benches/accuracy.py [--bin target/release/sprintlab] [--reps 3] [--json out.json]
"""
import argparse
import csv
import json
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "data", "shared", "peers")
DTS = [0.0005, 0.001, 0.002, 0.004]
DOFS = ["hip_flex_r", "hip_add_r", "hip_rot_r", "knee_r", "ankle_r", "hip_flex_l", "hip_add_l", "hip_rot_l",
        "knee_l", "ankle_l", "lumbar_flex", "lumbar_bend", "lumbar_rot", "shoulder_flex_r", "shoulder_abd_r",
        "elbow_r", "shoulder_flex_l", "shoulder_abd_l", "elbow_l"]
TORQUES = {"hip_flex_r": 20.0, "hip_flex_l": -20.0, "shoulder_flex_r": -5.0, "lumbar_rot": 3.0}
# Stride metrics compared (steps.csv columns), as means over the run's steps.
STRIDE = ["contact_time", "flight_time", "step_length", "step_frequency", "speed", "peak_vertical_grf_bw",
          "mean_vertical_grf_bw", "propulsive_impulse", "braking_impulse", "com_vertical_excursion"]


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def set_key(text, section, key, value):
    """Sets `key = value` in [section] of a scenario (adds the line or the section if missing)."""
    lines = text.splitlines()
    out, cur, done = [], None, False
    for i, l in enumerate(lines):
        m = re.match(r"^\[([^\]]+)\]", l)
        if m:
            if cur == section and not done:
                out.append(f"{key} = {value}")
                done = True
            cur = m.group(1)
        if cur == section and re.match(rf"^{key}\s*=", l):
            out.append(f"{key} = {value}")
            done = True
            continue
        out.append(l)
    if not done:
        if cur != section:
            out.append(f"[{section}]")
        out.append(f"{key} = {value}")
    return "\n".join(out) + "\n"


def run(binary, text, scenario_dir, tmp, name):
    """Runs `sprintlab simulate` on the scenario text; returns (run folder, CPU seconds of the process)."""
    sc = os.path.join(scenario_dir, f".accuracy_{name}.toml")  # relative model paths resolve from here
    with open(sc, "w") as f:
        f.write(text)
    out = os.path.join(tmp, name)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        subprocess.run([binary, "simulate", sc, "--out", out], check=True, stdout=subprocess.DEVNULL)
    finally:
        os.remove(sc)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, cpu


def cost(binary, text, scenario_dir, tmp, name, duration, reps):
    """CPU seconds per simulated second, start-up subtracted; median of `reps`."""
    short = set_key(text, "run", "duration", "0.02")
    vals = []
    for r in range(reps):
        _, c_long = run(binary, text, scenario_dir, tmp, f"{name}_cost{r}")
        _, c_short = run(binary, short, scenario_dir, tmp, f"{name}_short{r}")
        vals.append((c_long - c_short) / (duration - 0.02))
    return statistics.median(vals)


def zero_g_error(rows, ref):
    """Max |joint angle error| (rad) at the reference's sample times, for t <= 0.2 s and for the whole run."""
    by_t = {round(float(r["t"]), 6): r for r in rows}
    e02 = e05 = 0.0
    for r in ref:
        t = round(float(r["t"]), 6)
        if t not in by_t:
            continue
        e = max(abs(float(by_t[t][d]) - float(r[d])) for d in DOFS)
        e05 = max(e05, e)
        if t <= 0.2 + 1e-9:
            e02 = max(e02, e)
    return e02, e05


def sample_every(dt):
    # A multiple of dt that hits every 20 ms reference time.
    return 0.004 if dt > 0.002 else 0.002


def stride_means(path):
    rows = read_csv(path)
    finite = lambda k: [float(r[k]) for r in rows if math.isfinite(float(r[k]))]  # noqa: E731
    return {k: statistics.mean(finite(k)) for k in STRIDE}, len(rows)


def mujoco_zero_g(integrator, dt, ref):
    import mujoco
    m = mujoco.MjModel.from_xml_path(os.path.join(PEERS, "sprinter12.xml"))
    m.opt.gravity[:] = 0.0
    m.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
    m.opt.timestep = dt
    m.opt.integrator = int(getattr(mujoco.mjtIntegrator, integrator))
    d = mujoco.MjData(m)
    for name, tau in TORQUES.items():
        d.ctrl[m.actuator(name).id] = tau
    qadr = [m.jnt_qposadr[m.joint(n).id] for n in DOFS]
    per_sample = int(round(0.01 / dt)) if dt <= 0.002 else None
    rows = []
    rows.append({"t": 0.0, **{n: float(d.qpos[a]) for n, a in zip(DOFS, qadr)}})
    nsteps_total = int(round(0.5 / dt))
    k = int(round(0.02 / dt)) if per_sample is None else per_sample
    done = 0
    while done < nsteps_total:
        mujoco.mj_step(m, d, k)
        done += k
        rows.append({"t": done * dt, **{n: float(d.qpos[a]) for n, a in zip(DOFS, qadr)}})
    rows = [{kk: str(v) for kk, v in r.items()} for r in rows]
    e02, e05 = zero_g_error(rows, ref)
    # Cost: the same 0.5 s run repeated from rest (it diverges not long after 0.5 s at the larger steps), median
    # over 21 timings of the C loop, as CPU time per step divided by dt.
    times = []
    for _ in range(21):
        d2 = mujoco.MjData(m)
        d2.ctrl[:] = d.ctrl
        t0 = time.process_time()
        mujoco.mj_step(m, d2, nsteps_total)
        times.append((time.process_time() - t0) / nsteps_total)
    per_sim_s = statistics.median(times) / dt
    return e02, e05, per_sim_s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "sprintlab"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--skip-sprint", action="store_true")
    a = ap.parse_args()
    ref = read_csv(os.path.join(PEERS, "zero_g_reference.csv"))
    res = {"zero_g": [], "free_fall": [], "sprint": [], "mujoco": []}
    zg_text = open(os.path.join(ROOT, "scenarios", "zero_g_verification.toml")).read()
    sp_text = open(os.path.join(ROOT, "scenarios", "sprint.toml")).read()
    scen_dir = os.path.join(ROOT, "scenarios")
    with tempfile.TemporaryDirectory() as tmp:
        for dt in DTS:
            text = set_key(set_key(zg_text, "world", "dt", repr(dt)), "run", "sample_every", repr(sample_every(dt)))
            out, _ = run(a.bin, text, scen_dir, tmp, f"zg{dt}")
            e02, e05 = zero_g_error(read_csv(os.path.join(out, "timeseries.csv")), ref)
            c = cost(a.bin, text, scen_dir, tmp, f"zg{dt}", 0.5, a.reps)
            res["zero_g"].append({"dt": dt, "err_0_2s": e02, "err_0_5s": e05, "cpu_s_per_sim_s": c})
            print(f"zero-g dt {dt*1e3:g} ms: {e02:.3e} / {e05:.3e} rad, {c*1e3:.1f} ms CPU per simulated s",
                  file=sys.stderr)
            ff = set_key(text, "world", "gravity", "[0.0, 0.0, -9.81]")
            out, _ = run(a.bin, ff, scen_dir, tmp, f"ff{dt}")
            rows = read_csv(os.path.join(out, "timeseries.csv"))
            z0 = float(rows[0]["com_z"])
            eff = max(abs(float(r["com_z"]) - (z0 - 0.5 * 9.81 * float(r["t"]) ** 2)) for r in rows)
            res["free_fall"].append({"dt": dt, "err_m": eff})
        if not a.skip_sprint:
            base = None
            for dt in [0.0001] + DTS:
                text = set_key(set_key(sp_text, "world", "dt", repr(dt)), "run", "sample_every", "0.004")
                out, _ = run(a.bin, text, ROOT, tmp, f"sp{dt}")
                means, nsteps = stride_means(os.path.join(out, "steps.csv"))
                summary = json.load(open(os.path.join(out, "summary.json")))
                entry = {"dt": dt, "steps": nsteps, "means": means,
                         "balance_lost": summary.get("balance_lost")}
                if base is None:
                    base = entry
                else:
                    entry["rel_dev"] = {k: (means[k] - base["means"][k]) / abs(base["means"][k]) for k in STRIDE}
                    entry["max_rel_dev"] = max(abs(v) for v in entry["rel_dev"].values())
                    entry["cpu_s_per_sim_s"] = cost(a.bin, text, ROOT, tmp, f"sp{dt}", 6.0, 1)
                res["sprint"].append(entry)
                print(f"sprint dt {dt*1e3:g} ms: {nsteps} steps, max rel dev {entry.get('max_rel_dev')}",
                      file=sys.stderr)
    try:
        for integ in ["mjINT_EULER", "mjINT_IMPLICITFAST"]:
            for dt in DTS:
                e02, e05, c = mujoco_zero_g(integ, dt, ref)
                res["mujoco"].append({"integrator": integ, "dt": dt, "err_0_2s": e02, "err_0_5s": e05,
                                      "cpu_s_per_sim_s": c})
    except ImportError:
        print("mujoco not importable: MuJoCo columns left out", file=sys.stderr)
    def slope(rows):
        pts = [(r["dt"], r["err_0_2s"]) for r in rows if r["dt"] <= 0.002]
        return sum(e / dt for dt, e in pts) / len(pts)  # e ≈ a·dt: a in rad per s of step

    ours = {r["dt"]: r for r in res["zero_g"]}
    a_s = slope(res["zero_g"])
    for integ in sorted({r["integrator"] for r in res["mujoco"]}):
        rows = [r for r in res["mujoco"] if r["integrator"] == integ]
        a_m = slope(rows)
        for dt in DTS:
            target = a_s * dt  # sprintlab's error at this dt; MuJoCo's dt for the same error:
            dt_m = target / a_m
            step_m = statistics.median(r["cpu_s_per_sim_s"] * r["dt"] for r in rows)  # CPU s per step
            cost_m = step_m / dt_m
            res.setdefault("equal_error", []).append({
                "integrator": integ, "sprintlab_dt": dt, "error_0_2s": target, "mujoco_dt": dt_m,
                "sprintlab_cpu_s_per_sim_s": ours[dt]["cpu_s_per_sim_s"], "mujoco_cpu_s_per_sim_s": cost_m,
                "ratio": ours[dt]["cpu_s_per_sim_s"] / cost_m})
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
