//! Driver configuration under ethtool's names, and how it maps to registers.
//!
//! Ring sizes are `ethtool -G` (`rx`, `tx`), interrupt coalescing is
//! `ethtool -C` (`rx-usecs`, `rx-frames`, ...), the NAPI and softirq budgets
//! are the kernel's (`NAPI_POLL_WEIGHT`, `net.core.netdev_budget`,
//! `net.core.netdev_budget_usecs`). The semantics this module follows: the
//! coalescing rule stated above `struct ethtool_coalesce` and the ring sizes
//! of `struct ethtool_ringparam` (include/uapi/linux/ethtool.h; parameter
//! names as `ethtool -c` prints them and as
//! Documentation/networking/ethtool-netlink.rst lists them), NAPI_POLL_WEIGHT
//! in include/linux/netdevice.h, and netdev_budget / netdev_budget_usecs as
//! net_rx_action in net/core/dev.c applies them.
//!
//! [`DriverConfig`] is also the `[driver]` section of a verinic scenario file
//! (serde, every field optional with its default): its fields, with
//! [`Coalesce`]'s flattened in, under the same names (`driver.rx_ring`,
//! `driver.rx_usecs`, ...).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::dim::DimMode;
use crate::itr::ItrMode;
use crate::regs;

/// RXCSUM.PCSS: the raw sum starts at the L3 header of an untagged frame,
/// where Linux's CHECKSUM_COMPLETE wants it (skb->csum covers the packet
/// from the network header on).
pub const RXCSUM_PCSS_L3: u32 = 14;

/// Size of every TX bounce buffer: one per descriptor, frames are copied in.
/// A frame longer than this spans several descriptors.
pub const TX_BUF_LEN: usize = 2048;

/// Longest frame (without FCS) the driver sends or assembles on receive.
/// e1000's `MAX_JUMBO_FRAME_SIZE` (0x3F00); anything longer is a device or
/// caller bug, and bounding it keeps a frame that never ends from growing
/// without limit.
pub const MAX_FRAME_LEN: usize = 16128;

/// Smallest and largest ring (`ethtool -G`): e1000 and igb allow up to 4096,
/// and RDLEN must be a multiple of 128 bytes, i.e. 8 descriptors.
const RING_MIN: usize = 8;
const RING_MAX: usize = 4096;

/// RX buffer sizes RCTL.BSIZE can express with BSEX = 0.
const RX_BUF_LENS: [usize; 4] = [256, 512, 1024, 2048];

/// Largest `*_usecs` value: it must still fit the 16-bit delay registers
/// after conversion to 1.024 us units.
const USECS_MAX: u32 = 65_535;

/// Largest frame-count threshold (VN_RXFRAMES / VN_TXFRAMES, 16 bits).
const FRAMES_MAX: u32 = 65_535;

/// Interrupt-rate ceiling bounds: below 60/s the interval no longer fits the
/// 16-bit ITR register; above 1e9/256 the interval would be under one unit.
const ITR_RATE_MIN: u32 = 60;
const ITR_RATE_MAX: u32 = 3_906_250;

/// Linux's default TX timeout: `watchdog_timeo = 5 * HZ` (e1000_probe;
/// `__netdev_watchdog_up` picks the same when a driver leaves it 0).
pub const TX_TIMEOUT_DEFAULT_US: u64 = 5_000_000;

/// e1000's watchdog period: `schedule_delayed_work(&adapter->watchdog_task, 2 * HZ)`.
pub const WATCHDOG_INTERVAL_DEFAULT_US: u64 = 2_000_000;

/// Watchdog period bounds: below 100 us its register reads (STATUS and the
/// statistics, round trips of about 0.5 us each) would take a noticeable
/// share of the CPU; above a minute it would hardly ever run.
const WATCHDOG_INTERVAL_MIN_US: u64 = 100;
const WATCHDOG_INTERVAL_MAX_US: u64 = 60_000_000;

/// Longest TX timeout: an hour.
const TX_TIMEOUT_MAX_US: u64 = 3_600_000_000;

/// A configuration value out of its allowed range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverConfigError {
    /// The parameter, under its field name (which is ethtool's where ethtool has one).
    pub param: &'static str,
    /// The rejected value.
    pub value: u64,
    /// What would have been accepted, in words.
    pub expected: String,
}

impl fmt::Display for DriverConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} = {}: expected {}", self.param, self.value, self.expected)
    }
}

impl std::error::Error for DriverConfigError {}

