//! Medians, ranges and pair-by-pair ratios: on a shared machine a single time means
//! little, and a ratio of two commands run in turn holds when the machine drifts.

use std::time::Duration;

/// Wall times of repeated runs, kept in the order they were made (for ratios pair by
/// pair) and sorted (for the median and the range).
#[derive(Debug, Clone)]
pub struct Samples(Vec<Duration>, Vec<Duration>);

impl Samples {
    pub fn new(in_order: Vec<Duration>) -> Samples {
        let mut sorted = in_order.clone();
        sorted.sort();
        Samples(sorted, in_order)
    }

    /// The times in the order the runs were made.
    pub fn in_order(&self) -> &[Duration] {
        &self.1
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn median(&self) -> Duration {
        median_of(&self.0).unwrap_or_default()
    }

    pub fn min(&self) -> Duration {
        self.0.first().copied().unwrap_or_default()
    }

    pub fn max(&self) -> Duration {
        self.0.last().copied().unwrap_or_default()
    }
}

fn median_of(sorted: &[Duration]) -> Option<Duration> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

/// The median of the ratios a[i] / b[i] of runs made in turn.
pub fn paired_ratio(a: &[Duration], b: &[Duration]) -> f64 {
    let mut ratios: Vec<f64> = a
        .iter()
        .zip(b)
        .filter(|(_, b)| !b.is_zero())
        .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let n = ratios.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => ratios[n / 2],
        _ => (ratios[n / 2 - 1] + ratios[n / 2]) / 2.0,
    }
}

/// A duration the way the table shows it: ms below 10 s, else s.
pub fn show(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(
            Samples::new(ms(&[5, 1, 3])).median(),
            Duration::from_millis(3)
        );
        assert_eq!(
            Samples::new(ms(&[4, 1, 3, 2])).median(),
            Duration::from_micros(2500)
        );
        assert_eq!(Samples::new(Vec::new()).median(), Duration::ZERO);
    }

    #[test]
    fn ratio_is_taken_pair_by_pair() {
        // Pairs 10/5, 30/10, 8/4: ratios 2, 3, 2; the medians alone would give 10/5.
        let r = paired_ratio(&ms(&[10, 30, 8]), &ms(&[5, 10, 4]));
        assert!((r - 2.0).abs() < 1e-9, "{r}");
        assert!(paired_ratio(&[], &[]).is_nan());
    }
}
