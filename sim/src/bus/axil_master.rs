//! The host CPU's MMIO path to the NIC's registers, as an AXI4-Lite master.
//!
//! The driver calls [`AxilMaster::read`] and [`AxilMaster::write`]; the master
//! puts them on the bus one at a time, strictly in program order, and the
//! driver picks up read results with [`AxilMaster::poll`].
//!
//! Timing follows a CPU doing MMIO over PCIe:
//!
//! - a request reaches the bus `request_latency_cycles` after the call (the
//!   trip through the root complex and the link), or as soon as the operation
//!   before it is finished, whichever is later;
//! - a read's value reaches the CPU `response_latency_cycles` after its R
//!   handshake (the trip back);
//! - writes are posted: the CPU never waits for them, but the next operation
//!   waits for the write's B. So a read is not issued before every earlier
//!   write was answered, like a PCIe read, which may not pass posted writes
//!   and so flushes them.
//!
//! The defaults, 38 + 38 cycles, plus a register file answering one or two
//! cycles after its AR make a read round trip of 77-78 cycles, about 0.5 us at
//! 156.25 MHz: the order of an uncached MMIO read on current servers.
//!
//! Error responses are counted and kept (see [`AxilMaster::errors`]), never
//! panicked on; a response the master did not ask for is counted as a
//! protocol error and ignored.

use std::collections::VecDeque;
use std::fmt;

use crate::bus::axi::{resp, AxilMasterOut, AxilSlaveOut, Handshakes};
use crate::bus::BusConfigError;
use crate::trace::{Event, Trace};

/// Read results kept for [`AxilMaster::poll`] before the oldest are dropped.
const MAX_UNCLAIMED: usize = 1024;

/// Error responses kept for [`AxilMaster::errors`] before the oldest are dropped.
const MAX_ERRORS: usize = 256;

/// Latency of the path between the CPU and the register file's bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxilConfig {
    /// From the CPU's call to the request on the bus; at least 1. Default 38.
    pub request_latency_cycles: u64,
    /// From the R handshake to the value at the CPU; at least 1. Default 38.
    pub response_latency_cycles: u64,
}

impl Default for AxilConfig {
    fn default() -> Self {
        AxilConfig { request_latency_cycles: 38, response_latency_cycles: 38 }
    }
}

impl AxilConfig {
    /// Whether this configuration can work.
    pub fn validate(&self) -> Result<(), BusConfigError> {
        // a request made during a cycle must not change that cycle's outputs,
        // and a result cannot reach the CPU before the edge that carried it
        if self.request_latency_cycles == 0 {
            return Err(BusConfigError { field: "request_latency_cycles", expected: "at least 1" });
        }
        if self.response_latency_cycles == 0 {
            return Err(BusConfigError { field: "response_latency_cycles", expected: "at least 1" });
        }
        Ok(())
    }
}

/// Names one read, to collect its result with [`AxilMaster::poll`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReadTicket(u64);

/// A read as it completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadCompletion {
    /// The read.
    pub ticket: ReadTicket,
    /// Register byte address.
    pub addr: u32,
    /// The data on the bus (whatever the slave drove, even with an error).
    pub value: u32,
    /// Response code (see [`resp`]).
    pub resp: u8,
    /// Cycle of the R handshake.
    pub cycle: u64,
}

impl ReadCompletion {
    /// The value, or the error response it came with.
    pub fn result(&self) -> Result<u32, BusError> {
        if self.resp == resp::OKAY {
            Ok(self.value)
        } else {
            Err(BusError { addr: self.addr, write: false, resp: self.resp, cycle: self.cycle })
        }
    }
}

/// An access the register file answered with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusError {
    /// Register byte address.
    pub addr: u32,
    /// A write (else a read).
    pub write: bool,
    /// Response code (see [`resp`]).
    pub resp: u8,
    /// Cycle of the response handshake.
    pub cycle: u64,
}

impl fmt::Display for BusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.write { "write" } else { "read" };
        write!(f, "register {op} at {:#06x} got {} (cycle {})", self.addr, resp::name(self.resp), self.cycle)
    }
}