fn check_range(param: &'static str, value: u64, min: u64, max: u64) -> Result<(), DriverConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(DriverConfigError { param, value, expected: format!("{min}..={max}") })
    }
}

/// Interrupt coalescing, as `ethtool -C` sets it.
///
/// The device raises the RX interrupt when `rx_frames` written-back frames are
/// pending or a timer expires, whichever comes first (the rule stated above
/// `struct ethtool_coalesce` in include/uapi/linux/ethtool.h). `usecs` are
/// converted to the device's 1.024 us units (8254x SDM, 317453, 13.4.30 RDTR,
/// 13.4.31 RADV, 13.4.41 TIDV, 13.4.44 TADV) rounding up, so a delay is never
/// shorter than asked.
///
/// In a scenario file these fields sit directly in `[driver]`
/// (`driver.rx_usecs`, not `driver.coalesce.rx_usecs`); a field left out
/// takes its default. `*_usecs` are 0..=65,535, `*_frames` 0..=65,535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Coalesce {
    /// `driver.rx_usecs` (`rx-usecs`) -> RDTR: packet timer, restarted by
    /// every frame. 0 = no timer. Default 0.
    pub rx_usecs: u32,
    /// `driver.rx_frames` (`rx-frames`) -> VN_RXFRAMES: interrupt once this
    /// many frames are pending. 0 = off. `rx_usecs = 0, rx_frames = 1` is "no
    /// coalescing": every frame interrupts (subject to the ITR ceiling).
    /// Default 1.
    pub rx_frames: u32,
    /// `driver.rx_usecs_abs` -> e1000 RADV: absolute RX delay from the first
    /// frame not yet signalled. 0 = off. Default 8.
    pub rx_usecs_abs: u32,
    /// `driver.tx_usecs` (`tx-usecs`) -> TIDV, and the IDE bit in TX
    /// descriptors when > 0. 0 = off. Default 8.
    pub tx_usecs: u32,
    /// `driver.tx_frames` (`tx-frames`) -> VN_TXFRAMES: TX interrupt once
    /// this many completions are pending. 0 = off. Default 0.
    pub tx_frames: u32,
    /// `driver.tx_usecs_abs` -> e1000 TADV: absolute TX delay. 0 = off. Default 32.
    pub tx_usecs_abs: u32,
    /// `driver.itr_max_irqs_per_sec`: ceiling on the interrupt rate -> ITR =
    /// 1e9 / (256 * rate), rounded up so the rate stays at or under the
    /// ceiling. 0 = no ceiling (ITR = 0), else 60..=3,906,250. Default 8000.
    pub itr_max_irqs_per_sec: u32,
}

impl Default for Coalesce {
    /// Linux e1000's defaults expressed in usecs: RDTR 0, RADV 8, TIDV 8,
    /// TADV 32 (DEFAULT_RDTR, DEFAULT_RADV, DEFAULT_TIDV, DEFAULT_TADV in
    /// drivers/net/ethernet/intel/e1000/e1000_param.c); `rx_frames = 1` so
    /// that, with RDTR 0, every frame is signalled at once as on e1000; and the
    /// old fixed ITR of 8000 interrupts/s (e1000.rst in
    /// Documentation/networking/device_drivers/ethernet/intel/: the driver
    /// "previously assumed a static InterruptThrottleRate value of 8000"; its
    /// dynamic modes, DEFAULT_ITR 3, are not modelled).
    fn default() -> Self {
        Coalesce {
            rx_usecs: 0,
            rx_frames: 1,
            rx_usecs_abs: 8,
            tx_usecs: 8,
            tx_frames: 0,
            tx_usecs_abs: 32,
            itr_max_irqs_per_sec: 8000,
        }
    }
}

/// The register values a [`Coalesce`] maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoalesceRegs {
    /// RDTR (1.024 us units; FPD never set).
    pub rdtr: u32,
    /// RADV (1.024 us units).
    pub radv: u32,
    /// VN_RXFRAMES.
    pub rx_frames: u32,
    /// TIDV (1.024 us units).
    pub tidv: u32,
    /// TADV (1.024 us units).
    pub tadv: u32,
    /// VN_TXFRAMES.
    pub tx_frames: u32,
    /// ITR (256 ns units).
    pub itr: u32,
}

