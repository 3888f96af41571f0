//! The host: one CPU core whose time is simulated, running the driver and an
//! application, next to the device.
//!
//! The core does one thing at a time, in this order of priority: a pending
//! softirq round (NAPI), a pending interrupt (taken only between two pieces of
//! work: the core is never preempted mid-step), the application (consuming
//! delivered frames from its socket queue, sending frames when due), or
//! nothing - then the device runs until the interrupt line rises or the
//! application has something due.
//!
//! With [`AppConfig::echo`] the application is an echo server: every frame
//! its socket queue takes is sent back through `xmit`, in order, after the
//! socket backlog is consumed and before any scheduled send.

use std::collections::VecDeque;

use bytes::Bytes;
use verinic_driver::{Driver, IrqOutcome, RxPacket, TxError, TxOffload};

use super::platform::Host;
use super::world::World;

/// What the application does on the simulated core.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AppConfig {
    /// CPU time to consume one delivered frame (ns).
    pub rx_ns_per_frame: u64,
    /// Frames the socket queue holds; more are dropped (counted).
    pub socket_queue: usize,
    /// Frames per second the application sends; 0 = none.
    pub tx_frames_per_sec: f64,
    /// Length of the frames it sends, without FCS.
    pub tx_frame_len: usize,
    /// Frames due at once go to `xmit` in batches of up to this many, with
    /// `more` set on all but the last (xmit_more: one tail write per batch).
    pub tx_batch: usize,
    /// Send every received frame back (echo server). Frames wait in a FIFO
    /// of at most `socket_queue` frames while the TX queue is stopped (more
    /// are dropped, counted in `AppStats::echo_dropped`) and go out in
    /// batches of up to `tx_batch`.
    pub echo: bool,
    /// What the generated frames are (raw, or IPv4/IPv6 UDP/TCP). IP frames,
    /// generated or echoed, go to the driver as CHECKSUM_PARTIAL when it
    /// advertises tx-checksumming, else with checksums computed in software.
    pub tx_frames: crate::frames::FrameSpec,
    /// How CHECKSUM_PARTIAL frames ask the NIC (legacy or context descriptor).
    pub csum_descriptor: crate::frames::CsumDescriptor,
    /// CPU time per byte of a software checksum (ns).
    pub csum_ns_per_byte: f64,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            rx_ns_per_frame: 0,
            socket_queue: 4096,
            tx_frames_per_sec: 0.0,
            tx_frame_len: 60,
            tx_batch: 1,
            echo: false,
            tx_frames: crate::frames::FrameSpec { flows: 1, ..Default::default() },
            csum_descriptor: crate::frames::CsumDescriptor::Legacy,
            // An estimate, not a measurement: docs/report.md, `cpu.csum_ns_per_byte`.
            csum_ns_per_byte: 0.25,
        }
    }
}

/// Where the core's time went (ns).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CpuTime {
    /// Hard interrupt handler.
    pub irq_ns: u64,
    /// Softirq: NAPI polls.
    pub softirq_ns: u64,
    /// Application, including the transmit path it calls.
    pub app_ns: u64,
    /// Nothing to do.
    pub idle_ns: u64,
}

/// Frames the application meant to send but never handed to the driver.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct TxNotSent {
    /// How many: send times that had passed when sending stopped.
    pub frames: u64,
    /// Why, as it stood when sending stopped (`None` when `frames` is 0).
    pub reason: Option<TxNotSentReason>,
}

/// Why the application fell behind its sending schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TxNotSentReason {
    /// The core was busy with interrupts, softirq or receive work: the
    /// application did not run often enough to keep its schedule.
    NoCpuTime,
    /// The driver had stopped the transmit queue (ring full) and the
    /// application was waiting for it to wake.
    QueueStopped,
}

impl TxNotSentReason {
    /// What it means, for a reader of the report.
    pub fn meaning(self) -> &'static str {
        match self {
            TxNotSentReason::NoCpuTime => "the application got too little CPU time to keep its send rate",
            TxNotSentReason::QueueStopped => "the transmit queue was stopped (ring full) when sending ended",
        }
    }
}

