//! The host: one CPU core whose time is simulated, running the driver, the
//! kernel's receive path and an application, next to the device.
//!
//! The core does one thing at a time, chosen between two pieces of work (a
//! piece is never cut, except a legacy backlog round, which a hard IRQ
//! preempts between two frames):
//! 0. the driver's watchdog ([`Driver::watchdog`]), when its timer is due:
//!    every `driver.watchdog_interval_us`, re-armed that far ahead of the
//!    end of each run, as e1000_watchdog re-arms itself (and dev_watchdog
//!    its timer). Its time counts as softirq time ([`CpuTime::softirq_ns`],
//!    a [`CpuContext::Softirq`] slice): dev_watchdog is a timer, and timers
//!    run in TIMER_SOFTIRQ, which `__do_softirq` takes before NET_RX. It
//!    goes first because the timer interrupt fires at its time whatever the
//!    core is doing; what it does not model: the timer softirq deferred to
//!    ksoftirqd, and e1000_watchdog being a workqueue item since Linux 3.x;
//! 1. a hard IRQ, when the line is up (with NAPI only while NAPI is not
//!    scheduled: the handler masks the device until polling completes);
//! 2. the NET_RX softirq *inline*, as irq_exit runs it (__do_softirq in
//!    kernel/softirq.c): one round after another while work is left, until
//!    [`MAX_SOFTIRQ_RESTART`] rounds or [`MAX_SOFTIRQ_TIME_NS`] have gone by,
//!    or a round woke the application (need_resched(): the application
//!    preempts what the interrupt interrupted); the rest is handed to
//!    ksoftirqd (wakeup_softirqd), and while ksoftirqd
//!    has the work, interrupts no longer run the softirq inline (Linux 4.9
//!    to 6.4);
//! 3. a thread, picked by the fair scheduler ([`super::sched`]): ksoftirqd
//!    (softirq rounds) or the application (one receive call, an echo batch
//!    or a send batch);
//! 4. nothing: the device runs until the interrupt line rises or the
//!    application has something due.
//!
//! Frames the softirq delivers pass the stack (IP, UDP/TCP; [`super::stack`])
//! and wait in the application's socket, which `rmem` bounds.
//!
//! With [`AppConfig::echo`] the application is an echo server: every frame
//! it reads is sent back through `xmit`, in order, before any scheduled send.

use std::collections::VecDeque;

use bytes::Bytes;
use verinic_driver::{Driver, IrqOutcome, RxPacket, RxSink, TxError, TxOffload, WatchdogOutcome};

use super::platform::Host;
use super::sched::{FairScheduler, Thread};
use super::stack::{check_headers, HeaderDrop, Socket, StackCosts};
use super::world::World;

/// Softirq rounds __do_softirq runs inline before waking ksoftirqd
/// (MAX_SOFTIRQ_RESTART, kernel/softirq.c).
pub const MAX_SOFTIRQ_RESTART: u32 = 10;

/// CPU time __do_softirq may run inline before waking ksoftirqd
/// (MAX_SOFTIRQ_TIME, 2 ms, kernel/softirq.c).
pub const MAX_SOFTIRQ_TIME_NS: u64 = 2_000_000;

/// Frames echo mode holds while the transmit queue is stopped.
pub const ECHO_QUEUE_MAX: usize = 4096;

/// What the application does on the simulated core.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AppConfig {
    /// What the stack above the driver and the application's receive calls
    /// cost.
    pub stack: StackCosts,
    /// The socket's receive buffer in bytes (net.core.rmem_default); frames
    /// beyond it are dropped (`socket_rcvbuf_full`).
    pub rmem: usize,
    /// Frames one receive call takes at most (1: recv; more: recvmmsg).
    pub recv_batch: usize,
    /// The fair scheduler's slice between ksoftirqd and the application (ns).
    pub sched_slice_ns: u64,
    /// Frames per second the application sends; 0 = none.
    pub tx_frames_per_sec: f64,
    /// Length of the frames it sends, without FCS.
    pub tx_frame_len: usize,
    /// Frames due at once go to `xmit` in batches of up to this many, with
    /// `more` set on all but the last (xmit_more: one tail write per batch).
    pub tx_batch: usize,
    /// Send every received frame back (echo server). Frames wait in a FIFO
    /// of at most [`ECHO_QUEUE_MAX`] frames while the TX queue is stopped
    /// (the application stops reading meanwhile) and go out in batches of up
    /// to `tx_batch`.
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