impl CoalesceRegs {
    /// `(register, value)` in the order the driver writes them.
    pub fn writes(&self) -> [(u32, u32); 7] {
        [
            (regs::RDTR, self.rdtr),
            (regs::RADV, self.radv),
            (regs::VN_RXFRAMES, self.rx_frames),
            (regs::TIDV, self.tidv),
            (regs::TADV, self.tadv),
            (regs::VN_TXFRAMES, self.tx_frames),
            (regs::ITR, self.itr),
        ]
    }
}

/// Microseconds to the device's 1.024 us delay units, rounded up.
pub fn usecs_to_delay_units(usecs: u32) -> u32 {
    let ns = u64::from(usecs) * 1000;
    // Bounded by validate(): usecs <= 65535 gives at most 64000.
    ns.div_ceil(regs::DELAY_UNIT_NS) as u32
}

/// An interrupt-rate ceiling to the ITR register value (256 ns units),
/// rounded up so the device never exceeds the rate. 0 stays 0 (no ceiling).
pub fn itr_for_rate(irqs_per_sec: u32) -> u32 {
    if irqs_per_sec == 0 {
        return 0;
    }
    let per_irq = regs::ITR_UNIT_NS * u64::from(irqs_per_sec);
    1_000_000_000u64.div_ceil(per_irq) as u32
}

impl Coalesce {
    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), DriverConfigError> {
        let u = u64::from(USECS_MAX);
        check_range("rx_usecs", self.rx_usecs.into(), 0, u)?;
        check_range("rx_usecs_abs", self.rx_usecs_abs.into(), 0, u)?;
        check_range("tx_usecs", self.tx_usecs.into(), 0, u)?;
        check_range("tx_usecs_abs", self.tx_usecs_abs.into(), 0, u)?;
        check_range("rx_frames", self.rx_frames.into(), 0, FRAMES_MAX.into())?;
        check_range("tx_frames", self.tx_frames.into(), 0, FRAMES_MAX.into())?;
        let rate = self.itr_max_irqs_per_sec;
        if rate != 0 && !(ITR_RATE_MIN..=ITR_RATE_MAX).contains(&rate) {
            return Err(DriverConfigError {
                param: "itr_max_irqs_per_sec",
                value: rate.into(),
                expected: format!("0 (no ceiling) or {ITR_RATE_MIN}..={ITR_RATE_MAX}"),
            });
        }
        // With every trigger off the RX (or TX) interrupt would never be
        // raised under ethtool's meaning of 0; refuse rather than guess.
        if self.rx_usecs == 0 && self.rx_frames == 0 && self.rx_usecs_abs == 0 {
            return Err(DriverConfigError {
                param: "rx_frames",
                value: 0,
                expected: "at least 1 when rx_usecs and rx_usecs_abs are 0 \
                           (rx_usecs 0 + rx_frames 1 = no coalescing)"
                    .into(),
            });
        }
        if self.tx_usecs == 0 && self.tx_frames == 0 && self.tx_usecs_abs == 0 {
            return Err(DriverConfigError {
                param: "tx_frames",
                value: 0,
                expected: "at least 1 when tx_usecs and tx_usecs_abs are 0 \
                           (tx_usecs 0 + tx_frames 1 = no coalescing)"
                    .into(),
            });
        }
        Ok(())
    }

    /// The register values for this setting. Meaningful after [`Self::validate`].
    pub fn registers(&self) -> CoalesceRegs {
        CoalesceRegs {
            rdtr: usecs_to_delay_units(self.rx_usecs.min(USECS_MAX)),
            radv: usecs_to_delay_units(self.rx_usecs_abs.min(USECS_MAX)),
            rx_frames: self.rx_frames.min(FRAMES_MAX),
            tidv: usecs_to_delay_units(self.tx_usecs.min(USECS_MAX)),
            tadv: usecs_to_delay_units(self.tx_usecs_abs.min(USECS_MAX)),
            tx_frames: self.tx_frames.min(FRAMES_MAX),
            itr: itr_for_rate(self.itr_max_irqs_per_sec),
        }
    }

    /// The longest the device may hold an interrupt back under these
    /// settings (ns): the ITR interval plus the longest coalescing timer, in
    /// the device's 1.024 us units rounded up. Waiting this long with nothing
    /// happening means nothing is pending.
    pub fn max_holdoff_ns(&self) -> u64 {
        let itr_gap_ns = match self.itr_max_irqs_per_sec {
            0 => 0,
            rate => 1_000_000_000 / u64::from(rate) + 1,
        };
        let timer_us = self.rx_usecs.max(self.rx_usecs_abs).max(self.tx_usecs).max(self.tx_usecs_abs);
        itr_gap_ns + (u64::from(timer_us) + 1) * 1024
    }

    /// Whether TX descriptors carry IDE (so TIDV delays their TXDW).
    pub fn tx_ide(&self) -> bool {
        self.tx_usecs > 0
    }
}

