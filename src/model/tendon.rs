//! Series-elastic torque generators: a contractile element (CE) with its own angle in series with a torsional
//! tendon (the series elastic component, SEC), and the backward-Euler step of the CE state.
//!
//! Formulation (Yeadon, King & Wilson 2006; Forrester et al. 2011; the open sprint model
//! `TomRottier/SprintingModel_julia`, notes sprint-speed.md §1): the SEC torque `T = F(δ)` depends on its stretch
//! `δ` (rad); the CE makes `T = a·T0·f(θ_ce)·g(v)` with `v` its shortening velocity (rad/s); the two are equal.
//! The SEC is parametrised by its stretch at `T0`, `Δθ0`, so that its stiffness `T0/Δθ0` follows the strength
//! when it is rescaled. Optional toe region with Millard et al. 2013's shape: quadratic up to `2/3·T0`, linear
//! after, slopes continuous — then the toe ends at `0.8·Δθ0` and the linear stiffness is `5/3·T0/Δθ0`.
//!
//! **Integration.** The CE–SEC pair is stiff at low activation (time constant `a·T0·f·|g′(0)|/k`, below 1 ms
//! at `a = 0.01`: notes §1), so its state is advanced by backward Euler: with `δ₀` the stretch the joint motion
//! alone would give, solve `r(v) = a·T0·f·g(v) − F(δ₀ + h·v) = 0`. `f` is taken at the step's start (it varies
//! slowly), so `r` is non-increasing in `v` (`g′ ≤ 0`, `F′ ≥ 0`) and the root is bracketed between the velocity
//! at which the tendon goes slack (`r ≥ 0` there) and `ω_max` (`g = 0`, `r ≤ 0`): a safeguarded Newton
//! iteration (bisection whenever Newton would leave the bracket) converges deterministically. Where the CE makes
//! no torque (`a = 0` or `f = 0`) every slack stretch is a root; the iteration returns the one where the tendon
//! is just taut, so the CE follows the joint instead of leaving slack to be taken up later.

use super::generators::GroupParams;

/// The toe region ends where the torque reaches this fraction of `T0` (Millard et al. 2013).
pub const TOE_TORQUE_FRACTION: f64 = 2.0 / 3.0;

/// A torsional tendon (SEC): torque as a function of stretch, zero when slack.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tendon {
    /// Torque at the reference stretch (N·m): the generator's `T0 = S·T_iso·mass`.
    pub t0: f64,
    /// Stretch at `t0`, `Δθ0` (rad, > 0).
    pub stretch: f64,
    /// Quadratic toe region up to `2/3·t0` (Millard shape); linear from zero stretch when false.
    pub toe: bool,
}

impl Tendon {
    /// Linear stiffness (N·m/rad): `t0/Δθ0` without a toe region, `5/3·t0/Δθ0` above it with one.
    #[inline]
    pub fn k_lin(&self) -> f64 {
        if self.toe {
            5.0 / 3.0 * self.t0 / self.stretch
        } else {
            self.t0 / self.stretch
        }
    }

    /// Stretch at the end of the toe region (rad): `0.8·Δθ0` with a toe region, 0 without.
    #[inline]
    pub fn toe_end(&self) -> f64 {
        if self.toe {
            0.8 * self.stretch
        } else {
            0.0
        }
    }

    /// Torque (N·m) and stiffness `dT/dδ` (N·m/rad) at stretch `d` (rad); zero for `d ≤ 0` (slack).
    #[inline]
    pub fn torque(&self, d: f64) -> (f64, f64) {
        if d <= 0.0 {
            return (0.0, 0.0);
        }
        let k = self.k_lin();
        let dt = self.toe_end();
        if d < dt {
            // T = c·d², c·dt² = 2/3·t0 and 2·c·dt = k.
            let c = k / (2.0 * dt);
            (c * d * d, 2.0 * c * d)
        } else if self.toe {
            (TOE_TORQUE_FRACTION * self.t0 + k * (d - dt), k)
        } else {
            (k * d, k)
        }
    }

