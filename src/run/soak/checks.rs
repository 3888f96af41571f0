//! The soak's receive checks, chunk by chunk in bounded memory, and the
//! disturbances (refill holds, slow application phases) with theirs.

use super::*;

/// The checks that run chunk by chunk, in bounded memory.
pub(super) struct Checker {
    pub(super) plan: FaultPlan,
    /// Drops the stack owes for the faults of the frames handed to it.
    pub(super) stack_expected: StackExpected,
    pub(super) matched: u64,
    pub(super) unmatched: u64,
    pub(super) first_unmatched: Option<(Option<u32>, usize)>,
    pub(super) last_seq: Option<u32>,
    pub(super) out_of_order: u64,
    pub(super) first_out_of_order: Option<(u32, u32)>,
    pub(super) chunks: u64,
    pub(super) pool_violations: u64,
    pub(super) first_pool_violation: Option<String>,
    pub(super) ring_violations: u64,
    pub(super) first_ring_violation: Option<String>,
    pub(super) handed: u64,
    pub(super) corrupt: Option<u64>,
}

impl Checker {
    /// Takes what the machine recorded since the last chunk and checks it.
    pub(super) fn chunk(&mut self, m: &mut Machine) {
        let deliveries = std::mem::take(&mut m.deliveries);
        let frames: Vec<Bytes> = std::mem::take(&mut m.delivered_frames);
        m.rx_meta.clear();
        for (i, d) in deliveries.iter().enumerate() {
            let index = self.handed;
            self.handed += 1;
            let digest = match frames.get(i) {
                Some(f) if self.corrupt == Some(index) => {
                    let mut bad = f.to_vec();
                    if let Some(b) = bad.last_mut() {
                        *b ^= 0xFF;
                    }
                    frame_digest(&bad)
                }
                Some(f) => frame_digest(f),
                None => 0,
            };
            if frames.get(i).is_some() && m.world.wire.locate_digest(digest).is_some() {
                self.matched += 1;
            } else {
                self.unmatched += 1;
                self.first_unmatched.get_or_insert((d.seq, d.len));
            }
            if let Some(s) = d.seq {
                let e = &mut self.stack_expected;
                match self.plan.plan(s).1 {
                    Some(FaultKind::BadIpCsum) => e.ip_hdr_errors += 1,
                    Some(FaultKind::IpLenLong) => e.ip_truncated += 1,
                    Some(FaultKind::UdpLen) => e.l4_hdr_errors += 1,
                    Some(FaultKind::BadL4Csum) => e.l4_csum_errors += 1,
                    _ => {}
                }
                if self.last_seq.is_some_and(|last| s <= last) {
                    self.out_of_order += 1;
                    self.first_out_of_order.get_or_insert((self.last_seq.unwrap_or(0), s));
                }
                self.last_seq = Some(s);
            }
        }
        self.chunks += 1;
        let census = m.driver.buffer_census();
        if !census.conserved() {
            self.pool_violations += 1;
            self.first_pool_violation.get_or_insert_with(|| format!("at {} ns: {census:?}", m.now_ns()));
        }
        if let Some(why) = ring_violation(m) {
            self.ring_violations += 1;
            self.first_ring_violation.get_or_insert_with(|| format!("at {} ns: {why}", m.now_ns()));
        }
    }
}

/// The refill holds and slow application phases as they happen
/// ([`DISTURB_PERIOD_NS`]), and what they caused, in a few counters.
pub(super) struct Disturbances {
    /// The application's work per frame outside its slow phases.
    pub(super) base_app_ns: u64,
    /// Its work per frame in them.
    pub(super) slow_app_ns: u64,
    pub(super) holds: u64,
    pub(super) holds_with_alloc_failures: u64,
    pub(super) holds_recovered: u64,
    pub(super) holds_unrecovered: u64,
    /// Holds the end of the traffic released: not judged (no traffic to
    /// recover, perhaps no refill attempted in them).
    pub(super) holds_cut_short: u64,
    /// Holds in which the driver cleaned no frame, so tried no refill (the
    /// receive path halted by a DMA error until the reset): not judged.
    pub(super) holds_idle: u64,
    pub(super) failed_at_hold: u64,
    /// rx_packets when the hold began.
    pub(super) cleaned_at_hold: u64,
    /// A released hold waiting for traffic: (release time, frames handed
    /// to the stack by then).
    pub(super) awaiting_recovery: Option<(u64, u64)>,
    pub(super) slow: bool,
    pub(super) slow_phases: u64,
    pub(super) slow_phases_filling: u64,
    /// At the start of the slow phase: socket_rcvbuf_full, frames read,
    /// the core's clock (ns).
    pub(super) slow_start: (u64, u64, u64),
    /// Frames one receive call takes at most (`[cpu] recv_batch`).
    pub(super) recv_batch: u64,
    /// Slow phases in which the application read more frames than its CPU
    /// time allows at the slow cost.
    pub(super) slow_too_fast: u64,
    /// Test hook: never release a hold.
    pub(super) never_release: bool,
    /// Test hook: a slow phase forgets to slow the application down.
    pub(super) skip_slow: bool,
}

