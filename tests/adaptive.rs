//! Adaptive interrupt moderation end to end: Linux DIM (`adaptive_rx`) and
//! e1000's dynamic ITR (`itr_mode`) in the driver, against the NIC RTL, under
//! a load step made by [`Phases`]: light -> 80% of line rate -> light, with
//! 1514-byte frames (1518 with FCS).
//!
//! A light phase still offers some traffic: DIM decides only every
//! DIM_NEVENTS interrupts (net_dim in lib/dim/net_dim.c), so a link with no
//! traffic at all never changes its profile.

mod nic_common;

use nic_common::machine;
use verinic::cosim::Machine;
use verinic::run::traffic::Phases;
use verinic_driver::dim::{DIM_NEVENTS, NET_DIM_PARAMS_NUM_PROFILES};
use verinic_driver::itr::LatencyRange;
use verinic_driver::{CpuCosts, DimMode, DriverConfig, ItrMode, ModerationChange, ModerationSource};
use verinic_sim::nic::NicConfig;
use verinic_sim::xgmii::EncoderConfig;

const US: u64 = 1_000;
const MS: u64 = 1_000_000;
/// Frame length without FCS: 1518 on the wire with it.
const FRAME: usize = 1514;

/// What one load-step run saw.
struct Run {
    /// Every moderation change, with its CPU time.
    changes: Vec<ModerationChange>,
    /// Interrupts claimed in each 100 us slice from the start.
    irqs: Vec<u64>,
    /// The e1000 class at the end of each 100 us slice (dynamic ITR only).
    classes: Vec<Option<LatencyRange>>,
    /// The RX DIM profile in force at the end of each 100 us slice.
    profiles: Vec<u64>,
    /// Phase boundaries, ns from the start.
    bounds: Vec<u64>,
    offered: u64,
    delivered: u64,
    drops: u64,
    start_ns: u64,
}

fn load_step(cfg: DriverConfig, phases: &[(u64, f64)], seed: u64) -> Run {
    let mut m: Machine = machine(cfg, CpuCosts::default(), EncoderConfig::default(), NicConfig::default());
    m.keep_frames = false;
    m.world.keep_tx_frames = false;
    let source = Phases::new(phases, FRAME, seed);
    let total = source.duration_ns();
    m.world.set_source(Box::new(source));
    let start_ns = m.now_ns();
    let mut run = Run {
        changes: Vec::new(),
        irqs: Vec::new(),
        classes: Vec::new(),
        profiles: Vec::new(),
        bounds: phases
            .iter()
            .scan(0, |t, p| {
                *t += p.0;
                Some(*t)
            })
            .collect(),
        offered: 0,
        delivered: 0,
        drops: 0,
        start_ns,
    };
    // The phases, then 1 ms for the last frames to drain.
    let slice = 100 * US;
    let mut last_irqs = 0;
    let mut t = start_ns;
    while t < start_ns + total + MS {
        t += slice;
        m.run_until(t);
        m.deliveries.clear();
        run.changes.extend(m.driver.take_moderation_log());
        let irqs = m.driver.counters().irqs;
        run.irqs.push(irqs - last_irqs);
        last_irqs = irqs;
        run.classes.push(m.driver.itr_class());
        run.profiles.push(m.driver.counters().dim_rx_profile);
    }
    assert!(m.world.enc.is_idle(), "the source must be done after its phases");
    if std::env::var_os("ADAPTIVE_DEBUG").is_some() {
        eprintln!(
            "changes {:?}",
            run.changes.iter().map(|c| (c.at_ns - start_ns, c.source, c.value)).collect::<Vec<_>>()
        );
        eprintln!("irqs per 100us {:?}", run.irqs);
        eprintln!("profiles {:?}", run.profiles);
        eprintln!("classes {:?}", run.classes);
    }
    m.with_host(|d, h| d.update_hw_stats(h));
    let s = *m.driver.counters();
    run.offered = m.world.wire.frames_started();
    run.delivered = m.app.delivered;
    run.drops = s.rx_missed_errors + s.rx_errors + m.app.socket_rcvbuf_full + s.backlog_full;
    run
}