/// Everything the driver can be told at probe time.
///
/// This is also a scenario file's `[driver]` section, field for field under
/// the same names, [`Coalesce`]'s fields included (flattened:
/// `driver.rx_usecs`). Every field may be left out and then takes the
/// default given here ([`DriverConfig::default`]); [`DriverConfig::validate`]
/// states the ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DriverConfig {
    /// `driver.rx_ring` (`ethtool -G rx`): RX descriptors. 8..=4096, a
    /// multiple of 8. Default 256 (igb).
    pub rx_ring: usize,
    /// `driver.tx_ring` (`ethtool -G tx`): TX descriptors. 8..=4096, a
    /// multiple of 8, more than a `tx_max_frame_len` frame needs. Default 256.
    pub tx_ring: usize,
    /// `ethtool -C`: interrupt coalescing; changeable at run time with
    /// [`crate::Driver::set_coalesce`]. Its fields are `[driver]` fields of
    /// their own in a scenario file (`driver.rx_usecs`, ...).
    #[serde(flatten)]
    pub coalesce: Coalesce,
    /// `driver.napi_budget`: frames one NAPI poll may process
    /// (NAPI_POLL_WEIGHT). 1..=4096. Default 64.
    pub napi_budget: usize,
    /// `driver.netdev_budget`: frames one softirq round may process
    /// (net.core.netdev_budget). 1..=1,000,000. Default 300.
    pub netdev_budget: usize,
    /// `driver.netdev_budget_usecs`: CPU time one softirq round may take, in
    /// us (net.core.netdev_budget_usecs: 2000 = 2 jiffies at HZ = 1000).
    /// 1..=1,000,000. Default 2000.
    pub netdev_budget_usecs: u64,
    /// `driver.napi`: receive with NAPI (true), or with the legacy
    /// interrupt-driven path (false): the hard-IRQ handler takes every
    /// completed descriptor, up to ten passes over RX and TX like e1000_intr
    /// without CONFIG_E1000_NAPI (Linux 2.6 drivers/net/e1000/e1000_main.c,
    /// E1000_MAX_INTR), and queues the frames on the per-CPU backlog
    /// (netif_rx); interrupts stay enabled; the backlog is processed in
    /// softirq (process_backlog, `napi_budget` frames per call). Not
    /// together with `adaptive_rx`, `adaptive_tx` or a dynamic `itr_mode`,
    /// which sample at NAPI completion. Default true.
    pub napi: bool,
    /// `driver.netdev_max_backlog` (net.core.netdev_max_backlog): frames the
    /// per-CPU backlog holds in the legacy path (`napi = false`); netif_rx
    /// drops beyond it, counted as `backlog_full`. 1..=1,000,000. Default
    /// 1000 (the kernel's default).
    pub netdev_max_backlog: usize,
    /// `driver.rx_refill_batch`: RX descriptors refilled between two RDT
    /// writes (igb's IGB_RX_BUFFER_WRITE). 1..=4096; a batch of rx_ring or
    /// more means one RDT write per poll. Default 16.
    pub rx_refill_batch: usize,
    /// `driver.rx_buf_len`: RX buffer size in bytes: 256, 512, 1024 or 2048
    /// (RCTL.BSIZE). Default 2048.
    pub rx_buf_len: usize,
    /// `driver.rx_checksumming` (`ethtool -K eth0 rx on|off`,
    /// rx-checksumming): program RXCSUM so the device checks IPv4, TCP and
    /// UDP checksums and reports the raw sum from the L3 header (PCSS = 14).
    /// Default true. (Called `rx_csum` before; that name is refused with a
    /// pointer here.)
    pub rx_checksumming: bool,
    /// `driver.tx_checksumming` (`ethtool -K eth0 tx on|off`,
    /// tx-checksumming, NETIF_F_HW_CSUM): the stack may hand frames over as
    /// CHECKSUM_PARTIAL for the device to insert their TCP/UDP checksums;
    /// off, it computes them in software. The driver only advertises it:
    /// the stack (the co-simulation's application) reads it. Default true.
    pub tx_checksumming: bool,
    /// `driver.tx_max_frame_len`: longest frame [`crate::Driver::xmit`]
    /// accepts, without FCS (the device appends it: IFCS). 60..=16128
    /// (e1000's jumbo maximum). Default 1518: 1500 bytes of payload, an
    /// Ethernet header and an 802.1Q tag.
    pub tx_max_frame_len: usize,
    /// `driver.tx_stop_threshold`: stop the TX queue when fewer descriptors
    /// than this are free (netif_stop_queue). At least what a
    /// `tx_max_frame_len` frame needs (`ceil(len / 2048)`), so a running
    /// queue always has room for any frame; at most tx_ring - 1. Default 1.
    pub tx_stop_threshold: usize,
    /// `driver.tx_wake_threshold`: wake a stopped queue once this many
    /// descriptors are free again (netif_wake_queue).
    /// tx_stop_threshold..=tx_ring - 1. Default 2: twice the stop threshold,
    /// like ixgbe's TX_WAKE_THRESHOLD, so the queue does not flap on every
    /// cleaned frame.
    pub tx_wake_threshold: usize,
    /// `driver.adaptive_rx` (`ethtool -C adaptive-rx on`): Linux DIM
    /// ([`crate::dim`]) picks the RX timer and `rx_frames` from the profiles
    /// of `dim_mode`, starting at the default profile: the profile's usecs go
    /// to `rx_usecs_abs` (RADV) in EQE mode, to `rx_usecs` (RDTR) in CQE mode
    /// ([`crate::moderation`]); the configured values are replaced. Not
    /// together with a dynamic `itr_mode`. Default false.
    pub adaptive_rx: bool,
    /// `driver.adaptive_tx` (`ethtool -C adaptive-tx on`): the same for
    /// `tx_usecs_abs` (EQE) or `tx_usecs` (CQE) and `tx_frames`. Default false.
    pub adaptive_tx: bool,
    /// `driver.dim_mode`: the DIM profile tables, `"eqe"` or `"cqe"`
    /// (DIM_CQ_PERIOD_MODE_START_FROM_EQE / _CQE). Default `"eqe"`.
    pub dim_mode: DimMode,
    /// `driver.itr_mode`: `"static"` (the `itr_max_irqs_per_sec` ceiling,
    /// e1000's InterruptThrottleRate = a number), `"dynamic"` (= 1) or
    /// `"dynamic_conservative"` (= 3): e1000's dynamic ITR ([`crate::itr`]),
    /// which then ignores `itr_max_irqs_per_sec`. Default `"static"`.
    pub itr_mode: ItrMode,
    /// `driver.tx_timeout_us`: the TX watchdog's timeout (the netdev's
    /// `watchdog_timeo`): with transmit work outstanding and no completion
    /// for longer than this, the watchdog declares the transmitter hung,
    /// counts `tx_timeout_count` and resets the device ([`crate::watchdog`]).
    /// 0 = off; else `watchdog_interval_us`..=3,600,000,000 (an hour), so
    /// that a tick comes at least once per timeout. Default 5,000,000 (5 s:
    /// e1000's `netdev->watchdog_timeo = 5 * HZ`); simulations are short,
    /// so lower it (and `watchdog_interval_us` with it) to see it act.
    pub tx_timeout_us: u64,
    /// `driver.watchdog_interval_us`: the period of the driver's watchdog
    /// ([`crate::Driver::watchdog`]: statistics registers read, link and TX
    /// hang checked). 100..=60,000,000. Default 2,000,000 (2 s:
    /// `e1000_watchdog` re-arms itself `2 * HZ` ahead).
    pub watchdog_interval_us: u64,
}

