//! verinic_desc_fetch and verinic_desc_wb against reference rings.
//!
//! Fetch: a driver model advances the tail at random; every descriptor it
//! gives must come out once, in ring order, with its index and the bytes of
//! host memory at its slot; read bursts stay inside the ring, the 4 KiB page,
//! MAX_BURST and the cache, and ask only for descriptors the driver gave.
//! Write-back: every descriptor image queued must be written to its slot,
//! bursts hold consecutive slots only, and each B is reported with the
//! burst's count, frame ends, flag and next index. Random stalls on every
//! interface; two parameter sets each.

use std::collections::VecDeque;

use verinic_sim::bus::axi::{AxiMasterOut, AxiSlaveOut};
use verinic_sim::bus::check::{AxiChecker, HandshakeChecker};
use verinic_sim::ports::{DescFetchPorts, DescFetchSmallPorts, DescWbPorts, DescWbSmallPorts};
use verinic_sim::tb::{mem_word, reset_sim, Prng, ReadSlave, SlaveTiming, WriteSlave};

use crate::SEEDS;

// ---------------------------------------------------------------------------
// Fetch

trait FetchIo: verinic_sim::model::Ports {
    const CACHE: u64;
    const MAX_BURST: u64;
    fn set_rst(&self, v: bool);
    fn cfg(&self, enable: bool, base: u64, size: u16, tail: u16);
    fn master(&self) -> AxiMasterOut;
    fn drive_slave(&self, s: &AxiSlaveOut, m_ready: bool);
    fn out(&self) -> (bool, u16, u128, bool);
}

macro_rules! fetch_io {
    ($t:ty, $cache:expr, $burst:expr) => {
        impl FetchIo for $t {
            const CACHE: u64 = $cache;
            const MAX_BURST: u64 = $burst;
            fn set_rst(&self, v: bool) {
                <$t>::set_rst(self, v)
            }
            fn cfg(&self, enable: bool, base: u64, size: u16, tail: u16) {
                self.set_cfg_enable(enable);
                self.set_cfg_ring_base(base);
                self.set_cfg_ring_size(size);
                self.set_cfg_tail(tail);
            }
            fn master(&self) -> AxiMasterOut {
                AxiMasterOut {
                    ar_addr: self.ar_addr(),
                    ar_len: self.ar_len(),
                    ar_size: 4,
                    ar_burst: 1,
                    ar_valid: self.ar_valid(),
                    r_ready: true,
                    b_ready: true,
                    ..Default::default()
                }
            }
            fn drive_slave(&self, s: &AxiSlaveOut, m_ready: bool) {
                self.set_ar_ready(s.ar_ready);
                self.set_r_data(s.r_data);
                self.set_r_valid(s.r_valid);
                self.set_m_ready(m_ready);
            }
            fn out(&self) -> (bool, u16, u128, bool) {
                (self.m_valid(), self.m_index(), self.m_desc(), self.status_ring_empty())
            }
        }
    };
}

fetch_io!(DescFetchPorts, 32, 8);
fetch_io!(DescFetchSmallPorts, 8, 3);

