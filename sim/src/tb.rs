//! Harness pieces of the per-module testbenches (`tests/module_*.rs`): a
//! seeded generator for random stalls, and AXI4 read and write slaves that
//! stall, delay, interleave and reorder (across IDs) at random, so every
//! interface of a block sees back-pressure. The blocks' own Verilated tops
//! are in [`crate::ports`] (`RxFifoPorts`, `DescFetchSmallPorts`, ...; see
//! `MODULE_TOPS` in `sim/build.rs`).
//!
//! The slaves follow the clocking contract of [`crate::bus`]: `outputs()`
//! depends on state only; `clock(m)` takes the master's outputs of the same
//! edge. Their own outputs are checked too: run an
//! [`AxiChecker`](crate::bus::check::AxiChecker) over both sides.

use std::collections::VecDeque;

use crate::bus::axi::{AxiMasterOut, AxiSlaveOut, Burst};
use crate::model::{Ports, Sim, SimOptions};

/// The seeded generator of the testbenches: SplitMix64 ([`crate::rng::Rng`]),
/// so that runs are reproducible from their seed.
pub type Prng = crate::rng::Rng;

/// Builds a module top and holds `rst` for 4 cycles. With `random_reset`
/// every register starts from a value drawn from `seed` (its X-initial
/// build), so state that lacks a reset shows up as a seed-dependent result.
pub fn reset_sim<P: Ports>(seed: u64, random_reset: bool, set_rst: impl Fn(&P, bool)) -> Sim<P> {
    let options = SimOptions { random_reset, seed, ..Default::default() };
    let mut sim: Sim<P> = Sim::new(&options).expect("module model");
    set_rst(sim.io(), true);
    sim.run(4);
    set_rst(sim.io(), false);
    sim
}

/// The 16 bytes of host memory at the 16-byte-aligned `addr` in the
/// testbench slaves: a fixed function of the address, so any model can
/// predict it.
pub fn mem_word(addr: u64) -> u128 {
    let mut g = Prng::new(addr & !15 ^ 0x5_EED0_FA11);
    g.u128()
}

/// How a testbench slave stalls (all in per mille per cycle, and cycles).
#[derive(Debug, Clone, Copy)]
pub struct SlaveTiming {
    /// Chance that AR / AW / W are not ready in a cycle.
    pub stall_permille: u32,
    /// Chance of no R / B beat in a cycle where one could go.
    pub gap_permille: u32,
    /// Cycles from the request to its first response, at least (1..).
    pub min_latency: u64,
    /// Random extra latency, `0..extra_latency`.
    pub extra_latency: u64,
    /// Pick the ID of the next R beat / B at random among those ready
    /// (AXI allows reordering and read interleaving across IDs).
    pub reorder: bool,
}

impl Default for SlaveTiming {
    fn default() -> Self {
        SlaveTiming { stall_permille: 300, gap_permille: 300, min_latency: 2, extra_latency: 20, reorder: true }
    }
}

#[derive(Debug, Clone)]
struct ReadReq {
    id: u8,
    burst: Burst,
    sent: u32,
    ready_at: u64,
}

/// An AXI4 read slave over [`mem_word`] memory, with random stalls.
#[derive(Debug)]
pub struct ReadSlave {
    timing: SlaveTiming,
    rng: Prng,
    cycle: u64,
    reqs: Vec<ReadReq>,
    out: AxiSlaveOut,
    /// Read bursts accepted: (id, addr, len).
    pub accepted: Vec<(u8, u64, u8)>,
}

impl ReadSlave {
    /// A slave with its own seed.
    pub fn new(timing: SlaveTiming, seed: u64) -> Self {
        ReadSlave {
            timing,
            rng: Prng::new(seed),
            cycle: 0,
            reqs: Vec::new(),
            out: AxiSlaveOut::default(),
            accepted: Vec::new(),
        }
    }

    /// What the slave drives this cycle.
    pub fn outputs(&self) -> AxiSlaveOut {
        self.out
    }

    /// Bursts accepted and not fully returned.
    pub fn outstanding(&self) -> usize {
        self.reqs.len()
    }

    /// The edge: `m` is what the master drove before it.
    pub fn clock(&mut self, m: &AxiMasterOut) {
        let taken = self.out.r_valid && m.r_ready;
        if taken {
            let id = self.out.r_id;
            let i = self.reqs.iter().position(|r| r.id == id).expect("beat of a request");
            self.reqs[i].sent += 1;
            if self.reqs[i].sent == self.reqs[i].burst.beats() {
                self.reqs.remove(i);
            }
        }
        if m.ar_valid && self.out.ar_ready {
            let lat = self.timing.min_latency + self.rng.below(self.timing.extra_latency.max(1));
            self.reqs.push(ReadReq { id: m.ar_id, burst: Burst::from_ar(m), sent: 0, ready_at: self.cycle + lat });
            self.accepted.push((m.ar_id, m.ar_addr, m.ar_len));
        }
        self.cycle += 1;
        self.out.ar_ready = !self.rng.chance(self.timing.stall_permille);
        if self.out.r_valid && !taken {
            return; // hold the beat
        }
        self.out.r_valid = false;
        if self.rng.chance(self.timing.gap_permille) {
            return;
        }
        // the oldest request of each ID is the one that may answer
        let mut heads: Vec<usize> = Vec::new();
        for (i, r) in self.reqs.iter().enumerate() {
            if r.ready_at <= self.cycle && !self.reqs[..i].iter().any(|o| o.id == r.id) {
                heads.push(i);
            }
        }
        if heads.is_empty() {
            return;
        }
        let pick = if self.timing.reorder { heads[self.rng.below(heads.len() as u64) as usize] } else { heads[0] };
        let r = &self.reqs[pick];
        let addr = r.burst.beat_addr(r.sent);
        self.out.r_valid = true;
        self.out.r_id = r.id;
        self.out.r_data = mem_word(addr);
        self.out.r_resp = 0;
        self.out.r_last = r.sent + 1 == r.burst.beats();
    }
}

