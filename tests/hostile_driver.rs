//! A hostile or broken driver (docs/nic.md, "Misprogramming"). Well-formed
//! but wrong programming in the middle of RX and TX traffic: ring length 0,
//! a length not a multiple of 128 bytes, a tail beyond the ring, an
//! unaligned base, the buffer size changed, a ring moved while enabled; and a
//! seeded fuzzer writing random values to random registers. Properties:
//!
//! - every register access completes within [`ACCESS_BOUND_NS`] (a
//!   watchdog panics with the cycle, the register and the ring state);
//! - the device writes nothing but where it was pointed: RX data only into
//!   the RX buffers, RX write-backs only into an RX ring as programmed, TX
//!   write-backs only into a TX ring as programmed (checked on every DMA
//!   write in the NIC's trace);
//! - no descriptor used twice: the device writes back only slots the driver
//!   gave it since their last write-back, in ring order
//!   (`nic_common::ownership`, followed from register writes and write-backs
//!   in the trace);
//! - under the fuzzer, every DMA write lands inside a ring as the fuzzer's
//!   own register writes programmed it (write-backs) or inside a buffer named
//!   by a descriptor the device read (RX data), checked against a mirror of
//!   the registers ([`DmaReference`]), not against the driver's regions;
//! - no AXI protocol error on the host memory bus;
//! - the driver's reset brings the device back: a last batch each way goes
//!   through whole, byte-exact;
//! - no unreset (X) state reaches an output: the fuzzer's run gives the same
//!   outputs cycle by cycle from random initial state as from all zeros.

mod nic_common;

use bytes::Bytes;
use nic_common::*;
use std::collections::BTreeMap;
use verinic::cosim::machine::frame_seq;
use verinic::cosim::Machine;
use verinic::rng::Rng;
use verinic_driver::{regs, CpuCosts, DriverConfig, Platform};
use verinic_sim::nic::NicConfig;

use nic_common::ownership::Ownership;
use verinic_sim::bus::axi::resp;
use verinic_sim::nic::OutputLog;
use verinic_sim::ports::VerinicNicPorts;
use verinic_sim::trace::{Event, Record};
use verinic_sim::xgmii::{EncoderConfig, TxFrame};
use verinic_sim::{Profile, SimOptions};

/// Longest a register access may take, CPU issue to completion (the MMIO
/// round trip is about 76 device cycles, 0.5 us).
const ACCESS_BOUND_NS: u64 = 10_000;

/// TX sequence numbers start here, apart from RX's.
const TX_BASE: u32 = 1 << 24;

fn traced_machine(options: &SimOptions, outputs: bool) -> Machine {
    let nic = NicConfig { trace: true, ..NicConfig::default() };
    let mut world = verinic::cosim::World::new(options, &nic, EncoderConfig::default()).expect("NIC model");
    world.nic.record_outputs(outputs);
    let mut m = Machine::new(world, DriverConfig::default(), CpuCosts::default(), verinic::cosim::AppConfig::default())
        .expect("driver probe");
    m.keep_frames = true;
    m.world.keep_tx_frames = true;
    m
}

fn test_frame(seq: u32) -> Vec<u8> {
    frame([60, 64, 300, 1000, 1514][seq as usize % 5], seq)
}

/// The machine, what it was sent and where the device may write.
struct Bench {
    m: Machine,
    rx_sent: u32,
    tx_sent: u32,
    /// Allowed (start, len) per write ID: 0 RX data, 1 RX write-back, 2 TX write-back.
    allowed: [Vec<(u64, u64)>; 3],
    writes_checked: u64,
    /// Descriptor ownership, followed from the trace.
    own: Ownership,
    /// The fuzzer's reference: replaces `allowed` when set.
    reference: Option<DmaReference>,
}

impl Bench {
    fn new() -> Self {
        Self::with(&SimOptions::default(), false)
    }

