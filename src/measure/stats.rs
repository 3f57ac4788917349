//! Small-sample statistics for seed spreads: mean, standard deviation and the 95 % confidence interval of the
//! mean from Student's t (seeds are few: 3 seeds give t = 4.30, not 1.96).

use serde::Serialize;

/// Mean, spread and 95 % confidence half-width of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// Sample size.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); NaN for n < 2.
    pub sd: f64,
    /// Half-width of the 95 % confidence interval of the mean, t(0.975, n − 1)·sd/√n; NaN for n < 2.
    pub ci95: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// Two-sided 95 % quantile of Student's t with `df` degrees of freedom (table to 30, then the normal 1.96).
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        d if d <= 30 => T[d - 1],
        _ => 1.960,
    }
}

/// The spread of `xs` (NaN entries are dropped).
pub fn spread(xs: &[f64]) -> Spread {
    let v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = v.len();
    let mean = if n > 0 {
        v.iter().sum::<f64>() / n as f64
    } else {
        f64::NAN
    };
    let sd = if n > 1 {
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        f64::NAN
    };
    Spread {
        n,
        mean,
        sd,
        ci95: if n > 1 {
            t975(n - 1) * sd / (n as f64).sqrt()
        } else {
            f64::NAN
        },
        min: v.iter().copied().fold(f64::INFINITY, f64::min),
        max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// Difference of two sample means, `b.mean − a.mean`, with its Welch-style 95 % half-width
/// t(0.975, n_a + n_b − 2)·√(s_a²/n_a + s_b²/n_b). Returns (difference, half-width).
pub fn mean_difference(a: &Spread, b: &Spread) -> (f64, f64) {
    let se = (a.sd.powi(2) / a.n as f64 + b.sd.powi(2) / b.n as f64).sqrt();
    (b.mean - a.mean, t975((a.n + b.n).saturating_sub(2)) * se)
}

/// A least-squares straight line y = intercept + slope·x with the 95 % confidence half-width of its slope.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Slope {
    /// Number of (x, y) points used.
    pub n: usize,
    /// Slope (units of y per unit of x).
    pub slope: f64,
    /// Standard error of the slope, √(Σr²/(n − 2) / Σ(x − x̄)²); NaN for n < 3.
    pub se: f64,
    /// 95 % half-width of the slope, t(0.975, n − 2)·se; NaN for n < 3.
    pub ci95: f64,
    /// Intercept (y at x = 0).
    pub intercept: f64,
}

/// The least-squares line through the points (pairs with a NaN are dropped).
pub fn slope(points: &[(f64, f64)]) -> Slope {
    let p: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .collect();
    let n = p.len();
    let mx = p.iter().map(|q| q.0).sum::<f64>() / n as f64;
    let my = p.iter().map(|q| q.1).sum::<f64>() / n as f64;
    let sxx: f64 = p.iter().map(|q| (q.0 - mx).powi(2)).sum();
    let sxy: f64 = p.iter().map(|q| (q.0 - mx) * (q.1 - my)).sum();
    let b = sxy / sxx;
    let a = my - b * mx;
    let se = if n > 2 {
        (p.iter().map(|q| (q.1 - a - b * q.0).powi(2)).sum::<f64>() / (n - 2) as f64 / sxx).sqrt()
    } else {
        f64::NAN
    };
    Slope {
        n,
        slope: b,
        se,
        ci95: if n > 2 { t975(n - 2) * se } else { f64::NAN },
        intercept: a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_noisy_line_and_its_interval() {
        let s = slope(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]);
        assert_eq!((s.n, s.slope, s.intercept), (3, 2.0, 1.0));
        assert!(s.se.abs() < 1e-12, "{s:?}");
        // x̄ = ȳ = 1.5, Sxy = 3.5, Sxx = 5: slope 0.7, intercept 0.45; se = √(Σr²/(n − 2)/Sxx).
        let s = slope(&[(0.0, 0.5), (1.0, 0.5), (2.0, 3.0), (3.0, 2.0)]);
        assert!(
            (s.slope - 0.7).abs() < 1e-12 && (s.intercept - 0.45).abs() < 1e-12,
            "{s:?}"
        );
        let r: f64 = [(0.0, 0.5), (1.0, 0.5), (2.0, 3.0), (3.0, 2.0)]
            .iter()
            .map(|(x, y)| (y - s.intercept - s.slope * x).powi(2))
            .sum();
        assert!((s.se - (r / 2.0 / 5.0).sqrt()).abs() < 1e-12);
        assert!((s.ci95 - 4.303 * s.se).abs() < 1e-12);
        assert!(slope(&[(0.0, 1.0), (1.0, 2.0)]).ci95.is_nan());
    }

    #[test]
    fn spread_of_three_seeds_uses_students_t() {
        let s = spread(&[1.0, 2.0, 3.0]);
        assert_eq!((s.n, s.mean, s.sd), (3, 2.0, 1.0));
        assert!((s.ci95 - 4.303 / 3f64.sqrt()).abs() < 1e-12);
        assert!(spread(&[5.0]).ci95.is_nan());
        assert_eq!(spread(&[f64::NAN, 4.0, 6.0]).n, 2);
    }
}
