//! verinic_coalesce against a reference coalescing timer written from its
//! documented contract (rtl/verinic_coalesce.v, docs/nic.md "Interrupts"):
//! the cycle of every firing must match. Random events, ev_now and flush;
//! random settings (all zero = unmoderated); two CYCLES_PER_UNIT values.

use verinic_sim::ports::{CoalesceFastPorts, CoalescePorts};
use verinic_sim::tb::{reset_sim, Prng};

use crate::SEEDS;

trait CoalIo: verinic_sim::model::Ports {
    const UNIT: u64;
    fn set_rst(&self, v: bool);
    fn drive(&self, pkt: u16, abs: u16, frames: u16, ev: u8, now: bool, flush: bool);
    fn fire(&self) -> bool;
}

macro_rules! coal_io {
    ($t:ty, $unit:expr) => {
        impl CoalIo for $t {
            const UNIT: u64 = $unit;
            fn set_rst(&self, v: bool) {
                <$t>::set_rst(self, v)
            }
            fn drive(&self, pkt: u16, abs: u16, frames: u16, ev: u8, now: bool, flush: bool) {
                self.set_cfg_pkt(pkt);
                self.set_cfg_abs(abs);
                self.set_cfg_frames(frames);
                self.set_ev_count(ev);
                self.set_ev_now(now);
                self.set_flush(flush);
            }
            fn fire(&self) -> bool {
                <$t>::fire(self)
            }
        }
    };
}

coal_io!(CoalescePorts, 160);
coal_io!(CoalesceFastPorts, 3);

/// The reference: deadlines as absolute cycle numbers.
struct Reference {
    unit: u64,
    pkt: u64,
    abs: u64,
    frames: u64,
    pending: u64,
    pkt_at: Option<u64>,
    abs_at: Option<u64>,
}

impl Reference {
    /// Whether the cause is raised in cycle `t` with these inputs; then the edge.
    fn cycle(&mut self, t: u64, ev: u64, now: bool, flush: bool) -> bool {
        let pending = self.pending + ev;
        let unmoderated = self.pkt == 0 && self.abs == 0 && self.frames == 0;
        let fire = now
            || (pending > 0
                && (unmoderated
                    || (self.frames != 0 && pending >= self.frames)
                    || self.pkt_at == Some(t)
                    || self.abs_at == Some(t)
                    || flush));
        if fire {
            self.pending = 0;
            self.pkt_at = None;
            self.abs_at = None;
        } else {
            // the packet timer restarts with every event, the absolute one
            // starts with the first pending event; both count in 1.024 us units
            if ev > 0 && self.pkt != 0 {
                self.pkt_at = Some(t + self.pkt * self.unit);
            }
            if ev > 0 && self.pending == 0 && self.abs != 0 {
                self.abs_at = Some(t + self.abs * self.unit);
            }
            self.pending = pending;
        }
        fire
    }
}

fn run<P: CoalIo>(seed: u64, cycles: u64, max_units: u64) {
    let mut rng = Prng::new(seed);
    let mut sim = reset_sim::<P>(seed, true, |io, v| io.set_rst(v));
    // a new random setting every so often, events with random density
    let mut fires = 0u64;
    let mut t = 0u64;
    while t < cycles {
        let setting = |rng: &mut Prng| if rng.chance(300) { 0 } else { 1 + rng.below(max_units) };
        let mut model = Reference {
            unit: P::UNIT,
            pkt: setting(&mut rng),
            abs: setting(&mut rng),
            frames: if rng.chance(400) { 0 } else { 1 + rng.below(20) },
            pending: 0,
            pkt_at: None,
            abs_at: None,
        };
        if rng.chance(150) {
            (model.pkt, model.abs, model.frames) = (0, 0, 0);
        }
        let density = 5 + rng.below(200) as u32;
        let phase_end = t + 2000 + rng.below(20_000);
        // settings change only while nothing is pending: flush first
        let start = t;
        while t < phase_end {
            let ev = if rng.chance(density) { 1 + rng.below(15) } else { 0 };
            let now = rng.chance(3);
            let flush = rng.chance(5) || t + 1 == phase_end;
            let io = sim.io();
            io.drive(model.pkt as u16, model.abs as u16, model.frames as u16, ev as u8, now, flush);
            sim.eval();
            let got = sim.io().fire();
            let want = model.cycle(t - start, ev, now, flush);
            assert_eq!(
                got, want,
                "seed {seed} cycle {t}: fire {got}, reference {want} (pkt {} abs {} frames {} pending {})",
                model.pkt, model.abs, model.frames, model.pending
            );
            fires += u64::from(got);
            sim.tick();
            t += 1;
        }
        // leave the block idle for the next setting
        sim.io().drive(0, 0, 0, 0, false, false);
        sim.eval();
        assert!(!sim.io().fire());
        sim.run(1);
    }
    assert!(fires > 10, "seed {seed}: only {fires} firings");
}

#[test]
fn coalesce_matches_the_reference_timer() {
    for seed in SEEDS {
        run::<CoalescePorts>(seed, 200_000, 4);
    }
}

#[test]
fn coalesce_fast_unit_matches_the_reference_timer() {
    for seed in SEEDS {
        run::<CoalesceFastPorts>(seed, 200_000, 60);
    }
}