    /// On a model built with `options`, logging every output if `outputs`.
    fn with(options: &SimOptions, outputs: bool) -> Self {
        let m = traced_machine(options, outputs);
        let r = m.driver.dma_regions();
        Bench {
            m,
            rx_sent: 0,
            tx_sent: 0,
            allowed: [vec![r.rx_buffers], vec![r.rx_ring], vec![r.tx_ring]],
            writes_checked: 0,
            own: Ownership::new(),
            reference: None,
        }
    }

    /// A register write, bounded.
    fn write(&mut self, off: u32, v: u32) {
        let ns = self.m.with_host(|_, h| {
            let t = h.now_ns();
            h.write_reg(off, v);
            h.now_ns() - t
        });
        self.bounded(off, ns);
    }

    /// A register read, bounded.
    fn read(&mut self, off: u32) -> u32 {
        let (v, ns) = self.m.with_host(|_, h| {
            let t = h.now_ns();
            let v = h.read_reg(off);
            (v, h.now_ns() - t)
        });
        self.bounded(off, ns);
        v
    }

    /// The watchdog: an access that took too long fails with where it was.
    fn bounded(&self, off: u32, ns: u64) {
        assert!(
            ns <= ACCESS_BOUND_NS,
            "register {off:#06x} ({:?}) took {ns} ns (bound {ACCESS_BOUND_NS}) at device cycle {}; rings {:?}",
            regs::name(off),
            self.m.world.nic.cycle(),
            self.m.driver.ring_state()
        );
    }

    fn offer(&mut self, n: u32) {
        for _ in 0..n {
            self.m.world.wire_in(TxFrame::new(test_frame(self.rx_sent)));
            self.rx_sent += 1;
            if self.m.send_frame(Bytes::from(test_frame(TX_BASE + self.tx_sent))).is_ok() {
                self.tx_sent += 1;
            }
        }
    }

    /// Runs `us` of simulated time in 10 us steps, checking every DMA write
    /// and that the device clock moves (a watchdog against a stuck loop).
    fn run(&mut self, us: u64) {
        for _ in 0..us.div_ceil(10) {
            let cycle = self.m.world.nic.cycle();
            let t = self.m.now_ns() + 10_000;
            self.m.run_until(t);
            assert!(self.m.world.nic.cycle() > cycle, "no progress at device cycle {cycle}");
            self.check_writes();
        }
    }

    /// Every record of the trace so far through the ownership model and the
    /// DMA write check (the driver's regions, or the fuzzer's reference).
    fn check_writes(&mut self) {
        for rec in self.m.world.nic.trace_mut().take_records() {
            if let Err(e) = self.own.observe(&rec) {
                panic!("{e}; driver rings {:?}", self.m.driver.ring_state());
            }
            if let Some(reference) = &mut self.reference {
                if let Err(e) = reference.observe(&rec) {
                    panic!("{e}");
                }
                continue;
            }
            if let Event::DmaWrite { id, addr, len, .. } = rec.event {
                let regions = &self.allowed[usize::from(id.min(2))];
                let inside = regions.iter().any(|&(s, l)| addr >= s && addr + len <= s + l);
                assert!(
                    id <= 2 && inside,
                    "cycle {}: DMA write id {id} at {addr:#x}+{len} outside {regions:x?}; rings {:?}",
                    rec.cycle,
                    self.m.driver.ring_state()
                );
                self.writes_checked += 1;
            }
        }
    }