fn run_fetch<P: FetchIo>(seed: u64, rings: usize) {
    let mut rng = Prng::new(seed);
    let mut sim = reset_sim::<P>(seed, true, |io, v| io.set_rst(v));
    let timing =
        SlaveTiming { stall_permille: 400, gap_permille: 300, min_latency: 1, extra_latency: 40, reorder: false };
    let mut slave = ReadSlave::new(timing, seed ^ 0xFE7C);
    let mut axi_check = AxiChecker::dma("desc_fetch ar/r").fail_fast();
    let mut out_check = HandshakeChecker::new("desc_fetch m_desc", "m_valid", ["m_index", "m_desc"]).fail_fast();
    let mut cycle = 0u64;
    let mut delivered = 0u64;

    for _ in 0..rings {
        // a ring set up by the driver: base 16-byte aligned anywhere in a page
        let size: u16 = if rng.chance(300) { 8 * (1 + rng.below(64) as u16) } else { 8 + rng.below(40) as u16 };
        let base = (1 + rng.below(1 << 20)) << 12 | rng.below(256) << 4;
        let mut tail: u16 = 0;
        let mut next_out: u16 = 0; // the reference: next index to come out
        let mut given: u64 = 0; // descriptors given, total
        let mut out_total: u64 = 0;
        let target = 200 + rng.below(600);
        let mut asked: u64 = 0; // descriptors requested so far, total
        let mut stop_at: Option<u64> = None;
        loop {
            // the driver: add descriptors, never filling the ring (tail stays != next_out)
            let free = u64::from(size) - 1 - (given - out_total);
            if given < target && free > 0 && rng.chance(100) {
                let add = 1 + rng.below(free.min(u64::from(size) / 2 + 1));
                given += add;
                tail = ((u64::from(tail) + add) % u64::from(size)) as u16;
            }
            let m_ready = rng.chance(600);
            let s = slave.outputs();
            let io = sim.io();
            io.cfg(true, base, size, tail);
            io.drive_slave(&s, m_ready);
            sim.eval();
            let io = sim.io();
            let m = io.master();
            let (valid, index, desc, empty) = io.out();
            axi_check.observe(cycle, &m, &s);
            out_check.observe(cycle, valid, m_ready, [index.into(), desc]);
            if m.ar_valid && s.ar_ready {
                // the request: inside the ring, the given window, the cache and MAX_BURST
                let beats = u64::from(m.ar_len) + 1;
                let first = (m.ar_addr - base) / 16;
                assert_eq!((m.ar_addr - base) % 16, 0, "seed {seed}: unaligned descriptor read");
                assert!(first + beats <= u64::from(size), "seed {seed}: read wraps the ring");
                assert!(beats <= P::MAX_BURST, "seed {seed}: burst of {beats} > MAX_BURST");
                assert_eq!(first, asked % u64::from(size), "seed {seed}: reads not in ring order");
                asked += beats;
                assert!(asked <= given, "seed {seed}: asked for descriptors the driver did not give");
                assert!(asked - out_total <= P::CACHE, "seed {seed}: more in flight and cached than the cache holds");
            }
            if valid {
                assert_eq!(index, next_out, "seed {seed}: descriptor out of order");
                assert_eq!(desc, mem_word(base + 16 * u64::from(index)), "seed {seed}: descriptor {index} bytes");
            }
            // the ring is empty when all given descriptors came out (and only then, after the edge)
            if empty {
                assert_eq!(given, out_total, "seed {seed}: status_ring_empty with descriptors pending");
            }
            if valid && m_ready {
                next_out = (next_out + 1) % size;
                out_total += 1;
                delivered += 1;
            }
            sim.tick();
            slave.clock(&m);
            cycle += 1;
            if given >= target && out_total == given && stop_at.is_none() {
                stop_at = Some(cycle + 5);
            }
            if stop_at.is_some_and(|c| cycle >= c) {
                break;
            }
            assert!(cycle < 5_000_000, "seed {seed}: stuck: given {given} out {out_total} asked {asked} tail {tail} next {next_out} size {size} outstanding {}", slave.outstanding());
        }
        assert!(sim.io().out().3, "seed {seed}: ring done but status_ring_empty low");
        // disable (rewinds to index 0), and stay disabled until reads in flight are absorbed
        let mut quiet = 0;
        while quiet < 3 {
            let s = slave.outputs();
            sim.io().cfg(false, base, size, tail);
            sim.io().drive_slave(&s, false);
            sim.eval();
            let m = sim.io().master();
            axi_check.observe(cycle, &m, &s);
            sim.tick();
            slave.clock(&m);
            cycle += 1;
            quiet = if slave.outstanding() == 0 && !m.ar_valid { quiet + 1 } else { 0 };
        }
    }
    axi_check.assert_clean();
    out_check.assert_clean();
    assert!(delivered > 1000);
}