/// A frame handed to the stack, with when it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The sequence number the traffic generator put in it, if any.
    pub seq: Option<u32>,
    /// Frame length without FCS.
    pub len: usize,
    /// CPU time of the hand-off (ns).
    pub at_ns: u64,
}

/// Counters of the application side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppStats {
    /// Frames the driver delivered to the stack.
    pub delivered: u64,
    /// Their bytes, without FCS.
    pub delivered_bytes: u64,
    /// Frames dropped because the socket queue was full.
    pub socket_drops: u64,
    /// Frames the application handed to `xmit`.
    pub tx_sent: u64,
    /// Times `xmit` found the queue stopped (the frame is retried).
    pub tx_busy: u64,
    /// Interrupts the handler claimed.
    pub irqs: u64,
    /// Interrupts that were not ours.
    pub irqs_not_ours: u64,
    /// Frames sent back in echo mode (also counted in `tx_sent`).
    pub echoed: u64,
    /// Frames echo mode could not send back: the echo FIFO was full, or the
    /// driver refused the frame (too long for `xmit`).
    pub echo_dropped: u64,
    /// Checksum verdicts, received and sent.
    pub checksums: crate::cosim::ChecksumCounts,
}

/// The sequence number the traffic generator wrote into a frame
/// ([`crate::frames::sequence_number`]).
pub fn frame_seq(data: &[u8]) -> Option<u32> {
    crate::frames::sequence_number(data)
}

/// What the core was doing in a [`CpuSlice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CpuContext {
    /// The hard interrupt handler.
    HardIrq,
    /// A softirq pass: NAPI polls (RX and TX cleaning, refill).
    Softirq,
    /// The application: consuming, echoing or sending frames.
    App,
    /// Nothing to do: the device ran until it interrupted or the
    /// application had work.
    Idle,
}

/// One decision of the core's scheduler, for a timeline
/// ([`Machine::cpu_log`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuSlice {
    /// What the core did.
    pub context: CpuContext,
    /// CPU time it started (ns).
    pub start_ns: u64,
    /// CPU time it ended (ns).
    pub end_ns: u64,
    /// Frames a softirq pass delivered to the stack (0 for the rest).
    pub frames: u32,
}

/// The simulated host: device, driver, application and the core's clock.
pub struct Machine {
    /// The device side.
    pub world: World,
    /// The driver, probed.
    pub driver: Driver,
    /// Where the core's time went.
    pub cpu: CpuTime,
    /// Application counters.
    pub app: AppStats,
    /// Deliveries in order (for latency and checks), since whoever runs the
    /// machine last took them out (a long run takes them as it goes, so that
    /// memory stays bounded).
    pub deliveries: Vec<Delivery>,
    /// Keep the bytes of every delivered frame in `delivered_frames`.
    pub keep_frames: bool,
    /// Delivered frames' bytes (only with `keep_frames`).
    pub delivered_frames: Vec<Bytes>,
    /// Delivered frames' descriptor status, errors, raw checksum and the
    /// driver's checksum verdict (only with `keep_frames`).
    pub rx_meta: Vec<(u8, u8, u16, verinic_driver::ChecksumVerdict)>,
    /// When set, every decision of the core's scheduler is appended here
    /// (for a timeline); whoever runs the machine takes the slices out.
    pub cpu_log: Option<Vec<CpuSlice>>,
    cpu_ns: u64,
    app_cfg: AppConfig,
    socket_backlog: usize,
    next_tx_ns: f64,
    tx_seq: u32,
    tx_frame: Option<(Bytes, TxOffload)>,
    echo_queue: VecDeque<Bytes>,
}

impl Machine {
    /// Probes the driver on `world`'s NIC.
    pub fn new(
        mut world: World,
        config: verinic_driver::DriverConfig,
        costs: verinic_driver::CpuCosts,
        app: AppConfig,
    ) -> Result<Self, verinic_driver::DriverError> {
        let mut cpu_ns = world.now_ns();
        let driver = Driver::probe_with_costs(&mut Host { world: &mut world, cpu_ns: &mut cpu_ns }, config, costs)?;
        let next_tx_ns = cpu_ns as f64;
        Ok(Machine {
            world,
            driver,
            cpu: CpuTime::default(),
            app: AppStats::default(),
            deliveries: Vec::new(),
            keep_frames: false,
            delivered_frames: Vec::new(),
            rx_meta: Vec::new(),
            cpu_log: None,
            cpu_ns,
            app_cfg: app,
            socket_backlog: 0,
            next_tx_ns,
            tx_seq: 0,
            tx_frame: None,
            echo_queue: VecDeque::new(),
        })
    }