impl Default for DriverConfig {
    fn default() -> Self {
        DriverConfig {
            rx_ring: 256,
            tx_ring: 256,
            coalesce: Coalesce::default(),
            napi_budget: 64,
            netdev_budget: 300,
            netdev_budget_usecs: 2000,
            napi: true,
            netdev_max_backlog: 1000,
            rx_refill_batch: 16,
            rx_buf_len: 2048,
            rx_checksumming: true,
            tx_checksumming: true,
            tx_max_frame_len: 1518,
            tx_stop_threshold: 1,
            tx_wake_threshold: 2,
            adaptive_rx: false,
            adaptive_tx: false,
            dim_mode: DimMode::Eqe,
            itr_mode: ItrMode::Static,
            tx_timeout_us: TX_TIMEOUT_DEFAULT_US,
            watchdog_interval_us: WATCHDOG_INTERVAL_DEFAULT_US,
        }
    }
}

/// Descriptors (and TX buffers) a frame of `len` bytes occupies.
pub fn tx_descs_for(len: usize) -> usize {
    len.div_ceil(TX_BUF_LEN).max(1)
}

impl DriverConfig {
    /// Checks every field; the error names the first bad one and what it allows.
    pub fn validate(&self) -> Result<(), DriverConfigError> {
        check_ring("rx_ring", self.rx_ring)?;
        check_ring("tx_ring", self.tx_ring)?;
        self.coalesce.validate()?;
        check_range("napi_budget", self.napi_budget as u64, 1, 4096)?;
        check_range("netdev_budget", self.netdev_budget as u64, 1, 1_000_000)?;
        check_range("netdev_budget_usecs", self.netdev_budget_usecs, 1, 1_000_000)?;
        check_range("netdev_max_backlog", self.netdev_max_backlog as u64, 1, 1_000_000)?;
        check_range("rx_refill_batch", self.rx_refill_batch as u64, 1, RING_MAX as u64)?;
        if !RX_BUF_LENS.contains(&self.rx_buf_len) {
            return Err(DriverConfigError {
                param: "rx_buf_len",
                value: self.rx_buf_len as u64,
                expected: "one of 256, 512, 1024, 2048".into(),
            });
        }
        check_range("tx_max_frame_len", self.tx_max_frame_len as u64, 60, MAX_FRAME_LEN as u64)?;
        let need = tx_descs_for(self.tx_max_frame_len) as u64;
        let top = self.tx_ring as u64 - 1;
        if need > top {
            return Err(DriverConfigError {
                param: "tx_ring",
                value: self.tx_ring as u64,
                expected: format!("more than {need} descriptors: a {}-byte frame needs {need}", self.tx_max_frame_len),
            });
        }
        check_range("tx_stop_threshold", self.tx_stop_threshold as u64, need, top)?;
        check_range("tx_wake_threshold", self.tx_wake_threshold as u64, self.tx_stop_threshold as u64, top)?;
        check_range(
            "watchdog_interval_us",
            self.watchdog_interval_us,
            WATCHDOG_INTERVAL_MIN_US,
            WATCHDOG_INTERVAL_MAX_US,
        )?;
        if self.tx_timeout_us != 0 && !(self.watchdog_interval_us..=TX_TIMEOUT_MAX_US).contains(&self.tx_timeout_us) {
            // A timeout shorter than the period would only be noticed at the
            // next tick anyway: refuse it rather than let it mislead.
            return Err(DriverConfigError {
                param: "tx_timeout_us",
                value: self.tx_timeout_us,
                expected: format!(
                    "0 (off) or watchdog_interval_us ({})..={TX_TIMEOUT_MAX_US}: the watchdog looks once per \
                     watchdog_interval_us, so lower that too for a shorter timeout",
                    self.watchdog_interval_us
                ),
            });
        }
        if self.adaptive_rx && self.itr_mode != ItrMode::Static {
            // Both would program the RX interrupt moderation.
            return Err(DriverConfigError {
                param: "adaptive_rx",
                value: 1,
                expected: format!(
                    "false when itr_mode = \"{}\": DIM (adaptive_rx) and e1000's dynamic ITR would both \
                     program RX interrupt moderation; use one, or itr_mode = \"static\"",
                    self.itr_mode.name()
                ),
            });
        }
        if !self.napi {
            // Each of these samples at napi_complete_done, which the legacy
            // interrupt path never reaches.
            let napi_only = [
                ("adaptive_rx", self.adaptive_rx),
                ("adaptive_tx", self.adaptive_tx),
                ("itr_mode", self.itr_mode != ItrMode::Static),
            ];
            if let Some((param, _)) = napi_only.into_iter().find(|(_, on)| *on) {
                return Err(DriverConfigError {
                    param,
                    value: 1,
                    expected: format!(
                        "{} when napi = false: it samples at NAPI completion, which the legacy \
                         interrupt-driven path never reaches; set napi = true or turn it off",
                        if param == "itr_mode" { "\"static\"" } else { "false" }
                    ),
                });
            }
        }
        Ok(())
    }