/// A free application with a 1 GiB socket, which never fills: for tests of
/// the driver and the device. Scenarios start from realistic costs instead
/// (`[cpu]` in a scenario file).
impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            stack: StackCosts::FREE,
            rmem: 1 << 30,
            recv_batch: 1,
            sched_slice_ns: 3_000_000,
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
    /// Softirq run inline at interrupt exit: NAPI polls or the legacy
    /// backlog, and the stack above them; and the timer softirq that runs
    /// the driver's watchdog (its register reads, and a reset it starts).
    pub softirq_ns: u64,
    /// The same work in the ksoftirqd thread.
    pub ksoftirqd_ns: u64,
    /// Application, including the transmit path it calls: the sum of the
    /// `app_*` parts below.
    pub app_ns: u64,
    /// Application: receive syscall entry and exit.
    pub app_syscall_ns: u64,
    /// Application: the stack's share of its receive calls (socket dequeue).
    pub app_stack_ns: u64,
    /// Application: copying received frames to user space.
    pub app_copy_ns: u64,
    /// Application: its own work on the frames it read.
    pub app_work_ns: u64,
    /// Application: the transmit path (xmit) for frames it sends or echoes.
    pub app_tx_ns: u64,
    /// Nothing to do.
    pub idle_ns: u64,
}

impl CpuTime {
    /// The time spent since `before` was taken.
    pub fn since(self, before: CpuTime) -> CpuTime {
        CpuTime {
            irq_ns: self.irq_ns - before.irq_ns,
            softirq_ns: self.softirq_ns - before.softirq_ns,
            ksoftirqd_ns: self.ksoftirqd_ns - before.ksoftirqd_ns,
            app_ns: self.app_ns - before.app_ns,
            app_syscall_ns: self.app_syscall_ns - before.app_syscall_ns,
            app_stack_ns: self.app_stack_ns - before.app_stack_ns,
            app_copy_ns: self.app_copy_ns - before.app_copy_ns,
            app_work_ns: self.app_work_ns - before.app_work_ns,
            app_tx_ns: self.app_tx_ns - before.app_tx_ns,
            idle_ns: self.idle_ns - before.idle_ns,
        }
    }
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
    /// Frames the socket dropped because its receive buffer was over `rmem`.
    pub socket_rcvbuf_full: u64,
    /// Frames the IP layer dropped for a bad header (IPv4 checksum, IHL,
    /// total length below the header; IPv6 version): [`HeaderDrop::IpHdr`].
    pub ip_hdr_errors: u64,
    /// Frames shorter than their IP length says ([`HeaderDrop::IpTruncated`]).
    pub ip_truncated: u64,
    /// Frames with a bad UDP length or a cut TCP header ([`HeaderDrop::L4Hdr`]).
    pub l4_hdr_errors: u64,
    /// Frames with a wrong TCP/UDP checksum ([`HeaderDrop::L4Csum`]).
    pub l4_csum_errors: u64,
    /// Frames the application read from its socket.
    pub received: u64,
    /// Receive calls the application made.
    pub recv_calls: u64,
    /// Times the inline softirq handed work over to ksoftirqd.
    pub ksoftirqd_wakeups: u64,
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
    /// Frames echo mode could not send back: the driver refused the frame
    /// (too long for `xmit`).
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
    /// A softirq pass at interrupt exit: NAPI polls (RX and TX cleaning,
    /// refill) or the legacy backlog, and the stack; or the timer softirq
    /// running the driver's watchdog (0 frames).
    Softirq,
    /// The same, in the ksoftirqd thread.
    Ksoftirqd,
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
    /// Frames a softirq pass delivered to the stack, or the application
    /// read (0 for the rest).
    pub frames: u32,
}

/// Who runs the pending NET_RX softirq work (a round a hard IRQ preempted
/// resumes with its owner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SoftirqOwner {
    /// Nothing pending.
    Nobody,
    /// __do_softirq at interrupt exit: since when, rounds run.
    Inline { since_ns: u64, rounds: u32 },
    /// Handed to ksoftirqd: interrupts leave the work to it until none is left.
    Ksoftirqd,
}

/// What the driver's watchdog did on the simulated core.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchdogLog {
    /// Times it ran.
    pub runs: u64,
    /// The TX timeouts it found: when each run started (CPU time, ns) and
    /// what it found (the driver counts them: `tx_timeout_count`).
    pub timeouts: Vec<(u64, WatchdogOutcome)>,
}