    /// The core's clock (ns).
    pub fn now_ns(&self) -> u64 {
        self.cpu_ns
    }

    /// A driver call on the simulated core.
    pub fn with_host<R>(&mut self, f: impl FnOnce(&mut Driver, &mut Host) -> R) -> R {
        let mut host = Host { world: &mut self.world, cpu_ns: &mut self.cpu_ns };
        f(&mut self.driver, &mut host)
    }

    /// Runs the host and the device until the core's clock reaches `until_ns`.
    pub fn run_until(&mut self, until_ns: u64) {
        while self.cpu_ns < until_ns {
            self.step(until_ns);
        }
    }

    /// One decision of the core's scheduler.
    fn step(&mut self, until_ns: u64) {
        Host { world: &mut self.world, cpu_ns: &mut self.cpu_ns }.catch_up();
        let start = self.cpu_ns;
        let delivered = self.app.delivered;
        let context = self.decide(until_ns);
        if let Some(log) = &mut self.cpu_log {
            let frames = (self.app.delivered - delivered) as u32;
            log.push(CpuSlice { context, start_ns: start, end_ns: self.cpu_ns, frames });
        }
    }

    fn decide(&mut self, until_ns: u64) -> CpuContext {
        let start = self.cpu_ns;
        if self.driver.napi_scheduled() {
            let mut got = Vec::new();
            {
                let mut host = Host { world: &mut self.world, cpu_ns: &mut self.cpu_ns };
                self.driver.softirq(&mut host, &mut |p: RxPacket| got.push(p));
            }
            self.cpu.softirq_ns += self.cpu_ns - start;
            for p in got {
                self.deliver(p);
            }
            CpuContext::Softirq
        } else if self.world.nic.irq() {
            let outcome = self.with_host(|d, h| d.irq(h));
            match outcome {
                IrqOutcome::Handled { .. } => self.app.irqs += 1,
                IrqOutcome::NotOurs => self.app.irqs_not_ours += 1,
            }
            self.cpu.irq_ns += self.cpu_ns - start;
            CpuContext::HardIrq
        } else if self.socket_backlog > 0 {
            self.socket_backlog -= 1;
            self.cpu_ns += self.app_cfg.rx_ns_per_frame;
            self.cpu.app_ns += self.cpu_ns - start;
            CpuContext::App
        } else if !self.echo_queue.is_empty() && !self.driver.tx_queue_stopped() {
            self.echo_some();
            self.cpu.app_ns += self.cpu_ns - start;
            CpuContext::App
        } else if self.tx_due() && !self.driver.tx_queue_stopped() {
            let period = 1e9 / self.app_cfg.tx_frames_per_sec;
            let due = ((self.cpu_ns as f64 - self.next_tx_ns) / period).floor() as usize + 1;
            let batch = due.clamp(1, self.app_cfg.tx_batch.max(1));
            for i in 0..batch {
                if !self.send_one(i + 1 < batch) {
                    break;
                }
            }
            self.cpu.app_ns += self.cpu_ns - start;
            CpuContext::App
        } else {
            // Idle: the device runs until it interrupts or the app has work.
            let target = self.next_app_event().min(until_ns).max(self.cpu_ns + 1);
            while self.world.now_ns() < target && !self.world.nic.irq() {
                self.world.step();
            }
            self.cpu_ns = self.cpu_ns.max(self.world.now_ns());
            self.cpu.idle_ns += self.cpu_ns - start;
            CpuContext::Idle
        }
    }