    /// RCTL.BSIZE field value (bits 17:16) for `rx_buf_len` (BSEX = 0).
    pub fn rctl_bsize(&self) -> u32 {
        let code = match self.rx_buf_len {
            256 => 3,
            512 => 2,
            1024 => 1,
            _ => 0, // 2048, and the reset value for anything validate() rejects
        };
        code << regs::RCTL_BSIZE_SHIFT
    }

    /// The RCTL value written at probe: EN | BSIZE | RDMTS = 1/2 | SECRC.
    pub fn rctl(&self) -> u32 {
        // RDMTS 0 = half the ring: RXDMT0 warns while half the buffers are
        // still there, early enough for the poll to catch up (e1000 default).
        regs::RCTL_EN | self.rctl_bsize() | (0 << regs::RCTL_RDMTS_SHIFT) | regs::RCTL_SECRC
    }

    /// The RXCSUM value written at probe: IPOFLD | TUOFLD | PCSS = 14 with
    /// rx-checksumming on, 0 off.
    pub fn rxcsum(&self) -> u32 {
        if self.rx_checksumming {
            regs::RXCSUM_IPOFLD | regs::RXCSUM_TUOFLD | RXCSUM_PCSS_L3
        } else {
            0
        }
    }

    /// The TCTL value written at probe: EN | PSP.
    pub fn tctl(&self) -> u32 {
        regs::TCTL_EN | regs::TCTL_PSP
    }
}

