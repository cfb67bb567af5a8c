//! The statistics the Ratings page, the CLI's `stats` and the plots report: correlations between
//! two samples, the mean absolute error, each rater's mean and spread, and the raters' agreement
//! (Krippendorff's alpha for interval data).

pub use crate::ranking::{pearson, spearman};

/// The mean absolute difference of two equally long samples; `None` when empty.
pub fn mae(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.is_empty() || x.len() != y.len() {
        return None;
    }
    Some(x.iter().zip(y).map(|(a, b)| (a - b).abs()).sum::<f64>() / x.len() as f64)
}

/// The mean and the sample standard deviation; `None` when empty (the deviation is 0 for one
/// value).
pub fn mean_sd(x: &[f64]) -> Option<(f64, f64)> {
    if x.is_empty() {
        return None;
    }
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let ss = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
    let sd = if x.len() > 1 {
        (ss / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    Some((mean, sd))
}

/// Krippendorff's alpha for interval data: `units` holds, per image, the values its raters gave
/// (one per rater; units with fewer than two values are not pairable and are left out). 1 is
/// perfect agreement, 0 what chance gives, below 0 systematic disagreement. `None` when fewer
/// than two units are pairable or every pairable value is the same.
pub fn krippendorff_interval(units: &[Vec<f64>]) -> Option<f64> {
    // Observed disagreement: within each unit, the squared differences of its ordered pairs,
    // weighted by 1 / (m_u - 1); expected: the same over every pair of pairable values.
    // Sum over ordered pairs of (a - b)^2 = 2 (m * sum x^2 - (sum x)^2).
    let pairs = |v: &[f64]| {
        let m = v.len() as f64;
        let (s, ss) = v.iter().fold((0.0, 0.0), |(s, ss), x| (s + x, ss + x * x));
        2.0 * (m * ss - s * s)
    };
    let mut all = Vec::new();
    let mut observed = 0.0;
    let mut pairable_units = 0;
    for unit in units.iter().filter(|u| u.len() >= 2) {
        observed += pairs(unit) / (unit.len() as f64 - 1.0);
        all.extend_from_slice(unit);
        pairable_units += 1;
    }
    let n = all.len() as f64;
    if pairable_units < 2 {
        return None;
    }
    let expected = pairs(&all) / (n - 1.0);
    (expected > 0.0).then(|| 1.0 - observed / expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_of_monotone_and_reversed_samples() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((spearman(&x, &[0.1, 0.2, 0.2, 0.5, 0.9]).unwrap() - 0.9747).abs() < 1e-3);
        assert!((spearman(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&x[..2], &[1.0, 2.0]), None);
        assert_eq!(spearman(&x, &[1.0; 5]), None);
    }

    #[test]
    fn pearson_mae_and_spread() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((pearson(&x, &[2.0, 4.0, 6.0, 8.0]).unwrap() - 1.0).abs() < 1e-12);
        // numpy.corrcoef([1, 2, 3, 4], [1, 3, 2, 5])[0, 1]
        assert!((pearson(&x, &[1.0, 3.0, 2.0, 5.0]).unwrap() - 0.8315218406).abs() < 1e-9);
        assert_eq!(mae(&x, &[2.0, 2.0, 2.0, 2.0]), Some(1.0));
        let (mean, sd) = mean_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(mean, 5.0);
        assert!((sd - 2.138089935).abs() < 1e-9);
        assert_eq!(mean_sd(&[3.0]), Some((3.0, 0.0)));
        assert_eq!(mean_sd(&[]), None);
    }

    #[test]
    fn krippendorff_alpha_matches_the_reference_example() {
        // Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the 4 observers x
        // 12 units example with missing values; interval alpha = 0.849.
        let data: [[Option<f64>; 12]; 4] = {
            let n = None;
            let s = |v: f64| Some(v);
            [
                [
                    s(1.),
                    s(2.),
                    s(3.),
                    s(3.),
                    s(2.),
                    s(1.),
                    s(4.),
                    s(1.),
                    s(2.),
                    n,
                    n,
                    n,
                ],
                [
                    s(1.),
                    s(2.),
                    s(3.),
                    s(3.),
                    s(2.),
                    s(2.),
                    s(4.),
                    s(1.),
                    s(2.),
                    s(5.),
                    n,
                    s(3.),
                ],
                [
                    n,
                    s(3.),
                    s(3.),
                    s(3.),
                    s(2.),
                    s(3.),
                    s(4.),
                    s(2.),
                    s(2.),
                    s(5.),
                    s(1.),
                    n,
                ],
                [
                    s(1.),
                    s(2.),
                    s(3.),
                    s(3.),
                    s(2.),
                    s(4.),
                    s(4.),
                    s(1.),
                    s(2.),
                    s(5.),
                    s(1.),
                    n,
                ],
            ]
        };
        let units: Vec<Vec<f64>> = (0..12)
            .map(|u| data.iter().filter_map(|r| r[u]).collect())
            .collect();
        let alpha = krippendorff_interval(&units).unwrap();
        assert!((alpha - 0.849).abs() < 5e-4, "{alpha}");
        // Perfect agreement, and no pairable units.
        assert_eq!(
            krippendorff_interval(&[vec![1.0, 1.0], vec![5.0, 5.0]]),
            Some(1.0)
        );
        assert_eq!(krippendorff_interval(&[vec![1.0], vec![2.0]]), None);
    }
}