impl Run {
    /// Slices (100 us) covering `from..to` ns from the start.
    fn slices(&self, from: u64, to: u64) -> std::ops::Range<usize> {
        (from / (100 * US)) as usize..(to / (100 * US)) as usize
    }

    fn irq_rate_per_ms(&self, from: u64, to: u64) -> f64 {
        let r = self.slices(from, to);
        let n = r.len() as f64;
        self.irqs[r].iter().sum::<u64>() as f64 / (n / 10.0)
    }

    fn dim_rx(&self) -> Vec<(u64, u32)> {
        self.changes
            .iter()
            .filter(|c| c.source == ModerationSource::DimRx)
            .map(|c| (c.at_ns - self.start_ns, c.value))
            .collect()
    }

    fn conserved(&self) {
        assert!(self.offered > 0);
        assert_eq!(self.offered, self.delivered + self.drops, "offered = delivered + counted drops");
        assert_eq!(self.drops, 0, "nothing dropped at 80% of line rate");
    }
}

/// Light 10% -> 80% -> light 10%, 3 + 10 + 20 ms. Long, because a decision
/// takes DIM_NEVENTS interrupts: on the 128 us profile, 64 interrupts are
/// about 8.4 ms.
const STEP: [(u64, f64); 3] = [(3 * MS, 0.1), (10 * MS, 0.8), (20 * MS, 0.1)];

fn dim_config() -> DriverConfig {
    let mut cfg = DriverConfig { adaptive_rx: true, ..DriverConfig::default() };
    // No ITR ceiling: DIM's profile alone decides the interrupt rate.
    cfg.coalesce.itr_max_irqs_per_sec = 0;
    cfg
}

#[test]
fn dim_climbs_under_load_reacts_when_it_ends_and_the_interrupt_rate_follows() {
    let r = load_step(dim_config(), &STEP, 1);
    r.conserved();
    let (load_on, load_off) = (r.bounds[0], r.bounds[1]);
    let changes = r.dim_rx();
    for &(_, ix) in &changes {
        assert!((ix as usize) < NET_DIM_PARAMS_NUM_PROFILES);
    }
    // Under load DIM reaches a longer profile than the default (1): a
    // 64-interrupt window with more bytes per ms, or the same bytes with
    // fewer interrupts, is DIM_STATS_BETTER (net_dim_stats_compare), and
    // going right it keeps stepping right (net_dim_decision, net_dim_step).
    // How many decisions that may take is bounded by the rules: at most 10
    // parked tired (DIM_PARKING_TIRED counts `tired` down), one exit
    // (net_dim_exit_parking), one turn, then up to
    // NET_DIM_PARAMS_NUM_PROFILES steps right.
    let top = r.profiles[r.slices(load_on, load_off)].iter().copied().max().unwrap();
    assert!(top >= 3, "profile under load: {top}; changes {changes:?}");
    let reached = changes.iter().find(|&&(t, ix)| t >= load_on && u64::from(ix) == top).unwrap().0;
    let irqs_to_top: u64 = r.irqs[r.slices(load_on, reached + 100 * US)].iter().sum();
    let max_decisions = 10 + 1 + 1 + NET_DIM_PARAMS_NUM_PROFILES as u64;
    assert!(
        irqs_to_top <= (max_decisions + 1) * u64::from(DIM_NEVENTS),
        "{irqs_to_top} interrupts to reach profile {top}: more than {max_decisions} decisions allow"
    );
    // The interrupt rate follows the profile: under load the absolute timer
    // (EQE: usec -> RADV) expires once per profile period, so the rate is
    // about 1000 / (usec * 1.024) per ms, far below the rate at the default
    // profile when the load began.
    let (a, b) = (load_off - 2 * MS, load_off);
    let ix = r.profiles[r.slices(a, b)][0];
    assert!(r.profiles[r.slices(a, b)].iter().all(|&p| p == ix), "profile steady at the end of the load");
    let usec = verinic_driver::dim::rx_profile(DimMode::Eqe, ix as usize).usec;
    let expect = 1000.0 / (f64::from(usec) * 1.024);
    let busy = r.irq_rate_per_ms(a, b);
    assert!((0.6 * expect..=1.05 * expect).contains(&busy), "irqs/ms {busy} on profile {ix}, expected about {expect}");
    let onset = r.irq_rate_per_ms(load_on, load_on + 100 * US);
    assert!(busy * 4.0 < onset, "irqs/ms {busy} at the end of the load, {onset} when it began");
    // When the load falls, the next decision sees bytes per ms fall by more
    // than 10% (DIM_STATS_WORSE): going right it turns left, parked on top
    // it leaves to the left (net_dim_exit_parking); either way one step down.
    let after: Vec<_> = changes.iter().filter(|c| c.0 >= load_off).collect();
    assert!(!after.is_empty(), "no DIM decision after the load ended: {changes:?}");
    let before_ix = changes.iter().rev().find(|c| c.0 < load_off).unwrap().1;
    assert_eq!(after[0].1 + 1, before_ix, "first move after the load: one step left; {changes:?}");
}