    /// Reset through the driver, then a last batch each way must pass whole.
    fn recover(&mut self) {
        self.m.with_host(|d, h| d.reset_device(h)).expect("the reset completes");
        // Until the driver's last writes land (RCTL.EN), arriving frames are discarded.
        self.run(10);
        let (rx0, tx0) = (self.rx_sent, self.tx_sent);
        let wb0 = self.own.rings.clone().map(|r| r.writebacks_checked);
        self.offer(30);
        self.run(400);
        let rx: Vec<u32> = self.m.delivered_frames.iter().map(|b| checked_seq(b)).collect();
        assert!(rx.windows(2).all(|w| w[0] < w[1]), "rx twice or out of order");
        assert!(rx.ends_with(&(rx0..self.rx_sent).collect::<Vec<_>>()), "rx did not come back");
        let tx: Vec<u32> = self.m.world.tx_frames.iter().map(|f| checked_seq(&f.bytes)).collect();
        assert!(tx.windows(2).all(|w| w[0] < w[1]), "tx twice or out of order");
        assert!(tx.ends_with(&(TX_BASE + tx0..TX_BASE + self.tx_sent).collect::<Vec<_>>()), "tx did not come back");
        let census = self.m.driver.buffer_census();
        assert!(census.conserved(), "{census:?}");
        assert_eq!(self.m.world.nic.memory().stats().protocol_errors, 0);
        assert!(self.writes_checked > 0 || self.reference.as_ref().is_some_and(|r| r.checked > 0));
        // the ownership model followed the traffic after the reset
        let [rx, tx] = &self.own.rings;
        assert!(
            rx.writebacks_checked >= wb0[0] + 30 && tx.writebacks_checked >= wb0[1] + 30,
            "ownership not followed after the reset: {rx:?} {tx:?}"
        );
    }
}

/// A frame's sequence number, the frame checked byte for byte.
fn checked_seq(bytes: &[u8]) -> u32 {
    let seq = frame_seq(bytes).expect("a test frame");
    let mut want = test_frame(seq);
    want.resize(want.len().max(60), 0);
    assert_eq!(bytes, &want[..], "frame {seq} is not what was sent");
    seq
}

/// Traffic, then `wrong` mid-traffic, more traffic, then recovery.
fn misprogram(wrong: impl FnOnce(&mut Bench)) -> Bench {
    let mut b = Bench::new();
    b.offer(20);
    b.run(60);
    wrong(&mut b);
    b.offer(40);
    b.run(300);
    b.recover();
    assert_eq!(b.own.driver_faults, 0, "the driver gave a slot the device owned");
    b
}

/// The misprogramming keeps the rings' slots where they were: ownership is
/// followed through it, not only after the reset.
fn followed_throughout(b: &Bench) {
    assert_eq!(b.own.unfollowed, 0, "{:?}", b.own.rings);
}

#[test]
fn ownership_on_normal_traffic() {
    let mut b = Bench::new();
    for _ in 0..8 {
        b.offer(40);
        b.run(100);
    }
    let [rx, tx] = &b.own.rings;
    // more than the driver's rings (256 descriptors each): both wrapped
    let ring = DriverConfig::default().rx_ring.max(DriverConfig::default().tx_ring) as u64;
    assert!(rx.writebacks_checked > ring && tx.writebacks_checked > ring, "{rx:?} {tx:?}");
    assert!(rx.slots_given > ring && tx.slots_given > ring, "{rx:?} {tx:?}");
    assert_eq!((b.own.driver_faults, b.own.unfollowed), (0, 0));
    b.recover();
}

#[test]
fn ring_length_zero() {
    misprogram(|b| {
        b.write(regs::RDLEN, 0);
        b.write(regs::TDLEN, 0);
    });
}

#[test]
fn ring_length_not_a_multiple_of_128() {
    let mut b = Bench::new();
    b.offer(20);
    b.run(60);
    // 8 descriptors each: below where the device's fetch pointers are by now
    b.write(regs::RDLEN, 200);
    b.write(regs::TDLEN, 250);
    assert_eq!(b.read(regs::RDLEN), 128, "RDLEN keeps whole 128-byte blocks");
    assert_eq!(b.read(regs::TDLEN), 128);
    // What was in flight lands; from then on the rings are as programmed:
    // 8 descriptors each, and the device must stay inside them.
    b.run(20);
    let r = b.m.driver.dma_regions();
    b.allowed[1] = vec![(r.rx_ring.0, 128)];
    b.allowed[2] = vec![(r.tx_ring.0, 128)];
    b.offer(40);
    b.run(300);
    let r = b.m.driver.dma_regions();
    b.allowed[1] = vec![r.rx_ring];
    b.allowed[2] = vec![r.tx_ring];
    b.recover();
}

#[test]
fn tail_beyond_the_ring() {
    let b = misprogram(|b| {
        b.write(regs::RDT, 4000);
        b.write(regs::TDT, 300);
    });
    followed_throughout(&b);
}