impl std::error::Error for BusError {}

/// What the master has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AxilStats {
    /// Reads completed on the bus.
    pub reads: u64,
    /// Writes completed on the bus.
    pub writes: u64,
    /// Responses with SLVERR.
    pub slverr: u64,
    /// Responses with DECERR.
    pub decerr: u64,
    /// Responses nobody asked for, or with a code AXI4-Lite does not allow.
    pub protocol_errors: u64,
    /// Read results never polled, dropped to bound memory.
    pub unclaimed_dropped: u64,
    /// Error records dropped to bound memory (still counted above).
    pub errors_dropped: u64,
}

#[derive(Debug, Clone, Copy)]
enum OpKind {
    Read(ReadTicket),
    Write(u32),
}

#[derive(Debug, Clone, Copy)]
struct Op {
    kind: OpKind,
    addr: u32,
    /// First cycle the request may be on the bus.
    issue_at: u64,
}

/// Where the operation at the head of the queue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Offering the address (and, for a write, the data) until taken.
    Request { addr_done: bool, data_done: bool },
    /// Waiting for R or B.
    Response,
}

const FRESH: Phase = Phase::Request { addr_done: false, data_done: false };

/// The CPU's AXI4-Lite master. See the module docs.
#[derive(Debug)]
pub struct AxilMaster {
    config: AxilConfig,
    ops: VecDeque<Op>,
    phase: Phase,
    next_ticket: u64,
    /// Completed reads and the cycle from which the CPU sees them.
    done: VecDeque<(u64, ReadCompletion)>,
    errors: VecDeque<BusError>,
    cycle: u64,
    stats: AxilStats,
}

