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
//! - no AXI protocol error on the host memory bus;
//! - the driver's reset brings the device back: a last batch each way goes
//!   through whole, byte-exact.

mod nic_common;

use bytes::Bytes;
use nic_common::*;
use verinic::cosim::machine::frame_seq;
use verinic::cosim::Machine;
use verinic::rng::Rng;
use verinic_driver::{regs, CpuCosts, DriverConfig, Platform};
use verinic_sim::nic::NicConfig;
use verinic_sim::trace::Event;
use verinic_sim::xgmii::{EncoderConfig, TxFrame};

/// Longest a register access may take, CPU issue to completion (the MMIO
/// round trip is about 76 device cycles, 0.5 us).
const ACCESS_BOUND_NS: u64 = 10_000;

/// TX sequence numbers start here, apart from RX's.
const TX_BASE: u32 = 1 << 24;

fn traced_machine() -> Machine {
    let nic = NicConfig { trace: true, ..NicConfig::default() };
    machine(DriverConfig::default(), CpuCosts::default(), EncoderConfig::default(), nic)
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
}

impl Bench {
    fn new() -> Self {
        let m = traced_machine();
        let r = m.driver.dma_regions();
        Bench {
            m,
            rx_sent: 0,
            tx_sent: 0,
            allowed: [vec![r.rx_buffers], vec![r.rx_ring], vec![r.tx_ring]],
            writes_checked: 0,
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

    fn check_writes(&mut self) {
        for rec in self.m.world.nic.trace_mut().take_records() {
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
        assert!(self.writes_checked > 0);
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
    b
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
    misprogram(|b| {
        b.write(regs::RDT, 4000);
        b.write(regs::TDT, 300);
    });
}

#[test]
fn unaligned_ring_base() {
    misprogram(|b| {
        let base = b.m.driver.ring_state().rx_base;
        b.write(regs::RDBAL, base as u32 + 8);
        assert_eq!(u64::from(b.read(regs::RDBAL)), base & 0xFFFF_FFF0, "RDBAL bits 3:0 read 0");
    });
}

#[test]
fn buffer_size_changed_mid_traffic() {
    misprogram(|b| {
        // BSIZE 256 (bits 17:16 = 3): the driver's 2048-byte buffers are larger, frames span more
        let rctl = b.read(regs::RCTL);
        b.write(regs::RCTL, (rctl & !(3 << 16)) | (3 << 16));
    });
}

#[test]
fn rings_moved_while_enabled() {
    misprogram(|b| {
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
}

#[test]
fn register_fuzzer() {
    let mut b = Bench::new();
    let mut rng = Rng::new(0xF022_0013);
    b.offer(20);
    b.run(40);
    let mut accesses = 0;
    for round in 0..40 {
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
                // CTRL.RST now and then, not every other write
                let v = if off == regs::CTRL && rng.range(0, 4) != 0 { v & !regs::CTRL_RST } else { v };
                b.write(off, v);
            }
            accesses += 1;
        }
        // Traffic goes on while the registers are wrong; writes to ring
        // bases the fuzzer made up are not checked against the driver's
        // regions (they are where the fuzzer pointed), only that the bus
        // stays sound.
        b.m.world.nic.trace_mut().take_records();
        if round % 4 == 0 {
            b.offer(5);
        }
        let t = b.m.now_ns() + rng.range(1_000, 20_000) as u64;
        let cycle = b.m.world.nic.cycle();
        b.m.run_until(t);
        assert!(b.m.world.nic.cycle() > cycle, "no progress at device cycle {cycle}");
    }
    assert_eq!(accesses, 2000);
    b.m.world.nic.trace_mut().take_records();
    b.recover();
}