#[test]
fn unaligned_ring_base() {
    let b = misprogram(|b| {
        let base = b.m.driver.ring_state().rx_base;
        b.write(regs::RDBAL, base as u32 + 8);
        assert_eq!(u64::from(b.read(regs::RDBAL)), base & 0xFFFF_FFF0, "RDBAL bits 3:0 read 0");
    });
    followed_throughout(&b);
}

#[test]
fn buffer_size_changed_mid_traffic() {
    let b = misprogram(|b| {
        // BSIZE 256 (bits 17:16 = 3): the driver's 2048-byte buffers are larger, frames span more
        let rctl = b.read(regs::RCTL);
        b.write(regs::RCTL, (rctl & !(3 << 16)) | (3 << 16));
    });
    followed_throughout(&b);
}

#[test]
fn rings_moved_while_enabled() {
    let b = misprogram(|b| {
        let r = b.m.driver.dma_regions();
        for (ring, bal, bah, id) in [(r.rx_ring, regs::RDBAL, regs::RDBAH, 1), (r.tx_ring, regs::TDBAL, regs::TDBAH, 2)]
        {
            // A copy of the ring somewhere else the driver mapped.
            let new = b.m.with_host(|_, h| {
                let new = h.dma_alloc(ring.1 as usize, 4096);
                let mut bytes = vec![0u8; ring.1 as usize];
                h.dma_read(ring.0, &mut bytes);
                h.dma_write(new, &bytes);
                new
            });
            b.allowed[id].push((new, ring.1));
            b.write(bal, new as u32);
            b.write(bah, (new >> 32) as u32);
        }
    });
    followed_throughout(&b);
}

/// How long after a CTRL.RST write transfers begun before it may still land
/// (the reset drains the bus first; generous).
const DRAIN_CYCLES: u64 = 2_000;

/// How much earlier than its B response the device may act on a register
/// write (the write lands in the register file a few cycles before B).
const REG_SLACK_CYCLES: u64 = 32;

/// One programming of a ring: where it was, from when, and until when
/// transfers it started may land.
#[derive(Debug, Clone)]
struct Programming {
    base: u64,
    bytes: u64,
    from: u64,
    dead_after: Option<u64>,
}

impl Programming {
    fn holds(&self, cycle: u64, addr: u64, len: u64) -> bool {
        self.from <= cycle + REG_SLACK_CYCLES
            && self.dead_after.is_none_or(|d| cycle <= d)
            && addr >= self.base
            && addr + len <= self.base + self.bytes
    }
}

/// A ring as the register writes in the trace programmed it, with the
/// documented masking (docs/nic.md: base bits 3:0 read 0, the length whole
/// 128-byte blocks, bits 16:7), and every earlier programming.
#[derive(Debug, Default)]
struct RingMirror {
    bal: u32,
    bah: u32,
    len: u32,
    history: Vec<Programming>,
}

impl RingMirror {
    fn program(&mut self, cycle: u64) {
        let base = (u64::from(self.bah) << 32) | u64::from(self.bal & !0xF);
        let bytes = u64::from(self.len & 0x1_FF80);
        self.history.push(Programming { base, bytes, from: cycle, dead_after: None });
    }

    fn holds(&self, cycle: u64, addr: u64, len: u64) -> bool {
        self.history.iter().any(|p| p.holds(cycle, addr, len))
    }

    /// The programmings not yet dead, newest first.
    fn live(&self, cycle: u64) -> Vec<String> {
        self.history
            .iter()
            .rev()
            .filter(|p| p.dead_after.is_none_or(|d| cycle <= d))
            .map(|p| format!("{:#x}+{} from {}", p.base, p.bytes, p.from))
            .collect()
    }
}