/// A delivered frame's descriptor status, errors, raw checksum and the
/// driver's checksum verdict.
pub type RxMeta = (u8, u8, u16, verinic_driver::ChecksumVerdict);

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
    pub rx_meta: Vec<RxMeta>,
    /// When set, every decision of the core's scheduler is appended here
    /// (for a timeline); whoever runs the machine takes the slices out.
    pub cpu_log: Option<Vec<CpuSlice>>,
    /// When set, every frame `xmit` accepted from the application (sent or
    /// echoed) is appended here, as handed to the driver (CHECKSUM_PARTIAL
    /// frames with the pseudo-header sum in their checksum field), in
    /// order; whoever runs the machine takes them out (a soak checks them
    /// against the wire).
    pub tx_log: Option<Vec<Bytes>>,
    /// Seeded sizes of the application's frames instead of `tx_frame_len`:
    /// (shortest, longest, seed) ([`Machine::set_tx_frame_sizes`]).
    tx_sizes: Option<(usize, usize, u64)>,
    /// Watchdog runs so far, and the last one's outcome when it found a TX
    /// timeout (with the CPU time it started at).
    pub watchdog: WatchdogLog,
    cpu_ns: u64,
    /// CPU time the watchdog's timer is due.
    next_watchdog_ns: u64,
    app_cfg: AppConfig,
    socket: Socket,
    sched: FairScheduler,
    /// Who runs the pending NET_RX work.
    softirq: SoftirqOwner,
    next_tx_ns: f64,
    tx_seq: u32,
    tx_frame: Option<(Bytes, TxOffload)>,
    echo_queue: VecDeque<Bytes>,
}

/// The stack as the driver's sink: charges the protocol receive, counts
/// the hand-off and queues the frame on the socket.
struct StackSink<'a> {
    costs: &'a StackCosts,
    csum_ns_per_byte: f64,
    app: &'a mut AppStats,
    socket: &'a mut Socket,
    deliveries: &'a mut Vec<Delivery>,
    keep: Option<(&'a mut Vec<Bytes>, &'a mut Vec<RxMeta>)>,
}