#[test]
fn dim_decisions_are_deterministic() {
    let step = [(MS, 0.1), (4 * MS, 0.8), (MS, 0.1)];
    let a = load_step(dim_config(), &step, 5);
    let b = load_step(dim_config(), &step, 5);
    assert!(a.dim_rx().len() >= 2, "{:?}", a.dim_rx());
    assert_eq!(a.changes, b.changes, "same seed, same profile changes at the same times");
    assert_eq!(a.irqs, b.irqs);
}

#[test]
fn dynamic_itr_goes_bulk_under_load_and_low_latency_when_light() {
    // Light 2% -> 80% -> light 2%.
    let phases = [(2 * MS, 0.02), (4 * MS, 0.8), (3 * MS, 0.02)];
    let cfg = DriverConfig { itr_mode: ItrMode::Dynamic, ..DriverConfig::default() };
    let r = load_step(cfg, &phases, 3);
    r.conserved();
    let (load_on, load_off) = (r.bounds[0], r.bounds[1]);
    let itr: Vec<_> = r.changes.iter().filter(|c| c.source == ModerationSource::Itr).collect();
    // Light 1514-byte frames, one per interrupt: lowest_latency -> low_latency
    // (packets < 5 && bytes > 512, e1000_update_itr), 20,000/s.
    let light = r.slices(load_on - 500 * US, load_on);
    assert!(r.classes[light].iter().all(|c| *c == Some(LatencyRange::Low)), "{:?}", r.classes);
    // Under load: low_latency -> bulk_latency (bytes > 10000 and bytes/packets
    // > 1200), 4,000 interrupts/s written to ITR.
    let busy = r.slices(load_on, load_off);
    assert!(r.classes[busy].contains(&Some(LatencyRange::Bulk)), "{:?}", r.classes);
    assert!(itr.iter().any(|c| c.value == 4000 && c.at_ns - r.start_ns >= load_on), "{itr:?}");
    // Light again: bulk_latency -> low_latency (bytes < 6000).
    let end = r.slices(load_off + MS, load_off + 3 * MS);
    assert!(r.classes[end].iter().all(|c| *c == Some(LatencyRange::Low)), "{:?}", r.classes);
    // The rate in force never exceeds the class targets' ramp: all writes
    // are 4000..=70000.
    assert!(itr.iter().all(|c| (4000..=70_000).contains(&c.value)));
    let again = load_step(cfg, &phases, 3);
    assert_eq!(r.changes, again.changes, "deterministic");
}
