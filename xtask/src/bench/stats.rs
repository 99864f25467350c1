//! Statistics and how numbers are shown: medians with min and max, the
//! alternating run order, and units.

/// Median, min and max of some measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    pub fn of(values: &[f64]) -> Summary {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let median = match v.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        };
        Summary {
            median,
            min: v.first().copied().unwrap_or(f64::NAN),
            max: v.last().copied().unwrap_or(f64::NAN),
        }
    }

    /// `median | min | max` cells, each shown by `show`.
    pub fn cells(&self, show: impl Fn(f64) -> String) -> String {
        format!(
            "{} | {} | {}",
            show(self.median),
            show(self.min),
            show(self.max)
        )
    }
}

/// Runs `one(contender, is_last_round)` for every contender in turn, round
/// after round (A B C A B C ...; warm-up rounds first, not kept), so that a
/// slow phase of the machine hits every contender alike. Returns the kept
/// values per contender, in the order given.
pub fn alternate<C: Copy, T>(
    (warmups, runs): (usize, usize),
    label: &str,
    contenders: &[C],
    mut one: impl FnMut(C, bool) -> Result<T, String>,
) -> Result<Vec<Vec<T>>, String> {
    let rounds = warmups + runs;
    let mut kept: Vec<Vec<T>> = contenders.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        super::note(&format!(
            "{label}: round {}/{rounds}{}",
            round + 1,
            if round < warmups { " (warm-up)" } else { "" }
        ));
        for (i, &c) in contenders.iter().enumerate() {
            let value = one(c, round + 1 == rounds)?;
            if round >= warmups {
                kept[i].push(value);
            }
        }
    }
    Ok(kept)
}

/// The number that follows the first `prefix` in `text`.
pub fn number_after(text: &str, prefix: &str) -> Option<u64> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The decimal number after `key=` in a `key=value ...` line.
pub fn field(text: &str, key: &str) -> Option<f64> {
    text.split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
}

pub fn seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{:.1} ms", s * 1000.0)
    } else {
        format!("{s:.2} s")
    }
}

pub fn mib(kib: f64) -> String {
    format!("{:.1} MiB", kib / 1024.0)
}

pub fn size_name(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b >> 20),
        b => format!("{b} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries() {
        let s = Summary::of(&[3.0, 1.0, 2.0]);
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        assert_eq!(Summary::of(&[4.0, 1.0, 2.0, 3.0]).median, 2.5);
        assert!(Summary::of(&[]).median.is_nan());
        assert_eq!(s.cells(|v| format!("{v:.0}")), "2 | 1 | 3");
    }

    #[test]
    fn alternates_and_drops_warm_ups() {
        let mut order = Vec::new();
        let kept = alternate((1, 2), "t", &['a', 'b'], |c, last| {
            order.push((c, last));
            Ok(order.len())
        })
        .unwrap();
        assert_eq!(
            order,
            [
                ('a', false),
                ('b', false),
                ('a', false),
                ('b', false),
                ('a', true),
                ('b', true)
            ]
        );
        assert_eq!(kept, [vec![3, 5], vec![4, 6]]);
    }

    #[test]
    fn reads_numbers_from_tool_output() {
        assert_eq!(
            number_after("saved 1048576 bytes to x", "saved "),
            Some(1_048_576)
        );
        assert_eq!(number_after("wrote  bytes", "wrote "), None);
        assert_eq!(number_after("nothing", "saved "), None);
        let line = "requests=200 bytes=204800 seconds=0.015";
        assert_eq!(field(line, "seconds"), Some(0.015));
        assert_eq!(field(line, "bytes"), Some(204_800.0));
        assert_eq!(field(line, "byte"), None);
    }

    #[test]
    fn names_sizes() {
        assert_eq!(size_name(1 << 20), "1 MiB");
        assert_eq!(size_name(64 << 20), "64 MiB");
        assert_eq!(size_name(1 << 30), "1 GiB");
        assert_eq!(size_name(1000), "1000 B");
        assert_eq!(seconds(0.0123), "12.3 ms");
        assert_eq!(seconds(2.0), "2.00 s");
        assert_eq!(mib(7168.0), "7.0 MiB");
    }
}