impl AxilMaster {
    /// An idle master.
    pub fn new(config: AxilConfig) -> Result<Self, BusConfigError> {
        config.validate()?;
        Ok(AxilMaster {
            config,
            ops: VecDeque::with_capacity(64),
            phase: FRESH,
            next_ticket: 0,
            done: VecDeque::with_capacity(64),
            errors: VecDeque::new(),
            cycle: 0,
            stats: AxilStats::default(),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &AxilConfig {
        &self.config
    }

    /// Queues a register read; its value comes from [`AxilMaster::poll`].
    pub fn read(&mut self, addr: u32) -> ReadTicket {
        let ticket = ReadTicket(self.next_ticket);
        self.next_ticket += 1;
        self.push(OpKind::Read(ticket), addr);
        ticket
    }

    /// Queues a posted register write (all four bytes).
    pub fn write(&mut self, addr: u32, data: u32) {
        self.push(OpKind::Write(data), addr);
    }

    fn push(&mut self, kind: OpKind, addr: u32) {
        let issue_at = self.cycle + self.config.request_latency_cycles;
        self.ops.push_back(Op { kind, addr, issue_at });
    }

    /// The value of a completed read, once the CPU can see it; the master
    /// forgets it then. Error responses give the bus data too: see
    /// [`AxilMaster::poll_completion`] to tell them apart.
    pub fn poll(&mut self, ticket: ReadTicket) -> Option<u32> {
        self.poll_completion(ticket).map(|c| c.value)
    }

    /// Everything about a completed read, once the CPU can see it; the
    /// master forgets it then.
    pub fn poll_completion(&mut self, ticket: ReadTicket) -> Option<ReadCompletion> {
        let i = self.done.iter().position(|(visible, c)| c.ticket == ticket && *visible <= self.cycle)?;
        self.done.remove(i).map(|(_, c)| c)
    }

    /// No operation queued, on the bus, or on its way back to the CPU.
    pub fn idle(&self) -> bool {
        self.ops.is_empty() && self.done.iter().all(|(visible, _)| *visible <= self.cycle)
    }

    /// Operations queued or on the bus.
    pub fn pending(&self) -> usize {
        self.ops.len()
    }

    /// Statistics so far.
    pub fn stats(&self) -> &AxilStats {
        &self.stats
    }

    /// Error responses, oldest first (the newest 256 are kept).
    pub fn errors(&self) -> impl Iterator<Item = &BusError> + '_ {
        self.errors.iter()
    }

    /// Error responses, oldest first; the master forgets them.
    pub fn take_errors(&mut self) -> Vec<BusError> {
        self.errors.drain(..).collect()
    }

    /// Edges clocked so far: the number of the cycle now being driven.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// What the master drives this cycle (state only).
    pub fn outputs(&self) -> AxilMasterOut {
        // always ready: an unasked-for response is then seen and counted
        let mut out = AxilMasterOut { r_ready: true, b_ready: true, ..AxilMasterOut::default() };
        let Some(op) = self.ops.front() else { return out };
        let Phase::Request { addr_done, data_done } = self.phase else { return out };
        if self.cycle < op.issue_at {
            return out;
        }
        match op.kind {
            OpKind::Read(_) => {
                out.ar_valid = !addr_done;
                out.ar_addr = op.addr;
            }
            OpKind::Write(data) => {
                out.aw_valid = !addr_done;
                out.aw_addr = op.addr;
                out.w_valid = !data_done;
                out.w_data = data;
                out.w_strb = 0xF;
            }
        }
        out
    }

    /// Advances one edge, given what the slave drove before it. Completed
    /// accesses go to `trace`, stamped with this edge's cycle.
    pub fn clock(&mut self, s: &AxilSlaveOut, trace: &mut Trace) {
        let own = self.outputs();
        let hs = Handshakes::between(&own, s);
        let edge = self.cycle;
        let head = self.ops.front().copied();

        // responses first: they answer the phase as it was before this edge
        if hs.r {
            match head {
                Some(Op { kind: OpKind::Read(ticket), addr, .. }) if self.phase == Phase::Response => {
                    let c = ReadCompletion { ticket, addr, value: s.r_data, resp: s.r_resp, cycle: edge };
                    self.finish(addr, false, s.r_resp, edge);
                    self.stats.reads += 1;
                    if self.done.len() >= MAX_UNCLAIMED {
                        self.done.pop_front();
                        self.stats.unclaimed_dropped += 1;
                    }
                    self.done.push_back((edge + self.config.response_latency_cycles, c));
                    trace.push(edge, Event::RegRead { addr, value: s.r_data, resp: s.r_resp });
                }
                _ => self.stats.protocol_errors += 1,
            }
        }
        if hs.b {
            match head {
                Some(Op { kind: OpKind::Write(data), addr, .. }) if self.phase == Phase::Response => {
                    self.finish(addr, true, s.b_resp, edge);
                    self.stats.writes += 1;
                    trace.push(edge, Event::RegWrite { addr, value: data, resp: s.b_resp });
                }
                _ => self.stats.protocol_errors += 1,
            }
        }

        // a response retired the head above only if the request phase was over,
        // so the address handshakes below are all false then
        if let (Phase::Request { addr_done, data_done }, Some(op)) = (&mut self.phase, self.ops.front()) {
            *addr_done |= hs.ar || hs.aw;
            *data_done |= hs.w;
            let sent = match op.kind {
                OpKind::Read(_) => *addr_done,
                OpKind::Write(_) => *addr_done && *data_done,
            };
            if sent {
                self.phase = Phase::Response;
            }
        }
        self.cycle += 1;
    }

    /// Retires the head operation, recording an error response.
    fn finish(&mut self, addr: u32, write: bool, code: u8, cycle: u64) {
        self.ops.pop_front();
        self.phase = FRESH;
        match code {
            resp::OKAY => return,
            resp::SLVERR => self.stats.slverr += 1,
            resp::DECERR => self.stats.decerr += 1,
            _ => self.stats.protocol_errors += 1, // EXOKAY has no place on AXI4-Lite
        }
        if self.errors.len() >= MAX_ERRORS {
            self.errors.pop_front();
            self.stats.errors_dropped += 1;
        }
        self.errors.push_back(BusError { addr, write, resp: code, cycle });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::no_names;
    use proptest::prelude::*;

    const REGS: usize = 16;

    /// A tiny register file standing in for the DUT: answers `latency` cycles
    /// after taking the request, SLVERR beyond its 16 registers. One access at a time.
    struct RegFile {
        cycle: u64,
        latency: u64,
        regs: [u32; REGS],
        read: Option<(u32, u64)>,
        aw: Option<u32>,
        w: Option<u32>,
        /// (ready at, response code)
        b: Option<(u64, u8)>,
        /// (edge, write?, addr): the order requests arrived in
        log: Vec<(u64, bool, u32)>,
        /// Drive B valid with nothing asked, on this cycle.
        spurious_b_at: Option<u64>,
    }

    impl RegFile {
        fn new(latency: u64) -> Self {
            RegFile {
                cycle: 0,
                latency,
                regs: [0; REGS],
                read: None,
                aw: None,
                w: None,
                b: None,
                log: Vec::new(),
                spurious_b_at: None,
            }
        }

        fn index(addr: u32) -> Option<usize> {
            let i = (addr / 4) as usize;
            (addr.is_multiple_of(4) && i < REGS).then_some(i)
        }

        fn outputs(&self) -> AxilSlaveOut {
            let mut o = AxilSlaveOut {
                ar_ready: self.read.is_none(),
                aw_ready: self.aw.is_none() && self.b.is_none(),
                w_ready: self.w.is_none() && self.b.is_none(),
                ..Default::default()
            };
            if let Some((addr, ready_at)) = self.read {
                if self.cycle >= ready_at {
                    o.r_valid = true;
                    match Self::index(addr) {
                        Some(i) => o.r_data = self.regs[i],
                        None => (o.r_data, o.r_resp) = (0xDEAD_BEEF, resp::SLVERR),
                    }
                }
            }
            if let Some((ready_at, code)) = self.b {
                if self.cycle >= ready_at {
                    (o.b_valid, o.b_resp) = (true, code);
                }
            }
            if self.spurious_b_at == Some(self.cycle) {
                o.b_valid = true;
            }
            o
        }

        fn clock(&mut self, m: &AxilMasterOut) {
            let own = self.outputs();
            let hs = Handshakes::between(m, &own);
            if hs.r {
                self.read = None;
            }
            if hs.b {
                self.b = None;
            }
            if hs.ar {
                self.read = Some((m.ar_addr, self.cycle + self.latency));
                self.log.push((self.cycle, false, m.ar_addr));
            }
            if hs.aw {
                self.aw = Some(m.aw_addr);
            }
            if hs.w {
                self.w = Some(m.w_data);
            }
            if let (Some(addr), Some(data)) = (self.aw, self.w) {
                let code = match Self::index(addr) {
                    Some(i) => {
                        self.regs[i] = data;
                        resp::OKAY
                    }
                    None => resp::SLVERR,
                };
                self.log.push((self.cycle, true, addr));
                (self.aw, self.w, self.b) = (None, None, Some((self.cycle + self.latency, code)));
            }
            self.cycle += 1;
        }
    }

    fn step(cpu: &mut AxilMaster, regs: &mut RegFile, trace: &mut Trace) {
        let s_out = regs.outputs();
        let m_out = cpu.outputs();
        regs.clock(&m_out);
        cpu.clock(&s_out, trace);
    }

    /// Clocks until the read completes at the CPU; the round trip in cycles.
    fn wait(cpu: &mut AxilMaster, regs: &mut RegFile, trace: &mut Trace, ticket: ReadTicket) -> (u32, u64) {
        let start = cpu.cycle();
        for _ in 0..10_000 {
            if let Some(v) = cpu.poll(ticket) {
                return (v, cpu.cycle() - start);
            }
            step(cpu, regs, trace);
        }
        panic!("read never completed");
    }

    fn settle(cpu: &mut AxilMaster, regs: &mut RegFile, trace: &mut Trace) {
        for _ in 0..10_000 {
            if cpu.idle() {
                return;
            }
            step(cpu, regs, trace);
        }
        panic!("never idle");
    }

    #[test]
    fn read_after_write_returns_the_write() {
        let mut cpu = AxilMaster::new(AxilConfig::default()).unwrap();
        let mut regs = RegFile::new(1);
        let mut t = Trace::disabled();
        cpu.write(0x8, 0x1234_5678);
        let ticket = cpu.read(0x8);
        assert_eq!(wait(&mut cpu, &mut regs, &mut t, ticket).0, 0x1234_5678);
        assert_eq!(cpu.poll(ticket), None, "a result is handed out once");
        assert_eq!((cpu.stats().reads, cpu.stats().writes), (1, 1));
    }

    #[test]
    fn read_round_trip_is_request_plus_slave_plus_response_latency() {
        for (slave, config, total) in [
            (1, AxilConfig::default(), 77),
            (2, AxilConfig::default(), 78),
            (1, AxilConfig { request_latency_cycles: 1, response_latency_cycles: 1 }, 3),
            (5, AxilConfig { request_latency_cycles: 10, response_latency_cycles: 3 }, 18),
        ] {
            let mut cpu = AxilMaster::new(config).unwrap();
            let mut regs = RegFile::new(slave);
            let mut t = Trace::disabled();
            for _ in 0..7 {
                step(&mut cpu, &mut regs, &mut t); // any start cycle
            }
            let ticket = cpu.read(0);
            assert!(!cpu.outputs().ar_valid, "a request never changes the cycle in progress");
            assert_eq!(wait(&mut cpu, &mut regs, &mut t, ticket).1, total);
            assert!(cpu.idle());
        }
    }

    #[test]
    fn operations_go_out_in_program_order_one_at_a_time() {
        let mut cpu = AxilMaster::new(AxilConfig::default()).unwrap();
        let mut regs = RegFile::new(2);
        let mut t = Trace::new();
        cpu.write(0x0, 1);
        cpu.write(0x4, 2);
        let r = cpu.read(0x4);
        cpu.write(0x4, 3);
        let r2 = cpu.read(0x4);
        settle(&mut cpu, &mut regs, &mut t);
        assert_eq!(cpu.poll(r), Some(2));
        assert_eq!(cpu.poll(r2), Some(3));
        let order: Vec<(bool, u32)> = regs.log.iter().map(|&(_, w, a)| (w, a)).collect();
        assert_eq!(order, [(true, 0), (true, 4), (false, 4), (true, 4), (false, 4)]);
        // each request goes out the cycle after the previous response: the
        // read waited for the posted writes' B, nothing waited for the CPU
        let edges: Vec<u64> = regs.log.iter().map(|e| e.0).collect();
        assert_eq!(edges, [38, 41, 44, 47, 50]);
        let expected = concat!(
            "     40 reg-w  0x0000 CTRL = 0x00000001\n",
            "     43 reg-w  0x0004 = 0x00000002\n",
            "     46 reg-r  0x0004 = 0x00000002\n",
            "     49 reg-w  0x0004 = 0x00000003\n",
            "     52 reg-r  0x0004 = 0x00000003\n",
        );
        assert_eq!(t.render(&|a| (a == 0).then_some("CTRL")), expected);
    }

    #[test]
    fn late_requests_pay_the_full_request_latency() {
        let mut cpu = AxilMaster::new(AxilConfig::default()).unwrap();
        let mut regs = RegFile::new(1);
        let mut t = Trace::disabled();
        cpu.write(0, 1);
        settle(&mut cpu, &mut regs, &mut t);
        let now = cpu.cycle();
        cpu.write(4, 2);
        settle(&mut cpu, &mut regs, &mut t);
        assert_eq!(regs.log[1].0, now + 38);
    }

    #[test]
    fn error_responses_are_counted_and_kept() {
        let mut cpu = AxilMaster::new(AxilConfig { request_latency_cycles: 2, response_latency_cycles: 2 }).unwrap();
        let mut regs = RegFile::new(1);
        let mut t = Trace::new();
        cpu.write(0x400, 5);
        let r = cpu.read(0x400);
        settle(&mut cpu, &mut regs, &mut t);
        let c = cpu.poll_completion(r).unwrap();
        assert_eq!(c.result(), Err(BusError { addr: 0x400, write: false, resp: resp::SLVERR, cycle: c.cycle }));
        assert_eq!(cpu.stats().slverr, 2);
        let errors = cpu.take_errors();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].write && !errors[1].write);
        assert_eq!(errors[0].to_string(), "register write at 0x0400 got SLVERR (cycle 3)");
        assert_eq!(cpu.errors().count(), 0);
        assert_eq!(
            t.render(&no_names),
            "      3 reg-w  0x0400 = 0x00000005 SLVERR\n      5 reg-r  0x0400 = 0xdeadbeef SLVERR\n"
        );
    }

    #[test]
    fn unasked_for_responses_are_protocol_errors() {
        let mut cpu = AxilMaster::new(AxilConfig::default()).unwrap();
        let mut regs = RegFile::new(1);
        let mut t = Trace::new();
        regs.spurious_b_at = Some(3);
        cpu.write(0, 9);
        settle(&mut cpu, &mut regs, &mut t);
        assert_eq!(cpu.stats().protocol_errors, 1);
        assert_eq!((cpu.stats().writes, regs.regs[0]), (1, 9));
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn zero_latencies_are_refused() {
        assert!(AxilMaster::new(AxilConfig { request_latency_cycles: 0, ..Default::default() }).is_err());
        assert!(AxilMaster::new(AxilConfig { response_latency_cycles: 0, ..Default::default() }).is_err());
    }

    #[test]
    fn unclaimed_results_are_bounded() {
        let mut cpu = AxilMaster::new(AxilConfig { request_latency_cycles: 1, response_latency_cycles: 1 }).unwrap();
        let mut regs = RegFile::new(1);
        let mut t = Trace::disabled();
        let first = cpu.read(0);
        for _ in 0..MAX_UNCLAIMED {
            cpu.read(0);
        }
        settle(&mut cpu, &mut regs, &mut t);
        assert_eq!(cpu.stats().unclaimed_dropped, 1);
        assert_eq!(cpu.poll(first), None);
    }

    proptest! {
        /// Random programs against a reference register array: every read
        /// sees the latest earlier write, and the bus saw program order.
        #[test]
        fn reads_see_program_order(
            ops in proptest::collection::vec((any::<bool>(), 0u32..18, any::<u32>(), 0u64..40), 1..40),
            slave_latency in 1u64..5,
            req in 1u64..50,
            rsp in 1u64..50,
        ) {
            let mut cpu = AxilMaster::new(AxilConfig { request_latency_cycles: req, response_latency_cycles: rsp }).unwrap();
            let mut regs = RegFile::new(slave_latency);
            let mut t = Trace::new();
            let mut reference = [0u32; REGS];
            let mut expected = Vec::new();
            let mut program = Vec::new();
            for (is_write, reg, value, pause) in ops {
                let addr = reg * 4;
                if is_write {
                    cpu.write(addr, value);
                    if let Some(r) = reference.get_mut(reg as usize) { *r = value; }
                } else {
                    let ticket = cpu.read(addr);
                    expected.push((ticket, reference.get(reg as usize).copied()));
                }
                program.push((is_write, addr));
                for _ in 0..pause {
                    step(&mut cpu, &mut regs, &mut t);
                }
            }
            settle(&mut cpu, &mut regs, &mut t);
            for (ticket, want) in expected {
                let c = cpu.poll_completion(ticket).unwrap();
                match want {
                    Some(v) => prop_assert_eq!(c.result(), Ok(v)),
                    None => prop_assert_eq!(c.resp, resp::SLVERR),
                }
            }
            let order: Vec<(bool, u32)> = regs.log.iter().map(|&(_, w, a)| (w, a)).collect();
            prop_assert_eq!(order, program);
            prop_assert_eq!(t.len(), regs.log.len());
            prop_assert_eq!(cpu.stats().protocol_errors, 0);
        }
    }
}