#[test]
fn desc_fetch_default_params_reference_ring() {
    for seed in SEEDS {
        run_fetch::<DescFetchPorts>(seed, 8);
    }
}

#[test]
fn desc_fetch_small_cache_reference_ring() {
    for seed in SEEDS {
        run_fetch::<DescFetchSmallPorts>(seed, 8);
    }
}

// ---------------------------------------------------------------------------
// Write-back

/// Bits of the images that the NIC's defaults give EOP_BIT and FLAG_BIT
/// (RXD_STA_EOP, TXD_CMD_IDE in rtl/verinic_desc.vh; host-driver/src/desc.rs).
const EOP_BIT: u32 = 97;
const FLAG_BIT: u32 = 95;

trait WbIo: verinic_sim::model::Ports {
    const QUEUE: usize;
    const MAX_BURST: u64;
    fn set_rst(&self, v: bool);
    fn cfg(&self, base: u64, size: u16);
    fn drive_in(&self, valid: bool, image: u128, index: u16);
    fn s_ready(&self) -> bool;
    fn master(&self) -> AxiMasterOut;
    fn drive_slave(&self, s: &AxiSlaveOut);
    /// (count, frames, flag, next, idle)
    fn done(&self) -> (u8, u8, bool, u16, bool);
}

macro_rules! wb_io {
    ($t:ty, $queue:expr, $burst:expr) => {
        impl WbIo for $t {
            const QUEUE: usize = $queue;
            const MAX_BURST: u64 = $burst;
            fn set_rst(&self, v: bool) {
                <$t>::set_rst(self, v)
            }
            fn cfg(&self, base: u64, size: u16) {
                self.set_cfg_ring_base(base);
                self.set_cfg_ring_size(size);
            }
            fn drive_in(&self, valid: bool, image: u128, index: u16) {
                self.set_s_valid(valid);
                self.set_s_image(image);
                self.set_s_index(index);
            }
            fn s_ready(&self) -> bool {
                <$t>::s_ready(self)
            }
            fn master(&self) -> AxiMasterOut {
                AxiMasterOut {
                    aw_addr: self.aw_addr(),
                    aw_len: self.aw_len(),
                    aw_size: 4,
                    aw_burst: 1,
                    aw_valid: self.aw_valid(),
                    w_data: self.w_data(),
                    w_strb: self.w_strb(),
                    w_last: self.w_last(),
                    w_valid: self.w_valid(),
                    b_ready: true,
                    r_ready: true,
                    ..Default::default()
                }
            }
            fn drive_slave(&self, s: &AxiSlaveOut) {
                self.set_aw_ready(s.aw_ready);
                self.set_w_ready(s.w_ready);
                self.set_b_valid(s.b_valid);
            }
            fn done(&self) -> (u8, u8, bool, u16, bool) {
                (self.done_count(), self.done_frames(), self.done_flag(), self.done_next(), self.status_idle())
            }
        }
    };
}

wb_io!(DescWbPorts, 32, 8);
wb_io!(DescWbSmallPorts, 4, 3);