impl Disturbances {
    pub(super) fn new(m: &Machine, recv_batch: usize, never_release: bool, skip_slow: bool) -> Self {
        let base_app_ns = m.app_ns_per_frame();
        Disturbances {
            base_app_ns,
            slow_app_ns: (base_app_ns * SLOW_APP_FACTOR).max(SLOW_APP_MIN_NS),
            holds: 0,
            holds_with_alloc_failures: 0,
            holds_recovered: 0,
            holds_unrecovered: 0,
            holds_cut_short: 0,
            holds_idle: 0,
            failed_at_hold: 0,
            cleaned_at_hold: 0,
            awaiting_recovery: None,
            slow: false,
            slow_phases: 0,
            slow_phases_filling: 0,
            slow_start: (0, 0, 0),
            recv_batch: recv_batch as u64,
            slow_too_fast: 0,
            never_release,
            skip_slow,
        }
    }

    /// Starts or ends a hold or a slow phase at `t_ns` into the run
    /// (`traffic`: frames are still being offered).
    pub(super) fn step(&mut self, m: &mut Machine, t_ns: u64, traffic: bool) {
        let phase = t_ns % DISTURB_PERIOD_NS;
        let in_window = |(start, len): (u64, u64)| traffic && phase >= start && phase < start + len;
        let now = m.now_ns();
        if let Some((at, handed)) = self.awaiting_recovery {
            if m.app.delivered > handed {
                self.holds_recovered += 1;
                self.awaiting_recovery = None;
            } else if now - at > RECOVERY_NS && traffic {
                self.holds_unrecovered += 1;
                self.awaiting_recovery = None;
            }
        }
        let hold = in_window(REFILL_HOLD_NS);
        let held = m.driver.rx_refill_held();
        if hold && !held {
            self.holds += 1;
            self.failed_at_hold = m.driver.counters().alloc_rx_buff_failed;
            self.cleaned_at_hold = m.driver.counters().rx_packets;
            m.driver.hold_rx_refill(true);
        } else if !hold && held && !self.never_release {
            if !traffic {
                self.holds_cut_short += 1;
            } else {
                let c = m.driver.counters();
                if c.alloc_rx_buff_failed > self.failed_at_hold {
                    self.holds_with_alloc_failures += 1;
                } else if c.rx_packets == self.cleaned_at_hold {
                    self.holds_idle += 1;
                }
                self.awaiting_recovery = Some((now, m.app.delivered));
            }
            m.driver.hold_rx_refill(false);
        }
        let slow = in_window(SLOW_APP_NS);
        if slow && !self.slow {
            self.slow = true;
            self.slow_phases += 1;
            self.slow_start = (m.app.socket_rcvbuf_full, m.app.received, now);
            if !self.skip_slow {
                m.set_app_ns_per_frame(self.slow_app_ns);
            }
        } else if !slow && self.slow {
            self.slow = false;
            m.set_app_ns_per_frame(self.base_app_ns);
            let (full, read, since) = self.slow_start;
            if m.app.socket_rcvbuf_full > full {
                self.slow_phases_filling += 1;
            }
            // Measured on the clock, not on the machine's own accounting: at
            // the slow cost the application cannot have read more frames than
            // the phase's time pays for, plus a receive call on each side of
            // its edges.
            let read = m.app.received - read;
            if read * self.slow_app_ns > now - since + 2 * self.recv_batch * self.slow_app_ns {
                self.slow_too_fast += 1;
            }
        }
    }
}

/// What is wrong with the driver's rings, if anything.
pub(super) fn ring_violation(m: &Machine) -> Option<String> {
    let cfg = m.driver.config();
    let (nrx, ntx) = (cfg.rx_ring, cfg.tx_ring);
    let r = m.driver.ring_state();
    let census = m.driver.buffer_census();
    if r.rx_next_to_clean >= nrx || r.rx_next_to_use >= nrx {
        return Some(format!("RX index outside the ring of {nrx}: {r:?}"));
    }
    if r.tx_next_to_clean >= ntx || r.tx_next_to_use >= ntx || r.tx_free >= ntx {
        return Some(format!("TX index outside the ring of {ntx}: {r:?}"));
    }
    let tx_unused = (r.tx_next_to_clean + ntx - r.tx_next_to_use - 1) % ntx;
    if r.tx_free != tx_unused {
        return Some(format!(
            "TX free {} but {tx_unused} slots between next_to_use and next_to_clean: {r:?}",
            r.tx_free
        ));
    }
    let rx_filled = (r.rx_next_to_use + nrx - r.rx_next_to_clean) % nrx;
    if census.rx_on_ring != rx_filled {
        return Some(format!(
            "{} RX buffers on the ring but {rx_filled} slots between next_to_clean and next_to_use: {r:?}",
            census.rx_on_ring
        ));
    }
    None
}
