//! Number text that round-trips exactly (shortest representation, `ryu`).

/// Formats a float so that parsing it gives back the same bits (`NaN`, `inf`, `-inf` for non-finite).
pub fn format_f64(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else {
        let mut b = ryu::Buffer::new();
        b.format_finite(x).to_string()
    }
}
