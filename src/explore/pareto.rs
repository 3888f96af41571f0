//! The Pareto front of a set of points, minimising both coordinates.
//!
//! A point *dominates* another when it is no worse in both coordinates and
//! better in at least one. The front is the set of points that no other
//! point dominates: the settings worth considering when both coordinates
//! cost something (the sweep uses latency p99 against CPU busy share).

/// For each of `points`, whether it is on the Pareto front when both
/// coordinates are minimised.
///
/// - A point is on the front when no other point dominates it: none has
///   `x <= px && y <= py` with at least one of the two strict.
/// - Equal points do not dominate each other: duplicates of a front point
///   are all on the front.
/// - A point with a NaN coordinate is never on the front and dominates
///   nothing (it is left out). Infinities compare as usual.
///
/// O(n log n): one sort by `x`, then one sweep keeping the smallest `y`
/// seen at a strictly smaller `x`.
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<bool> {
    let mut on_front = vec![false; points.len()];
    let mut order: Vec<usize> = (0..points.len()).filter(|&i| !points[i].0.is_nan() && !points[i].1.is_nan()).collect();
    order.sort_by(|&a, &b| points[a].0.total_cmp(&points[b].0).then(points[a].1.total_cmp(&points[b].1)));

    // Smallest y among points with a strictly smaller x than the group at hand.
    let mut best_y = f64::INFINITY;
    let mut seen_any = false;
    let mut start = 0;
    while start < order.len() {
        // One group: the points sharing this x (== also joins 0.0 and -0.0).
        let x = points[order[start]].0;
        let mut end = start;
        while end < order.len() && points[order[end]].0 == x {
            end += 1;
        }
        // Sorted by y within the group: the first holds the group's minimum.
        let group_min = points[order[start]].1;
        // Points with a smaller x dominate this group's minimum when their y is
        // no larger; the group's other points are dominated by its minimum
        // unless they equal it.
        if !seen_any || group_min < best_y {
            for &i in &order[start..end] {
                if points[i].1 == group_min {
                    on_front[i] = true;
                }
            }
            best_y = group_min;
        }
        seen_any = true;
        start = end;
    }
    on_front
}

/// The tuning front: among the points that dropped nothing, those on the
/// Pareto front of p99 latency against CPU busy share. Each point is
/// `(drops, p99, cpu_busy)`; a point that drops frames is never on it.
pub fn tuning_front(points: impl IntoIterator<Item = (f64, f64, f64)>) -> Vec<bool> {
    let coords: Vec<(f64, f64)> = points
        .into_iter()
        .map(|(drops, p99, cpu)| if drops == 0.0 { (p99, cpu) } else { (f64::NAN, f64::NAN) })
        .collect();
    pareto_front(&coords)
}

#[cfg(test)]
mod tests {
    use super::pareto_front;

    /// The definition, checked pair by pair.
    fn brute_force(points: &[(f64, f64)]) -> Vec<bool> {
        let valid = |p: &(f64, f64)| !p.0.is_nan() && !p.1.is_nan();
        points
            .iter()
            .map(|p| {
                valid(p) && !points.iter().any(|q| valid(q) && q.0 <= p.0 && q.1 <= p.1 && (q.0 < p.0 || q.1 < p.1))
            })
            .collect()
    }

    #[test]
    fn empty_and_single() {
        assert!(pareto_front(&[]).is_empty());
        assert_eq!(pareto_front(&[(3.0, 4.0)]), vec![true]);
    }

    #[test]
    fn trade_off_curve_and_dominated_points() {
        let points = [(1.0, 10.0), (2.0, 5.0), (3.0, 6.0), (4.0, 1.0), (2.5, 5.0), (5.0, 5.0)];
        assert_eq!(pareto_front(&points), vec![true, true, false, true, false, false]);
    }

    #[test]
    fn equal_points_are_all_on_the_front() {
        let points = [(1.0, 2.0), (1.0, 2.0), (2.0, 1.0), (2.0, 1.0), (2.0, 2.0)];
        assert_eq!(pareto_front(&points), vec![true, true, true, true, false]);
    }

    #[test]
    fn same_x_or_same_y_is_dominated_by_the_better_one() {
        // Same x: the smaller y dominates. Same y: the smaller x dominates.
        assert_eq!(pareto_front(&[(1.0, 3.0), (1.0, 2.0)]), vec![false, true]);
        assert_eq!(pareto_front(&[(2.0, 1.0), (1.0, 1.0)]), vec![false, true]);
        // A later group whose minimum only ties the best y so far is dominated.
        assert_eq!(pareto_front(&[(1.0, 1.0), (2.0, 1.0), (2.0, 1.0)]), vec![true, false, false]);
    }

    #[test]
    fn nan_points_are_never_on_the_front_and_dominate_nothing() {
        let points = [(f64::NAN, 0.0), (0.0, f64::NAN), (5.0, 5.0), (f64::NAN, f64::NAN)];
        assert_eq!(pareto_front(&points), vec![false, false, true, false]);
        assert_eq!(pareto_front(&[(f64::NAN, 1.0)]), vec![false]);
    }

    #[test]
    fn infinities_and_signed_zero() {
        let points = [(f64::INFINITY, 0.0), (0.0, f64::INFINITY), (-0.0, f64::INFINITY), (1.0, 1.0)];
        assert_eq!(pareto_front(&points), vec![true, true, true, true]);
        assert_eq!(pareto_front(&[(f64::NEG_INFINITY, 5.0), (0.0, 5.0)]), vec![true, false]);
    }

    #[test]
    fn matches_the_definition_on_random_sets() {
        // A small xorshift: coordinates from a few values, so ties are common.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..500 {
            let n = (next() % 40) as usize;
            let points: Vec<(f64, f64)> = (0..n)
                .map(|_| {
                    let x = (next() % 8) as f64;
                    let y = if round % 5 == 0 && next() % 10 == 0 { f64::NAN } else { (next() % 8) as f64 };
                    (x, y)
                })
                .collect();
            assert_eq!(pareto_front(&points), brute_force(&points), "points {points:?}");
        }
    }
}