fn run_wb<P: WbIo>(seed: u64, descs: usize) {
    let mut rng = Prng::new(seed);
    let mut sim = reset_sim::<P>(seed, true, |io, v| io.set_rst(v));
    let timing =
        SlaveTiming { stall_permille: 400, gap_permille: 300, min_latency: 1, extra_latency: 30, reorder: false };
    let mut slave = WriteSlave::new(timing, seed ^ 0x3B);
    let mut axi_check = AxiChecker::dma("desc_wb aw/w/b").fail_fast();
    let mut in_check = HandshakeChecker::new("desc_wb s_image", "s_valid", ["s_image", "s_index"]).fail_fast();

    let size: u16 = 8 * (1 + rng.below(40) as u16);
    let base = (1 + rng.below(1 << 20)) << 12 | rng.below(256) << 4;
    // the images, at ring indices that mostly follow each other
    let mut index: u16 = rng.below(u64::from(size)) as u16;
    let mut input: VecDeque<(u128, u16)> = VecDeque::new();
    for _ in 0..descs {
        let mut image = rng.u128();
        if rng.chance(500) {
            image &= !(1 << EOP_BIT);
        }
        if rng.chance(700) {
            image &= !(1 << FLAG_BIT);
        }
        input.push_back((image, index));
        let step = if rng.chance(800) { 1 } else { 2 + rng.below(4) as u16 };
        index = (index + step) % size;
    }
    let mut queued: VecDeque<(u128, u16)> = VecDeque::new(); // taken, not yet seen written
    let mut offer: Option<(u128, u16)> = None;
    // per written burst, what its completion must report
    let mut bursts: Vec<(u8, u8, bool, u16)> = Vec::new();
    let mut reported: Vec<(u8, u8, bool, u16)> = Vec::new();
    let mut matched = 0;
    let mut cycle = 0u64;
    let mut quiet = 0;
    while quiet < 50 {
        if offer.is_none() && !rng.chance(300) {
            offer = input.pop_front();
        }
        let s = slave.outputs();
        let io = sim.io();
        io.cfg(base, size);
        io.drive_in(offer.is_some(), offer.map_or(0, |o| o.0), offer.map_or(0, |o| o.1));
        io.drive_slave(&s);
        sim.eval();
        let io = sim.io();
        let ready = io.s_ready();
        let m = io.master();
        let (count, frames, flag, next, idle) = io.done();
        axi_check.observe(cycle, &m, &s);
        in_check.observe(cycle, offer.is_some(), ready, [offer.map_or(0, |o| o.0), offer.map_or(0, |o| o.1).into()]);
        if count != 0 {
            reported.push((count, frames, flag, next));
            assert!(reported.len() <= slave.answered.len(), "seed {seed}: completion reported before its B");
        }
        if ready {
            if let Some(o) = offer.take() {
                queued.push_back(o);
            }
        }
        sim.tick();
        slave.clock(&m);
        while matched < slave.writes.len() {
            let w = &slave.writes[matched];
            assert!(w.wlast_ok, "seed {seed}: WLAST on the wrong beat");
            let beats = u64::from(w.len) + 1;
            assert!(beats <= P::MAX_BURST, "seed {seed}: burst of {beats}");
            let first = (w.addr - base) / 16;
            assert!(first + beats <= u64::from(size), "seed {seed}: write-back wraps the ring");
            let mut frames = 0;
            let mut flag = false;
            for (i, &(data, strb)) in w.beats.iter().enumerate() {
                let (image, idx) = queued.pop_front().expect("a write of an image never queued");
                assert_eq!(u64::from(idx), first + i as u64, "seed {seed}: burst at slot {first} holds slot {idx}");
                assert_eq!((data, strb), (image, 0xFFFF), "seed {seed}: image of slot {idx}");
                frames += (image >> EOP_BIT & 1) as u8;
                flag |= image >> FLAG_BIT & 1 != 0;
            }
            let next = ((first + beats) % u64::from(size)) as u16;
            bursts.push((beats as u8, frames, flag, next));
            matched += 1;
        }
        cycle += 1;
        let busy = offer.is_some() || !input.is_empty() || !queued.is_empty() || slave.outstanding() > 0 || !idle;
        quiet = if busy { 0 } else { quiet + 1 };
        assert!(cycle < 2_000_000, "seed {seed}: stuck");
    }
    axi_check.assert_clean();
    in_check.assert_clean();
    assert_eq!(reported, bursts, "seed {seed}: completions differ from the bursts written");
    assert_eq!(reported.iter().map(|r| usize::from(r.0)).sum::<usize>(), descs);
    let _ = P::QUEUE;
}

#[test]
fn desc_wb_default_params_reference_ring() {
    for seed in SEEDS {
        run_wb::<DescWbPorts>(seed, 2000);
    }
}

#[test]
fn desc_wb_small_queue_reference_ring() {
    for seed in SEEDS {
        run_wb::<DescWbSmallPorts>(seed, 1000);
    }
}