/// The fuzzer's reference for "the device never writes host memory outside
/// the rings and buffers the descriptors name", built from the trace alone:
/// register writes (a mirror of the ring registers and RCTL.BSIZE), RX
/// descriptor reads (the buffers they name, decoded from the bytes the read
/// got) and CTRL.RST (after which what was programmed or fetched before dies,
/// once the bus has drained).
#[derive(Debug)]
struct DmaReference {
    rings: [RingMirror; 2],
    /// (cycle, buffer bytes) of every RCTL write.
    bsize: Vec<(u64, u64)>,
    /// RX buffer address -> cycle of its latest fetch.
    buffers: BTreeMap<u64, u64>,
    resets: Vec<u64>,
    /// The driver's own regions, to count writes the fuzzer placed elsewhere.
    driver: [(u64, u64); 4],
    checked: u64,
    by_id: [u64; 3],
    elsewhere: u64,
    descriptors_decoded: u64,
}

impl DmaReference {
    fn new(r: verinic_driver::recover::DmaRegions) -> Self {
        let mut rings = [RingMirror::default(), RingMirror::default()];
        for ring in &mut rings {
            ring.program(0);
        }
        DmaReference {
            rings,
            bsize: vec![(0, 2048)],
            buffers: BTreeMap::new(),
            resets: Vec::new(),
            driver: [r.rx_ring, r.rx_buffers, r.tx_ring, r.tx_buffers],
            checked: 0,
            by_id: [0; 3],
            elsewhere: 0,
            descriptors_decoded: 0,
        }
    }

    /// A reset at `cycle` or later kills what was fetched at `since` before `at`.
    fn reset_between(&self, since: u64, at: u64) -> bool {
        self.resets.iter().any(|&r| r >= since && r + DRAIN_CYCLES < at)
    }

    fn largest_bsize(&self, from: u64, to: u64) -> u64 {
        let at_from = self.bsize.iter().rev().find(|(c, _)| *c <= from).map_or(2048, |&(_, b)| b);
        self.bsize.iter().filter(|(c, _)| *c > from && *c <= to).map(|&(_, b)| b).fold(at_from, u64::max)
    }

    fn state(&self, cycle: u64) -> String {
        format!(
            "RX ring programmings live {:?}; TX ring {:?}; RCTL buffer size {:?}; {} RX buffers named",
            self.rings[0].live(cycle),
            self.rings[1].live(cycle),
            self.bsize.last(),
            self.buffers.len()
        )
    }