    fn deliver(&mut self, p: RxPacket) {
        self.app.delivered += 1;
        self.app.delivered_bytes += p.len as u64;
        self.deliveries.push(Delivery { seq: frame_seq(&p.data), len: p.len, at_ns: p.rx_time_ns });
        self.app.checksums.count_rx(p.status, p.errors);
        if self.keep_frames {
            self.delivered_frames.push(p.data.clone());
            self.rx_meta.push((p.status, p.errors, p.checksum, p.csum));
        }
        let taken = if self.app_cfg.rx_ns_per_frame > 0 {
            let room = self.socket_backlog < self.app_cfg.socket_queue;
            if room {
                self.socket_backlog += 1;
            } else {
                self.app.socket_drops += 1;
            }
            room
        } else {
            true
        };
        if self.app_cfg.echo && taken {
            if self.echo_queue.len() < self.app_cfg.socket_queue {
                self.echo_queue.push_back(p.data);
            } else {
                self.app.echo_dropped += 1;
            }
        }
    }

    /// Echo mode: sends queued frames back, up to `tx_batch` at once with
    /// xmit_more on all but the last; a stopped queue keeps the frame first
    /// in line for when cleaning wakes it.
    fn echo_some(&mut self) {
        let batch = self.echo_queue.len().clamp(1, self.app_cfg.tx_batch.max(1));
        for i in 0..batch {
            let Some(frame) = self.echo_queue.front().cloned() else { break };
            // (a frame the stopped queue sends back to the FIFO is checksummed
            // again when retried: the stack would redo it too)
            let (frame, offload, software_ns) = self.stack_checksums(frame.to_vec());
            match self.with_host(|d, h| d.xmit_offload(h, frame.clone(), offload, i + 1 < batch)) {
                Ok(()) => {
                    self.echo_queue.pop_front();
                    self.app.tx_sent += 1;
                    self.app.echoed += 1;
                    self.count_tx_checksum(&frame, offload, software_ns);
                }
                Err(TxError::QueueStopped) => {
                    self.app.tx_busy += 1;
                    break;
                }
                Err(_) => {
                    self.echo_queue.pop_front();
                    self.app.echo_dropped += 1;
                }
            }
        }
        // A refused frame may have ended the batch with the tail deferred.
        self.with_host(|d, h| d.flush_tx(h));
    }

    /// Frames waiting to be echoed.
    pub fn echo_pending(&self) -> usize {
        self.echo_queue.len()
    }

    fn tx_due(&self) -> bool {
        self.app_cfg.tx_frames_per_sec > 0.0 && self.next_tx_ns <= self.cpu_ns as f64
    }

    fn next_app_event(&self) -> u64 {
        if self.app_cfg.tx_frames_per_sec > 0.0 && !self.driver.tx_queue_stopped() {
            self.next_tx_ns.ceil() as u64
        } else {
            u64::MAX
        }
    }

    /// The stack's side of a send: an IP frame becomes CHECKSUM_PARTIAL
    /// when the driver advertises tx-checksumming, else its checksums are
    /// computed in software, the CPU charged per byte (returned, in ns).
    fn stack_checksums(&mut self, mut frame: Vec<u8>) -> (Bytes, TxOffload, u64) {
        use crate::frames::{checksum_partial, software_checksums};
        if self.driver.config().tx_checksumming {
            let offload = checksum_partial(&mut frame, self.app_cfg.csum_descriptor);
            return (Bytes::from(frame), offload, 0);
        }
        let bytes = software_checksums(&mut frame);
        let ns = (bytes as f64 * self.app_cfg.csum_ns_per_byte).round() as u64;
        self.cpu_ns += ns;
        (Bytes::from(frame), TxOffload::None, ns)
    }

    fn count_tx_checksum(&mut self, frame: &[u8], offload: TxOffload, software_ns: u64) {
        if offload != TxOffload::None {
            self.app.checksums.tx_offloaded += 1;
        } else if software_ns > 0 || crate::frames::layout(frame).is_some() {
            self.app.checksums.tx_software += 1;
        }
    }

