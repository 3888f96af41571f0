//! verinic_rx_fifo against a reference frame FIFO: every good frame comes out
//! intact (bytes, length, metadata) and in order, or is counted on
//! stat_drop_full; bad frames (tuser) never come out; a frame that fits an
//! empty FIFO is never dropped. Gaps on the input stream, random m_data_ready
//! and random delays before m_frame_pop; two parameter sets.

use std::collections::VecDeque;

use verinic_sim::bus::check::{AxisChecker, StreamBeat};
use verinic_sim::ports::{RxFifoPorts, RxFifoSmallPorts};
use verinic_sim::tb::{reset_sim, Prng};

use crate::SEEDS;

/// The ports the testbench uses, for both parameter sets.
trait FifoIo: verinic_sim::model::Ports {
    const WORDS: usize;
    const FRAMES: usize;
    fn set_rst(&self, v: bool);
    fn drive_in(&self, valid: bool, data: u64, keep: u8, last: bool, user: bool, meta: u32);
    fn drive_out(&self, ready: bool, pop: bool);
    fn frame(&self) -> (bool, u16, u32);
    fn data(&self) -> (bool, u128);
    fn drop_full(&self) -> bool;
}

macro_rules! fifo_io {
    ($t:ty, $words:expr, $frames:expr) => {
        impl FifoIo for $t {
            const WORDS: usize = $words;
            const FRAMES: usize = $frames;
            fn set_rst(&self, v: bool) {
                <$t>::set_rst(self, v)
            }
            fn drive_in(&self, valid: bool, data: u64, keep: u8, last: bool, user: bool, meta: u32) {
                self.set_s_axis_tvalid(valid);
                self.set_s_axis_tdata(data);
                self.set_s_axis_tkeep(keep);
                self.set_s_axis_tlast(last);
                self.set_s_axis_tuser(user);
                self.set_s_meta(meta);
            }
            fn drive_out(&self, ready: bool, pop: bool) {
                self.set_m_data_ready(ready);
                self.set_m_frame_pop(pop);
            }
            fn frame(&self) -> (bool, u16, u32) {
                (self.m_frame_valid(), self.m_frame_len(), self.m_frame_meta())
            }
            fn data(&self) -> (bool, u128) {
                (self.m_data_valid(), self.m_data())
            }
            fn drop_full(&self) -> bool {
                self.stat_drop_full()
            }
        }
    };
}

fifo_io!(RxFifoPorts, 1024, 64);
fifo_io!(RxFifoSmallPorts, 32, 4);

#[derive(Debug, Clone)]
struct Frame {
    bytes: Vec<u8>,
    bad: bool,
    meta: u32,
    /// The FIFO was empty when its first beat went in and it fits.
    must_fit: bool,
}