    /// Elastic energy stored at stretch `d` (J): `∫₀^d F(δ) dδ`, zero when slack.
    #[inline]
    pub fn energy(&self, d: f64) -> f64 {
        if d <= 0.0 {
            return 0.0;
        }
        let k = self.k_lin();
        let dt = self.toe_end();
        if d < dt {
            let c = k / (2.0 * dt);
            c * d * d * d / 3.0
        } else {
            let toe = if self.toe {
                let c = k / (2.0 * dt);
                c * dt * dt * dt / 3.0 + TOE_TORQUE_FRACTION * self.t0 * (d - dt)
            } else {
                0.0
            };
            toe + 0.5 * k * (d - dt) * (d - dt)
        }
    }
}

/// One backward-Euler step of a CE in series with a tendon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CeStep {
    /// CE shortening velocity over the step (rad/s; negative = lengthening).
    pub v: f64,
    /// Tendon stretch at the step's end (rad).
    pub stretch: f64,
    /// Tendon torque at the step's end (N·m, ≥ 0).
    pub torque: f64,
    /// Stiffness the joint sees through the pair over one step (N·m/rad): the tendon's `F′` in series with the
    /// CE's discrete stiffness `a·T0·f·|g′|/h`.
    pub k_series: f64,
}

/// Solves the backward-Euler step: `a·t0·f·g(v) = F(d0 + h·v)`, with `f = f(theta_ce)` the CE's torque–angle
/// factor at the step's start, `d0` the stretch before the CE moves (rad), `h` the step (s).
pub fn ce_step(params: &GroupParams, t0: f64, tendon: &Tendon, a: f64, theta_ce: f64, d0: f64, h: f64) -> CeStep {
    let af = a * t0 * params.f_angle(theta_ce);
    let resid = |v: f64| {
        let (g, dg) = params.g_velocity(v);
        let (ft, kt) = tendon.torque(d0 + h * v);
        (af * g - ft, af * dg - h * kt)
    };
    let mut hi = params.omega_max;
    // At v = −d0/h the tendon is slack: r ≥ 0.
    let mut lo = (-d0 / h).min(hi);
    let mut v = 0.0f64.clamp(lo, hi);
    let tol = 1e-12 * params.omega_max;
    for _ in 0..200 {
        if hi - lo <= tol {
            // Converged by bracketing: `lo` is on the taut-or-slack side (r ≥ 0), exactly at a flat root set's end.
            v = lo;
            break;
        }
        let (r, dr) = resid(v);
        if r >= 0.0 {
            lo = v;
        } else {
            hi = v;
        }
        let newton = if dr < 0.0 { v - r / dr } else { f64::NAN };
        let next = if newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        let done = (next - v).abs() <= tol && dr < 0.0;
        v = next;
        if done {
            break;
        }
    }
    let stretch = d0 + h * v;
    let (torque, kt) = tendon.torque(stretch);
    let (_, dg) = params.g_velocity(v);
    let c = -af * dg;
    let k_series = if kt > 0.0 && c > 0.0 {
        kt * (c / h) / (kt + c / h)
    } else {
        0.0
    };
    CeStep {
        v,
        stretch,
        torque,
        k_series,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::generators::GeneratorTable;

    fn ankle() -> GroupParams {
        GeneratorTable::priors().groups["ankle_pf"].clone()
    }

    #[test]
    fn tendon_torque_reaches_t0_at_its_reference_stretch_with_and_without_toe() {
        for toe in [false, true] {
            let t = Tendon {
                t0: 180.0,
                stretch: 0.4,
                toe,
            };
            assert!((t.torque(0.4).0 - 180.0).abs() < 1e-9, "{toe}");
            assert_eq!(t.torque(-0.1), (0.0, 0.0));
            // Slope continuous at the toe end.
            let e = t.toe_end();
            if toe {
                let (a, b) = (t.torque(e - 1e-9), t.torque(e + 1e-9));
                assert!((a.0 - 120.0).abs() < 1e-5 && (a.1 - b.1).abs() < 1e-3, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn tendon_energy_is_the_integral_of_its_torque_curve() {
        for toe in [false, true] {
            let t = Tendon {
                t0: 200.0,
                stretch: 0.3,
                toe,
            };
            for d in [0.05, 0.2, 0.24, 0.3, 0.45] {
                // Simpson on a fine grid, split at the toe end (the curve is piecewise polynomial of degree ≤ 2).
                let n = 2000;
                let mut quad = 0.0;
                let cuts = if toe && d > t.toe_end() {
                    vec![0.0, t.toe_end(), d]
                } else {
                    vec![0.0, d]
                };
                for w in cuts.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    let hh = (b - a) / n as f64;
                    let mut s = t.torque(a).0 + t.torque(b).0;
                    for i in 1..n {
                        s += t.torque(a + i as f64 * hh).0 * if i % 2 == 1 { 4.0 } else { 2.0 };
                    }
                    quad += s * hh / 3.0;
                }
                assert!((t.energy(d) - quad).abs() < 1e-9 * quad.max(1.0), "{toe} {d}");
            }
        }
    }

    #[test]
    fn ce_step_balances_ce_and_tendon_torque() {
        let p = ankle();
        let t = Tendon {
            t0: 190.0,
            stretch: 0.4,
            toe: true,
        };
        for (a, d0) in [
            (1.0, 0.0),
            (1.0, 0.5),
            (0.3, 0.2),
            (0.01, 0.1),
            (1.0, -0.2),
            (0.5, 0.39),
        ] {
            let s = ce_step(&p, 190.0, &t, a, p.peak_angle, d0, 1e-3);
            let ce = a * 190.0 * p.f_angle(p.peak_angle) * p.g_velocity(s.v).0;
            assert!(
                (ce - s.torque).abs() < 1e-6 * 190.0,
                "a {a} d0 {d0}: CE {ce} SEC {}",
                s.torque
            );
            assert!((s.stretch - (d0 + 1e-3 * s.v)).abs() < 1e-15);
        }
    }

    #[test]
    fn an_unactivated_ce_keeps_its_tendon_just_taut() {
        let p = ankle();
        let t = Tendon {
            t0: 190.0,
            stretch: 0.4,
            toe: false,
        };
        // The joint moved so the tendon would be 0.01 rad slack, and stretched by 0.01 rad: with a = 0 the
        // CE takes up the slack / yields, leaving zero stretch and zero torque.
        for d0 in [-0.01, 0.01] {
            let s = ce_step(&p, 190.0, &t, 0.0, 0.3, d0, 1e-3);
            assert!(s.stretch.abs() < 1e-9, "{d0}: {}", s.stretch);
            // Zero up to the rounding of d0 + h·(−d0/h).
            assert!(s.torque < 1e-9, "{}", s.torque);
            assert_eq!(s.k_series, 0.0);
        }
    }

    #[test]
    fn series_stiffness_matches_the_step_response_to_a_joint_displacement() {
        let p = ankle();
        let t = Tendon {
            t0: 190.0,
            stretch: 0.4,
            toe: true,
        };
        let h = 1e-3;
        for (a, d0) in [(1.0, 0.35), (0.4, 0.1), (0.05, 0.02)] {
            let s = ce_step(&p, 190.0, &t, a, 0.4, d0, h);
            let e = 1e-7;
            let s2 = ce_step(&p, 190.0, &t, a, 0.4, d0 + e, h);
            let fd = (s2.torque - s.torque) / e;
            assert!(
                (fd - s.k_series).abs() < 1e-4 * s.k_series.max(1.0),
                "a {a}: fd {fd} k {}",
                s.k_series
            );
        }
    }
}
