//! Splitting a sweep across machines: `--shard I/N` runs the I-th of N
//! deterministic slices of the points (point `p` is in slice `p mod N`, so
//! every point is in exactly one slice and the slices are balanced), and
//! `verinic merge` puts the slices' output directories back together.

use std::fmt;
use std::str::FromStr;

use super::sweep::Point;

/// One slice of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, `0..count`.
    pub index: usize,
    /// How many slices.
    pub count: usize,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// The points of this slice.
    pub fn select<'a>(&self, points: &'a [Point]) -> Vec<&'a Point> {
        points.iter().filter(|p| p.index % self.count == self.index).collect()
    }

    /// Whether point `index` is in this slice.
    pub fn holds(&self, index: usize) -> bool {
        index % self.count == self.index
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("--shard {s}: expected I/N with 0 <= I < N, e.g. 3/16 (Slurm: $SLURM_ARRAY_TASK_ID/16)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) =
            (i.trim().parse::<usize>().map_err(|_| bad())?, n.trim().parse::<usize>().map_err(|_| bad())?);
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains(bad) && e.contains("I/N"), "{e}");
        }
    }

    #[test]
    fn slices_cover_every_point_once() {
        let n = 3;
        for p in 0..20 {
            let holders = (0..n).filter(|&i| Shard { index: i, count: n }.holds(p)).count();
            assert_eq!(holders, 1);
        }
    }
}