    fn observe(&mut self, rec: &Record) -> Result<(), String> {
        let cycle = rec.cycle;
        match &rec.event {
            Event::RegWrite { addr, value, resp: r } if *r == resp::OKAY => {
                let v = *value;
                match *addr {
                    regs::CTRL if v & regs::CTRL_RST != 0 => {
                        // every register is reset: what was programmed before dies once drained
                        self.resets.push(cycle);
                        for ring in &mut self.rings {
                            for p in &mut ring.history {
                                p.dead_after.get_or_insert(cycle + DRAIN_CYCLES);
                            }
                            (ring.bal, ring.bah, ring.len) = (0, 0, 0);
                            ring.program(cycle);
                        }
                        self.bsize.push((cycle, 2048));
                    }
                    regs::RCTL => {
                        self.bsize.push((cycle, 2048 >> ((v >> regs::RCTL_BSIZE_SHIFT) & 3)));
                    }
                    a @ (regs::RDBAL | regs::RDBAH | regs::RDLEN | regs::TDBAL | regs::TDBAH | regs::TDLEN) => {
                        let ring = &mut self.rings[usize::from(a >= regs::TDBAL)];
                        match a {
                            regs::RDBAL | regs::TDBAL => ring.bal = v,
                            regs::RDBAH | regs::TDBAH => ring.bah = v,
                            _ => ring.len = v,
                        }
                        ring.program(cycle);
                    }
                    _ => {}
                }
            }
            Event::DmaRead { id, addr, len, resp: r, head } if *id <= 1 => {
                // descriptor fetches: only from a ring as programmed
                if !self.rings[usize::from(*id)].holds(cycle, *addr, *len) {
                    return Err(format!(
                        "cycle {cycle}: descriptor read id {id} at {addr:#x}+{len} outside the ring; {}",
                        self.state(cycle)
                    ));
                }
                if *id == 0 && *r == resp::OKAY {
                    if head.as_slice().len() as u64 != *len {
                        return Err(format!("cycle {cycle}: RX descriptor read of {len} bytes, too long to decode"));
                    }
                    for d in head.as_slice().chunks_exact(16) {
                        let buffer = u64::from_le_bytes(d[..8].try_into().unwrap());
                        self.buffers.insert(buffer, cycle);
                        self.descriptors_decoded += 1;
                    }
                }
            }
            Event::DmaWrite { id, addr, len, .. } => {
                let (id, addr, len) = (*id, *addr, *len);
                let ok = match id {
                    0 => self.buffers.range(addr.saturating_sub(2048 + 16)..=addr).any(|(&buffer, &fetched)| {
                        // whole 16-byte beats from the buffer's start
                        let end = (buffer + self.largest_bsize(fetched, cycle) + 15) & !15;
                        fetched <= cycle && !self.reset_between(fetched, cycle) && addr + len <= end
                    }),
                    1 | 2 => self.rings[usize::from(id - 1)].holds(cycle, addr, len),
                    _ => false,
                };
                if !ok {
                    return Err(format!(
                        "cycle {cycle}: DMA write id {id} at {addr:#x}+{len} is outside every {}; {}",
                        ["RX buffer a fetched descriptor named", "RX ring as programmed", "TX ring as programmed"]
                            .get(usize::from(id))
                            .unwrap_or(&"place (unknown ID)"),
                        self.state(cycle)
                    ));
                }
                self.checked += 1;
                self.by_id[usize::from(id)] += 1;
                if !self.driver.iter().any(|&(s, l)| addr >= s && addr + len <= s + l) {
                    self.elsewhere += 1;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Accesses the fuzzer makes: 40 rounds of 50.
const FUZZ_ROUNDS: usize = 40;

/// The seeded register fuzzer: random values to random registers (a quarter
/// to any offset), traffic between rounds. Half the ring bases it writes lie
/// in memory the driver mapped and half the lengths are short, so that the
/// device does fetch and write at places the fuzzer chose.
fn fuzz(b: &mut Bench, seed: u64) -> usize {
    let r = b.m.driver.dma_regions();
    let mapped = [r.rx_ring, r.rx_buffers, r.tx_ring, r.tx_buffers];
    let mut rng = Rng::new(seed);
    b.offer(20);
    b.run(40);
    let mut accesses = 0;
    for round in 0..FUZZ_ROUNDS {
        for _ in 0..50 {
            let off = if rng.range(0, 4) == 0 {
                (rng.range(0, 0x4000) * 4) as u32
            } else {
                regs::ALL[rng.range(0, regs::ALL.len() - 1)].1
            };
            if rng.range(0, 2) == 0 {
                b.read(off);
            } else {
                let v = rng.next_u64() as u32;
                let coin = rng.range(0, 1) == 0;
                let (s, l) = mapped[rng.range(0, 3)];
                let place = s + rng.range(0, l as usize - 1) as u64;
                let v = match off {
                    // CTRL.RST now and then, not every other write
                    regs::CTRL if rng.range(0, 4) != 0 => v & !regs::CTRL_RST,
                    regs::RDBAL | regs::TDBAL if coin => place as u32,
                    regs::RDBAH | regs::TDBAH if coin => (place >> 32) as u32,
                    regs::RDLEN | regs::TDLEN if coin => v & 0x7FF,
                    _ => v,
                };
                b.write(off, v);
            }
            accesses += 1;
        }
        b.check_writes();
        b.offer(if round % 4 == 0 { 5 } else { 2 });
        let t = b.m.now_ns() + rng.range(1_000, 20_000) as u64;
        let cycle = b.m.world.nic.cycle();
        b.m.run_until(t);
        assert!(b.m.world.nic.cycle() > cycle, "no progress at device cycle {cycle}");
        b.check_writes();
    }
    accesses
}

/// The fuzzer's bench: DMA writes checked against [`DmaReference`].
fn fuzz_bench(options: &SimOptions, outputs: bool) -> Bench {
    let mut b = Bench::with(options, outputs);
    b.reference = Some(DmaReference::new(b.m.driver.dma_regions()));
    b
}

const FUZZ_SEED: u64 = 0xF022_0013;

#[test]
fn register_fuzzer() {
    let mut b = fuzz_bench(&SimOptions::default(), false);
    assert_eq!(fuzz(&mut b, FUZZ_SEED), 50 * FUZZ_ROUNDS);
    b.recover();
    let r = b.reference.as_ref().unwrap();
    eprintln!(
        "fuzzer: {} DMA writes checked (RX data, RX write-back, TX write-back: {:?}), {} outside the driver's \
         regions; {} RX descriptors decoded; ownership: {} write-backs checked, {} unfollowed, {} driver faults",
        r.checked,
        r.by_id,
        r.elsewhere,
        r.descriptors_decoded,
        b.own.checked(),
        b.own.unfollowed,
        b.own.driver_faults
    );
    assert!(r.checked > 100 && r.by_id.iter().all(|&n| n > 0), "{:?}", r.by_id);
    assert!(r.elsewhere > 0, "no write at a place the fuzzer chose: the check saw only the driver's rings");
}

/// Port `p` is compared only while this output is 1: an AXI payload only
/// while its channel's VALID (AXI: the payload is undefined otherwise, and
/// data registers have no reset, docs/rtl-style.md). Every other output
/// (handshakes, XGMII, the interrupt, the FIFO count) is compared always.
fn qualifier(port: &str) -> Option<usize> {
    let names: Vec<&str> = VerinicNicPorts::OUTPUTS.iter().map(|p| p.0).collect();
    let (prefix, rest) = ["m_axi_", "s_axil_"].iter().find_map(|p| port.strip_prefix(p).map(|r| (*p, r)))?;
    if rest.ends_with("valid") || rest.ends_with("ready") {
        return None;
    }
    let channel = ["ar", "aw", "w", "r", "b"].iter().find(|c| rest.starts_with(*c))?;
    names.iter().position(|n| *n == format!("{prefix}{channel}valid"))
}

/// The first edge and port where two output logs differ.
fn first_difference(a: &OutputLog, b: &OutputLog) -> Option<String> {
    if a.first_cycle != b.first_cycle || a.cycles() != b.cycles() {
        return Some(format!(
            "logs cover cycles {}+{} and {}+{}",
            a.first_cycle,
            a.cycles(),
            b.first_cycle,
            b.cycles()
        ));
    }
    let quals: Vec<Option<usize>> = VerinicNicPorts::OUTPUTS.iter().map(|p| qualifier(p.0)).collect();
    let w = OutputLog::WORDS_PER_CYCLE;
    for i in 0..a.cycles() {
        if a.words[i * w..(i + 1) * w] == b.words[i * w..(i + 1) * w] {
            continue;
        }
        let pa: Vec<_> = a.ports(i).collect();
        let pb: Vec<_> = b.ports(i).collect();
        for (k, ((name, va), (_, vb))) in pa.iter().zip(&pb).enumerate() {
            let compared = quals[k].is_none_or(|q| pa[q].1[0] != 0);
            if compared && va != vb {
                return Some(format!(
                    "cycle {}: port {name} is {va:x?}, {vb:x?} from all zeros",
                    a.first_cycle + i as u64
                ));
            }
        }
    }
    None
}

fn fuzzed_outputs(options: &SimOptions) -> OutputLog {
    let mut b = fuzz_bench(options, true);
    fuzz(&mut b, FUZZ_SEED);
    b.recover();
    b.m.world.nic.take_output_log()
}

#[test]
fn no_unreset_state_reaches_an_output() {
    let zero = SimOptions { profile: Profile::Debug, ..Default::default() };
    let reference = fuzzed_outputs(&zero);
    assert!(reference.cycles() > 100_000, "{} cycles", reference.cycles());
    for seed in [1, 7, 0xC0FFEE] {
        let log = fuzzed_outputs(&SimOptions { random_reset: true, seed, ..zero.clone() });
        if let Some(d) = first_difference(&log, &reference) {
            panic!("seed {seed}: an output depends on state without a reset: {d}");
        }
    }
}