impl RxSink for StackSink<'_> {
    fn receive(&mut self, p: RxPacket) -> u64 {
        self.app.delivered += 1;
        self.app.delivered_bytes += p.len as u64;
        self.deliveries.push(Delivery { seq: frame_seq(&p.data), len: p.len, at_ns: p.rx_time_ns });
        self.app.checksums.count_rx(p.status, p.errors);
        if let Some((frames, meta)) = &mut self.keep {
            frames.push(p.data.clone());
            meta.push((p.status, p.errors, p.checksum, p.csum));
        }
        let mut ns = self.costs.receive_ns(&p.data);
        let check = check_headers(&p.data, p.csum);
        // Software verification of the TCP/UDP checksum (the NIC did not
        // vouch for it): the stack's time per byte, as on transmit.
        ns += (check.summed as f64 * self.csum_ns_per_byte).round() as u64;
        if let Some(why) = check.drop {
            *match why {
                HeaderDrop::IpHdr => &mut self.app.ip_hdr_errors,
                HeaderDrop::IpTruncated => &mut self.app.ip_truncated,
                HeaderDrop::L4Hdr => &mut self.app.l4_hdr_errors,
                HeaderDrop::L4Csum => &mut self.app.l4_csum_errors,
            } += 1;
            return ns;
        }
        if !self.socket.enqueue(p.data) {
            self.app.socket_rcvbuf_full += 1;
        }
        ns
    }
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
        let next_watchdog_ns = cpu_ns + driver.config().watchdog_interval_us * 1000;
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
            tx_log: None,
            tx_sizes: None,
            watchdog: WatchdogLog::default(),
            cpu_ns,
            next_watchdog_ns,
            socket: Socket::new(app.rmem),
            sched: FairScheduler::new(app.sched_slice_ns),
            softirq: SoftirqOwner::Nobody,
            app_cfg: app,
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

    /// The application's own work per frame it reads (ns).
    pub fn app_ns_per_frame(&self) -> u64 {
        self.app_cfg.stack.app_ns_per_frame
    }

    /// Changes the application's own work per frame it reads (ns) from now
    /// on: a slow phase of the application, as a soak schedules it.
    pub fn set_app_ns_per_frame(&mut self, ns: u64) {
        self.app_cfg.stack.app_ns_per_frame = ns;
    }

    /// The application's frames from now on are `min..=max` bytes long
    /// (without FCS), the length of frame `seq` drawn from `seed` and `seq`.
    pub fn set_tx_frame_sizes(&mut self, min: usize, max: usize, seed: u64) {
        self.tx_sizes = Some((min, max.max(min), seed));
    }

    /// The application's frames from now on are of `protocol`.
    pub fn set_tx_protocol(&mut self, protocol: crate::frames::Protocol) {
        self.app_cfg.tx_frames.protocol = protocol;
    }

    /// Frames waiting in the application's socket.
    pub fn socket_len(&self) -> usize {
        self.socket.len()
    }

    /// One decision of the core's scheduler.
    fn step(&mut self, until_ns: u64) {
        Host { world: &mut self.world, cpu_ns: &mut self.cpu_ns }.catch_up();
        let start = self.cpu_ns;
        let (delivered, received) = (self.app.delivered, self.app.received);
        let context = self.decide(until_ns);
        if let Some(log) = &mut self.cpu_log {
            let frames = match context {
                CpuContext::App => self.app.received - received,
                _ => self.app.delivered - delivered,
            } as u32;
            log.push(CpuSlice { context, start_ns: start, end_ns: self.cpu_ns, frames });
        }
    }

    fn decide(&mut self, until_ns: u64) -> CpuContext {
        let start = self.cpu_ns;
        if self.cpu_ns >= self.next_watchdog_ns {
            let outcome = self.with_host(|d, h| d.watchdog(h));
            self.watchdog.runs += 1;
            if outcome != WatchdogOutcome::Healthy {
                self.watchdog.timeouts.push((start, outcome));
            }
            self.cpu.softirq_ns += self.cpu_ns - start;
            self.next_watchdog_ns = self.cpu_ns + self.driver.config().watchdog_interval_us * 1000;
            return CpuContext::Softirq;
        }
        let napi = self.driver.config().napi;
        if self.world.nic.irq() && !(napi && self.driver.napi_scheduled()) {
            let outcome = self.with_host(|d, h| d.irq(h));
            match outcome {
                IrqOutcome::Handled { .. } => self.app.irqs += 1,
                IrqOutcome::NotOurs => self.app.irqs_not_ours += 1,
            }
            self.cpu.irq_ns += self.cpu_ns - start;
            // irq_exit: run the raised softirq now, unless one is already
            // running (this IRQ interrupted it) or ksoftirqd has the work
            // (ksoftirqd_running: Linux 4.9's "softirq: Let ksoftirqd do its
            // job", commit 4cd13c21b207), so a core under overload stays
            // shared fairly between ksoftirqd and the application.
            if self.softirq == SoftirqOwner::Nobody && self.driver.softirq_pending() {
                self.softirq = SoftirqOwner::Inline { since_ns: self.cpu_ns, rounds: 0 };
            }
            return CpuContext::HardIrq;
        }
        if !self.driver.softirq_pending() {
            self.softirq = SoftirqOwner::Nobody;
        }
        if let SoftirqOwner::Inline { since_ns, rounds } = self.softirq {
            let out = self.softirq_round();
            self.cpu.softirq_ns += self.cpu_ns - start;
            if !out.preempted {
                let rounds = rounds + 1;
                // need_resched(): the frames just queued woke the
                // application, which preempts what the IRQ interrupted.
                let need_resched = self.app_runnable();
                let expired =
                    rounds >= MAX_SOFTIRQ_RESTART || self.cpu_ns - since_ns >= MAX_SOFTIRQ_TIME_NS || need_resched;
                self.softirq = if !self.driver.softirq_pending() {
                    SoftirqOwner::Nobody
                } else if expired {
                    self.app.ksoftirqd_wakeups += 1;
                    SoftirqOwner::Ksoftirqd
                } else {
                    SoftirqOwner::Inline { since_ns, rounds }
                };
            }
            return CpuContext::Softirq;
        }
        match self.sched.pick(self.driver.softirq_pending(), self.app_runnable()) {
            Some(Thread::Ksoftirqd) => {
                // A round a hard IRQ preempted resumes here on the next pick.
                self.softirq_round();
                let spent = self.cpu_ns - start;
                self.cpu.ksoftirqd_ns += spent;
                self.sched.charge(Thread::Ksoftirqd, spent);
                CpuContext::Ksoftirqd
            }
            Some(Thread::App) => {
                self.app_step();
                let spent = self.cpu_ns - start;
                self.cpu.app_ns += spent;
                self.sched.charge(Thread::App, spent);
                CpuContext::App
            }
            None => {
                // Idle: the device runs until it interrupts, the app has
                // work or the watchdog's timer is due.
                let target = self.next_app_event().min(self.next_watchdog_ns).min(until_ns).max(self.cpu_ns + 1);
                while self.world.now_ns() < target && !self.world.nic.irq() {
                    self.world.step();
                }
                self.cpu_ns = self.cpu_ns.max(self.world.now_ns());
                self.cpu.idle_ns += self.cpu_ns - start;
                CpuContext::Idle
            }
        }
    }

    /// One softirq round of the driver, its frames going up the stack.
    fn softirq_round(&mut self) -> verinic_driver::SoftirqOutcome {
        let keep = self.keep_frames.then_some((&mut self.delivered_frames, &mut self.rx_meta));
        let mut sink = StackSink {
            costs: &self.app_cfg.stack,
            csum_ns_per_byte: self.app_cfg.csum_ns_per_byte,
            app: &mut self.app,
            socket: &mut self.socket,
            deliveries: &mut self.deliveries,
            keep,
        };
        let mut host = Host { world: &mut self.world, cpu_ns: &mut self.cpu_ns };
        self.driver.softirq(&mut host, &mut sink)
    }

    /// Whether the application has something to do now.
    fn app_runnable(&self) -> bool {
        let can_send = !self.driver.tx_queue_stopped();
        (!self.socket.is_empty() && self.echo_queue.len() < ECHO_QUEUE_MAX)
            || (!self.echo_queue.is_empty() && can_send)
            || (self.tx_due() && can_send)
    }

    /// One piece of the application's work: a send batch when one is due
    /// (its schedule comes first, so reading never starves sending), else
    /// an echo batch, else a receive call.
    fn app_step(&mut self) {
        let can_send = !self.driver.tx_queue_stopped();
        let t = self.cpu_ns;
        if self.tx_due() && can_send {
            let period = 1e9 / self.app_cfg.tx_frames_per_sec;
            let due = ((self.cpu_ns as f64 - self.next_tx_ns) / period).floor() as usize + 1;
            let batch = due.clamp(1, self.app_cfg.tx_batch.max(1));
            for i in 0..batch {
                if !self.send_one(i + 1 < batch) {
                    break;
                }
            }
            self.cpu.app_tx_ns += self.cpu_ns - t;
        } else if !self.echo_queue.is_empty() && can_send {
            self.echo_some();
            self.cpu.app_tx_ns += self.cpu_ns - t;
        } else if !self.socket.is_empty() && self.echo_queue.len() < ECHO_QUEUE_MAX {
            self.recv_call();
        }
    }

    /// One recv (or recvmmsg of up to `recv_batch` frames) on the socket.
    fn recv_call(&mut self) {
        let c = self.app_cfg.stack;
        self.app.recv_calls += 1;
        let mut parts = [c.recv_syscall_ns, 0, 0, 0];
        for _ in 0..self.app_cfg.recv_batch.max(1) {
            let Some(frame) = self.socket.dequeue() else { break };
            self.app.received += 1;
            parts[1] += c.sock_recv_ns;
            parts[2] += (frame.len() as f64 * c.copy_ns_per_byte).round() as u64;
            parts[3] += c.app_ns_per_frame;
            if self.app_cfg.echo {
                self.echo_queue.push_back(frame);
            }
        }
        let [syscall, stack, copy, work] = parts;
        self.cpu.app_syscall_ns += syscall;
        self.cpu.app_stack_ns += stack;
        self.cpu.app_copy_ns += copy;
        self.cpu.app_work_ns += work;
        self.cpu_ns += syscall + stack + copy + work;
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
                    if let Some(log) = &mut self.tx_log {
                        log.push(frame.clone());
                    }
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
                let len = match self.tx_sizes {
                    Some((min, max, seed)) => {
                        crate::rng::Rng::new(seed ^ u64::from(self.tx_seq).wrapping_mul(0x9E37_79B9)).range(min, max)
                    }
                    None => self.app_cfg.tx_frame_len,
                };
                let dir = crate::frames::Direction::FromHost;
                self.stack_checksums(self.app_cfg.tx_frames.build(dir, len, self.tx_seq, &mut rng))
            }
        };
        match self.with_host(|d, h| d.xmit_offload(h, frame.clone(), offload, more)) {
            Ok(()) => {
                self.app.tx_sent += 1;
                self.count_tx_checksum(&frame, offload, software_ns);
                if let Some(log) = &mut self.tx_log {
                    log.push(frame.clone());
                }
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
        let r = self.with_host(|d, h| d.xmit(h, frame.clone(), false));
        if r.is_ok() {
            self.app.tx_sent += 1;
            if let Some(log) = &mut self.tx_log {
                log.push(frame);
            }
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
            let busy = !self.world.wire_idle() || !self.echo_queue.is_empty() || !self.socket.is_empty();
            if self.app.delivered != last_delivered || busy {
                last_delivered = self.app.delivered;
                quiet_since = self.cpu_ns;
            } else if self.cpu_ns - quiet_since > quiet_ns && !self.driver.softirq_pending() {
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