fn run<P: FifoIo>(seed: u64, max_len: usize, frames: usize, ready_permille: u32, no_drops: bool) {
    let mut rng = Prng::new(seed);
    let mut sim = reset_sim::<P>(seed, true, |io, v| io.set_rst(v));
    let mut in_check = AxisChecker::new("rx_fifo s_axis").fail_fast();
    let mut out_check = AxisChecker::new("rx_fifo m_data").fail_fast();

    let mut to_send: VecDeque<Frame> = (0..frames)
        .map(|i| {
            let len = 1 + rng.below(max_len as u64) as usize;
            let mut bytes = vec![0u8; len];
            for b in bytes.iter_mut() {
                *b = rng.next_u64() as u8;
            }
            bytes[0] = i as u8;
            Frame { bytes, bad: rng.chance(100), meta: rng.next_u64() as u32, must_fit: false }
        })
        .collect();
    let mut sent: Vec<Frame> = Vec::new(); // in order, as the last beat went in
    let mut beat = 0usize; // next beat of to_send.front()
    let mut head_empty_at_start = false;

    // reference state: committed-but-unread words, to know "empty"
    let mut delivered: Vec<(Vec<u8>, u32)> = Vec::new();
    let mut drops = 0u64;
    let mut cur: Option<(usize, Vec<u8>)> = None; // head frame being read: (len, bytes so far)
    let mut pop_wait: Option<u64> = None;
    let mut idle = 0;
    let mut cycle = 0u64;

    while idle < 400 {
        let io = sim.io();
        let (fv, flen, fmeta) = io.frame();
        let (dv, data) = io.data();
        let dropped = io.drop_full();
        drops += u64::from(dropped);

        // input: a beat of the head frame, or a gap
        let mut inb = StreamBeat { ready: true, ..Default::default() };
        if let Some(f) = to_send.front() {
            if !rng.chance(250) {
                let n = f.bytes.len();
                let lo = beat * 8;
                let hi = (lo + 8).min(n);
                let mut d = [0u8; 8];
                d[..hi - lo].copy_from_slice(&f.bytes[lo..hi]);
                // bytes past tkeep are junk: the FIFO must not care
                for x in d.iter_mut().skip(hi - lo) {
                    *x = 0xEE;
                }
                inb.valid = true;
                inb.data = u64::from_le_bytes(d).into();
                inb.keep = ((1u32 << (hi - lo)) - 1) as u16;
                inb.last = hi == n;
                inb.user = inb.last && f.bad;
            }
        }
        let meta = to_send.front().map_or(0, |f| f.meta);
        io.drive_in(inb.valid, inb.data as u64, inb.keep as u8, inb.last, inb.user, meta);

        // output: read the head frame's words, then pop it
        let want = match &cur {
            Some((len, got)) => got.len() < *len,
            None => false,
        };
        let ready = want && rng.chance(ready_permille);
        let pop = pop_wait == Some(0);
        io.drive_out(ready, pop);
        in_check.observe(cycle, &inb);
        out_check.observe(cycle, &StreamBeat { valid: dv, ready, data, keep: 0xFFFF, last: false, user: false });

        // the FIFO is empty when nothing committed is unread and nothing is in the output stage
        let empty = sent.iter().filter(|f| !f.bad).count() as u64 == delivered.len() as u64 + drops
            && cur.is_none()
            && !fv
            && !dv;
        sim.tick();
        cycle += 1;

        // model the edge
        if inb.valid {
            if beat == 0 {
                head_empty_at_start = empty;
            }
            beat += 1;
            if inb.last {
                let mut f = to_send.pop_front().unwrap();
                let words = f.bytes.len().div_ceil(16);
                f.must_fit = head_empty_at_start && words <= P::WORDS;
                sent.push(f);
                beat = 0;
            }
        }
        if pop {
            let (len, got) = cur.take().unwrap();
            delivered.push((got[..len].to_vec(), fmeta));
            pop_wait = None;
        } else if let Some(w) = pop_wait.as_mut() {
            *w -= 1;
        }
        if cur.is_none() && fv && pop_wait.is_none() && !pop {
            cur = Some((usize::from(flen), Vec::new()));
        }
        if let Some((len, got)) = cur.as_mut() {
            if dv && ready {
                got.extend_from_slice(&data.to_le_bytes());
            }
            if got.len() >= *len && pop_wait.is_none() {
                pop_wait = Some(rng.below(4));
            }
        }
        let busy = !to_send.is_empty() || cur.is_some() || fv || dv;
        idle = if busy { 0 } else { idle + 1 };
        assert!(cycle < 2_000_000, "seed {seed}: no progress");
    }

    in_check.assert_clean();
    out_check.assert_clean();
    // every good frame delivered or dropped, in order, intact
    let good: Vec<&Frame> = sent.iter().filter(|f| !f.bad).collect();
    assert_eq!(delivered.len() as u64 + drops, good.len() as u64, "seed {seed}: delivered + drop_full != good frames");
    let mut gi = 0;
    for (i, (bytes, meta)) in delivered.iter().enumerate() {
        while gi < good.len() && (good[gi].bytes != *bytes || good[gi].meta != *meta) {
            assert!(
                !good[gi].must_fit,
                "seed {seed}: frame of {} bytes fitted an empty FIFO but was dropped",
                good[gi].bytes.len()
            );
            gi += 1;
        }
        assert!(
            gi < good.len(),
            "seed {seed}: delivered frame {i} ({} bytes) is not the next good frame sent",
            bytes.len()
        );
        gi += 1;
    }
    for f in &good[gi..] {
        assert!(!f.must_fit, "seed {seed}: a frame that fitted an empty FIFO was dropped");
    }
    for f in sent.iter().filter(|f| f.bytes.len().div_ceil(16) > P::WORDS) {
        assert!(!delivered.iter().any(|(b, _)| *b == f.bytes), "seed {seed}: a frame larger than the FIFO came out");
    }
    if no_drops {
        assert_eq!(drops, 0, "seed {seed}: a fast reader of a large FIFO lost frames");
    } else {
        assert!(drops > 0 && !delivered.is_empty(), "seed {seed}: the overflow test neither dropped nor delivered");
    }
    let _ = P::FRAMES;
}

#[test]
fn rx_fifo_default_params_fast_reader_loses_nothing() {
    for seed in SEEDS {
        run::<RxFifoPorts>(seed, 1600, 150, 900, true);
    }
}

#[test]
fn rx_fifo_small_params_overflow_and_stalls() {
    for seed in SEEDS {
        run::<RxFifoSmallPorts>(seed, 700, 200, 300, false);
    }
}
