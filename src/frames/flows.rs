//! Flows: the 5-tuples of generated IP traffic, and the order frames take
//! them in.
//!
//! One remote host (10.0.0.2, fd00::2) talks to the host under test
//! (10.0.0.1, fd00::1), to the discard port 9 (RFC 863, TCP and UDP), one
//! flow per source port: flow `i` comes from port 40000 + `i`, the way one
//! client opens many connections.

use crate::rng::Rng;

/// The remote host's IPv4 address.
pub const REMOTE_IPV4: [u8; 4] = [10, 0, 0, 2];
/// The host under test's IPv4 address.
pub const LOCAL_IPV4: [u8; 4] = [10, 0, 0, 1];
/// The remote host's IPv6 address (unique local, RFC 4193).
pub const REMOTE_IPV6: [u8; 16] = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
/// The host under test's IPv6 address.
pub const LOCAL_IPV6: [u8; 16] = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
/// Source port of flow 0 at the remote host.
pub const FIRST_REMOTE_PORT: u16 = 40000;
/// The port every flow goes to at the host under test (discard).
pub const LOCAL_PORT: u16 = 9;
/// Most flows: source ports 40000..=56383.
pub const MAX_FLOWS: usize = 16384;

/// Which side of a flow sends a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Remote host -> host under test (the link partner's traffic).
    ToHost,
    /// Host under test -> remote host (the application's sends).
    FromHost,
}

/// A flow's ports as a frame in `dir` carries them: (source, destination).
pub fn ports(flow: u32, dir: Direction) -> (u16, u16) {
    let remote = FIRST_REMOTE_PORT + (flow as usize % MAX_FLOWS) as u16;
    match dir {
        Direction::ToHost => (remote, LOCAL_PORT),
        Direction::FromHost => (LOCAL_PORT, remote),
    }
}

/// The order frames take the flows in (`flow_order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowOrder {
    /// Round robin: flow 0, 1, ..., n-1, 0, ...
    #[default]
    Cycle,
    /// Each frame's flow drawn uniformly, seeded.
    Random,
}

/// The flow of frame `seq` among `count` flows (at least 1) in `order`;
/// with [`FlowOrder::Random`] drawn from a generator seeded by `seed` and
/// `seq`, so any frame's flow is known without the ones before it.
pub fn flow_of(seq: u32, count: usize, order: FlowOrder, seed: u64) -> u32 {
    let count = count.clamp(1, MAX_FLOWS);
    match order {
        FlowOrder::Cycle => (seq as usize % count) as u32,
        FlowOrder::Random => {
            let mut rng = Rng::new(seed ^ 0x464C_4F57_0000_0000 ^ u64::from(seq));
            rng.range(0, count - 1) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycle_visits_every_flow_in_turn_and_random_stays_in_range() {
        let c: Vec<u32> = (0..7).map(|s| flow_of(s, 3, FlowOrder::Cycle, 1)).collect();
        assert_eq!(c, [0, 1, 2, 0, 1, 2, 0]);
        let seen: std::collections::BTreeSet<u32> = (0..200).map(|s| flow_of(s, 5, FlowOrder::Random, 1)).collect();
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert_eq!(ports(2, Direction::ToHost), (40002, 9));
        assert_eq!(ports(2, Direction::FromHost), (9, 40002));
    }
}