fn check_ring(param: &'static str, n: usize) -> Result<(), DriverConfigError> {
    if (RING_MIN..=RING_MAX).contains(&n) && n.is_multiple_of(8) {
        Ok(())
    } else {
        Err(DriverConfigError {
            param,
            value: n as u64,
            expected: format!("{RING_MIN}..={RING_MAX} and a multiple of 8"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        DriverConfig::default().validate().unwrap();
    }

    #[test]
    fn default_registers_match_e1000_defaults() {
        let r = Coalesce::default().registers();
        assert_eq!((r.rdtr, r.radv, r.tidv, r.tadv), (0, 8, 8, 32));
        assert_eq!(r.rx_frames, 1);
        assert_eq!(r.itr, 489, "1e9 / (256 * 8000) = 488.28, rounded up");
    }

    #[test]
    fn usecs_round_up_to_units() {
        assert_eq!(usecs_to_delay_units(0), 0);
        assert_eq!(usecs_to_delay_units(1), 1);
        assert_eq!(usecs_to_delay_units(1024), 1000);
        assert_eq!(usecs_to_delay_units(1025), 1001);
        assert_eq!(usecs_to_delay_units(65_535), 64_000);
    }

    #[test]
    fn itr_ceiling_is_never_exceeded() {
        assert_eq!(itr_for_rate(0), 0);
        for rate in [ITR_RATE_MIN, 100, 4000, 8000, 20_000, 70_000, 100_000, ITR_RATE_MAX] {
            let itr = itr_for_rate(rate);
            assert!((1..=0xFFFF).contains(&itr), "rate {rate} -> {itr}");
            let achieved = 1e9 / (256.0 * f64::from(itr));
            assert!(achieved <= f64::from(rate) + 1e-6, "rate {rate}: {achieved}");
        }
    }

    #[test]
    fn bsize_encoding() {
        let mut c = DriverConfig::default();
        for (len, code) in [(2048, 0), (1024, 1), (512, 2), (256, 3)] {
            c.rx_buf_len = len;
            assert_eq!(c.rctl_bsize(), code << 16);
        }
        c.rx_buf_len = 2048;
        assert_eq!(c.rctl(), regs::RCTL_EN | regs::RCTL_SECRC);
        assert_eq!(c.tctl(), regs::TCTL_EN | regs::TCTL_PSP);
    }

    fn err(f: impl FnOnce(&mut DriverConfig)) -> DriverConfigError {
        let mut c = DriverConfig::default();
        f(&mut c);
        c.validate().unwrap_err()
    }

    #[test]
    fn errors_name_the_parameter_and_range() {
        let e = err(|c| c.rx_ring = 100);
        assert_eq!(e.param, "rx_ring");
        assert_eq!(e.to_string(), "invalid rx_ring = 100: expected 8..=4096 and a multiple of 8");
        assert_eq!(err(|c| c.rx_ring = 4104).param, "rx_ring");
        assert_eq!(err(|c| c.rx_ring = 0).param, "rx_ring");
        assert_eq!(err(|c| c.tx_ring = 7).param, "tx_ring");
        let e = err(|c| c.rx_buf_len = 300);
        assert_eq!((e.param, e.value), ("rx_buf_len", 300));
        assert!(e.to_string().contains("256, 512, 1024, 2048"));
        assert_eq!(err(|c| c.napi_budget = 0).param, "napi_budget");
        assert_eq!(err(|c| c.netdev_budget = 0).param, "netdev_budget");
        assert_eq!(err(|c| c.netdev_budget_usecs = 0).param, "netdev_budget_usecs");
        assert_eq!(err(|c| c.rx_refill_batch = 0).param, "rx_refill_batch");
        assert_eq!(err(|c| c.rx_refill_batch = 4097).param, "rx_refill_batch");
        assert_eq!(err(|c| c.coalesce.rx_usecs = 70_000).param, "rx_usecs");
        assert_eq!(err(|c| c.coalesce.tx_frames = 70_000).param, "tx_frames");
        let e = err(|c| c.coalesce.itr_max_irqs_per_sec = 50);
        assert_eq!(e.param, "itr_max_irqs_per_sec");
        assert!(e.to_string().contains("0 (no ceiling)"));
        assert_eq!(err(|c| c.tx_max_frame_len = 20_000).param, "tx_max_frame_len");
        assert_eq!(err(|c| c.watchdog_interval_us = 99).param, "watchdog_interval_us");
        assert_eq!(err(|c| c.watchdog_interval_us = 60_000_001).param, "watchdog_interval_us");
    }

    #[test]
    fn tx_timeout_is_off_or_at_least_one_watchdog_period() {
        let d = DriverConfig::default();
        assert_eq!((d.tx_timeout_us, d.watchdog_interval_us), (5_000_000, 2_000_000));
        let e = err(|c| c.tx_timeout_us = 1_000);
        assert_eq!((e.param, e.value), ("tx_timeout_us", 1_000));
        assert!(e.to_string().contains("watchdog_interval_us (2000000)"), "{e}");
        assert_eq!(err(|c| c.tx_timeout_us = 3_600_000_001).param, "tx_timeout_us");
        let ok = |timeout, interval| DriverConfig { tx_timeout_us: timeout, watchdog_interval_us: interval, ..d };
        ok(0, 100).validate().unwrap();
        ok(1_000, 1_000).validate().unwrap();
        ok(2_000, 500).validate().unwrap();
    }

    #[test]
    fn coalescing_that_never_fires_is_refused() {
        let e = err(|c| {
            c.coalesce.rx_frames = 0;
            c.coalesce.rx_usecs_abs = 0;
        });
        assert_eq!(e.param, "rx_frames");
        let e = err(|c| {
            c.coalesce.tx_usecs = 0;
            c.coalesce.tx_usecs_abs = 0;
        });
        assert_eq!(e.param, "tx_frames");
        // No coalescing at all is fine.
        let coalesce = Coalesce {
            rx_usecs: 0,
            rx_frames: 1,
            rx_usecs_abs: 0,
            tx_usecs: 0,
            tx_frames: 1,
            tx_usecs_abs: 0,
            itr_max_irqs_per_sec: 0,
        };
        DriverConfig { coalesce, ..DriverConfig::default() }.validate().unwrap();
    }

    #[test]
    fn adaptive_rx_and_dynamic_itr_are_exclusive() {
        let e = err(|c| {
            c.adaptive_rx = true;
            c.itr_mode = ItrMode::Dynamic;
        });
        assert_eq!(e.param, "adaptive_rx");
        assert!(e.to_string().contains("itr_mode = \"dynamic\""), "{e}");
        let mut c = DriverConfig { adaptive_rx: true, adaptive_tx: true, ..Default::default() };
        c.validate().unwrap();
        c.adaptive_rx = false;
        c.itr_mode = ItrMode::DynamicConservative;
        c.validate().unwrap();
    }

    #[test]
    fn tx_thresholds_must_cover_a_max_frame() {
        // A 9018-byte jumbo frame needs 5 buffers of 2048.
        assert_eq!(tx_descs_for(9018), 5);
        let e = err(|c| c.tx_max_frame_len = 9018);
        assert_eq!(e.param, "tx_stop_threshold");
        assert!(e.to_string().contains("5..=255"), "{e}");
        let mut c =
            DriverConfig { tx_max_frame_len: 9018, tx_stop_threshold: 5, tx_wake_threshold: 10, ..Default::default() };
        c.validate().unwrap();
        c.tx_wake_threshold = 4;
        assert_eq!(c.validate().unwrap_err().param, "tx_wake_threshold");
        c.tx_wake_threshold = 256;
        assert_eq!(c.validate().unwrap_err().param, "tx_wake_threshold");
        let e = err(|c| {
            c.tx_ring = 8;
            c.tx_max_frame_len = 16128;
            c.tx_stop_threshold = 8;
            c.tx_wake_threshold = 8;
        });
        assert_eq!(e.param, "tx_ring");
    }
}