/// A write burst as the write slave received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteBurst {
    /// AWID.
    pub id: u8,
    /// AWADDR.
    pub addr: u64,
    /// AWLEN.
    pub len: u8,
    /// The beats' data and strobes, in order.
    pub beats: Vec<(u128, u16)>,
    /// Whether WLAST came on the last beat only.
    pub wlast_ok: bool,
}

/// An AXI4 write slave that records every burst, with random stalls; B
/// responses come after a random latency, reordered across IDs if asked.
#[derive(Debug)]
pub struct WriteSlave {
    timing: SlaveTiming,
    rng: Prng,
    cycle: u64,
    addrs: VecDeque<(u8, u64, u8)>,
    beats: VecDeque<(u128, u16, bool)>,
    /// Completed bursts waiting for their B: (burst index, ready at).
    resps: Vec<(usize, u64)>,
    out: AxiSlaveOut,
    /// Every completed burst, in the order its data completed.
    pub writes: Vec<WriteBurst>,
    /// Index into `writes` of each B handshake, in order.
    pub answered: Vec<usize>,
    b_burst: Option<usize>,
}

impl WriteSlave {
    /// A slave with its own seed.
    pub fn new(timing: SlaveTiming, seed: u64) -> Self {
        WriteSlave {
            timing,
            rng: Prng::new(seed),
            cycle: 0,
            addrs: VecDeque::new(),
            beats: VecDeque::new(),
            resps: Vec::new(),
            out: AxiSlaveOut::default(),
            writes: Vec::new(),
            answered: Vec::new(),
            b_burst: None,
        }
    }

    /// What the slave drives this cycle.
    pub fn outputs(&self) -> AxiSlaveOut {
        self.out
    }

    /// Bursts accepted and not yet answered.
    pub fn outstanding(&self) -> usize {
        self.addrs.len() + self.resps.len() + usize::from(self.b_burst.is_some())
    }

    /// The edge: `m` is what the master drove before it.
    pub fn clock(&mut self, m: &AxiMasterOut) {
        let b_taken = self.out.b_valid && m.b_ready;
        if b_taken {
            self.answered.push(self.b_burst.take().expect("B of a burst"));
        }
        if m.aw_valid && self.out.aw_ready {
            self.addrs.push_back((m.aw_id, m.aw_addr, m.aw_len));
        }
        if m.w_valid && self.out.w_ready {
            self.beats.push_back((m.w_data, m.w_strb, m.w_last));
        }
        // complete the oldest burst once all its beats are in
        if let Some(&(id, addr, len)) = self.addrs.front() {
            let n = usize::from(len) + 1;
            if self.beats.len() >= n {
                let beats: Vec<(u128, u16, bool)> = self.beats.drain(..n).collect();
                let wlast_ok = beats.iter().enumerate().all(|(i, b)| b.2 == (i + 1 == n));
                self.addrs.pop_front();
                self.writes.push(WriteBurst {
                    id,
                    addr,
                    len,
                    beats: beats.iter().map(|b| (b.0, b.1)).collect(),
                    wlast_ok,
                });
                let lat = self.timing.min_latency + self.rng.below(self.timing.extra_latency.max(1));
                self.resps.push((self.writes.len() - 1, self.cycle + lat));
            }
        }
        self.cycle += 1;
        self.out.aw_ready = !self.rng.chance(self.timing.stall_permille);
        self.out.w_ready = !self.rng.chance(self.timing.stall_permille);
        if self.out.b_valid && !b_taken {
            return;
        }
        self.out.b_valid = false;
        if self.rng.chance(self.timing.gap_permille) {
            return;
        }
        let writes = &self.writes;
        let mut heads: Vec<usize> = Vec::new();
        for (i, &(w, at)) in self.resps.iter().enumerate() {
            let id = writes[w].id;
            if at <= self.cycle && !self.resps[..i].iter().any(|&(o, _)| writes[o].id == id) {
                heads.push(i);
            }
        }
        if heads.is_empty() {
            return;
        }
        let pick = if self.timing.reorder { heads[self.rng.below(heads.len() as u64) as usize] } else { heads[0] };
        let (w, _) = self.resps.remove(pick);
        self.out.b_valid = true;
        self.out.b_id = self.writes[w].id;
        self.out.b_resp = 0;
        self.b_burst = Some(w);
    }
}