    /// Sends the next frame; false if the driver refused it.
    fn send_one(&mut self, more: bool) -> bool {
        let (frame, offload, software_ns) = match &self.tx_frame {
            Some((f, o)) => (f.clone(), *o, 0),
            None => {
                let mut rng = crate::rng::Rng::new(u64::from(self.tx_seq) ^ 0x7478);
                let (len, dir) = (self.app_cfg.tx_frame_len, crate::frames::Direction::FromHost);
                self.stack_checksums(self.app_cfg.tx_frames.build(dir, len, self.tx_seq, &mut rng))
            }
        };
        match self.with_host(|d, h| d.xmit_offload(h, frame.clone(), offload, more)) {
            Ok(()) => {
                self.app.tx_sent += 1;
                self.count_tx_checksum(&frame, offload, software_ns);
                self.tx_seq = self.tx_seq.wrapping_add(1);
                self.tx_frame = None;
                self.next_tx_ns += 1e9 / self.app_cfg.tx_frames_per_sec;
                true
            }
            Err(TxError::QueueStopped) => {
                // retried when the queue wakes; a batch in progress was flushed
                self.tx_frame = Some((frame, offload));
                self.app.tx_busy += 1;
                false
            }
            Err(_) => {
                // A frame the driver refuses outright is skipped, counted as busy.
                self.app.tx_busy += 1;
                self.next_tx_ns += 1e9 / self.app_cfg.tx_frames_per_sec;
                false
            }
        }
    }

    /// Queues a specific frame for the application to send next.
    pub fn send_frame(&mut self, frame: Bytes) -> Result<(), TxError> {
        let r = self.with_host(|d, h| d.xmit(h, frame, false));
        if r.is_ok() {
            self.app.tx_sent += 1;
        }
        r
    }

    /// Stops the application's own sending schedule (echo mode goes on
    /// answering what arrives) and says how many frames it wanted to send by
    /// now but never handed to the driver.
    pub fn stop_sending(&mut self) -> TxNotSent {
        let rate = self.app_cfg.tx_frames_per_sec;
        self.app_cfg.tx_frames_per_sec = 0.0;
        let now = self.cpu_ns as f64;
        // Send times strictly before now: one due right now was not late.
        if rate <= 0.0 || self.next_tx_ns >= now {
            return TxNotSent::default();
        }
        let frames = ((now - self.next_tx_ns) * rate / 1e9).ceil() as u64;
        let reason = if self.tx_frame.is_some() || self.driver.tx_queue_stopped() {
            TxNotSentReason::QueueStopped
        } else {
            TxNotSentReason::NoCpuTime
        };
        TxNotSent { frames, reason: Some(reason) }
    }

    /// Runs until the wire toward the NIC is idle and nothing was delivered
    /// for `quiet_ns` with no NAPI poll pending, or until the core's clock
    /// reaches `deadline_ns`. Returns whether it got quiet.
    pub fn run_until_quiet(&mut self, quiet_ns: u64, deadline_ns: u64) -> bool {
        let mut quiet_since = self.cpu_ns;
        let mut last_delivered = self.app.delivered;
        while self.cpu_ns < deadline_ns {
            let step_to = (self.cpu_ns + 1_000).min(deadline_ns);
            self.run_until(step_to);
            if self.app.delivered != last_delivered || !self.world.wire_idle() || !self.echo_queue.is_empty() {
                last_delivered = self.app.delivered;
                quiet_since = self.cpu_ns;
            } else if self.cpu_ns - quiet_since > quiet_ns && !self.driver.napi_scheduled() {
                return true;
            }
        }
        false
    }

    /// Runs the device until it has caught up with the core's clock.
    pub fn catch_up_device(&mut self) {
        Host { world: &mut self.world, cpu_ns: &mut self.cpu_ns }.catch_up();
    }

    /// Stops the traffic and the application's sending; runs until the wire
    /// and the host are quiet (at most `max_ns` more), so every offered
    /// frame ends delivered or counted. Quiet means no delivery for longer
    /// than an interrupt can be held back by the rate ceiling and the
    /// coalescing timers.
    pub fn drain(&mut self, max_ns: u64) {
        self.world.stop_source();
        self.stop_sending();
        let quiet_ns = 50_000 + self.driver.config().coalesce.max_holdoff_ns();
        self.run_until_quiet(quiet_ns, self.cpu_ns + max_ns);
    }
}
