//! Scenarios: what `verinic run` simulates, read from TOML.
//!
//! Every field has a default, so an empty file is a valid scenario: the
//! built-in one, [`Scenario::default`], which `scenarios/default.toml`
//! spells out. Unknown fields are refused,
//! so a misspelt setting fails loudly instead of silently keeping a default.
//! Sections:
//!
//! - top level: `duration_us`, `seed`;
//! - `[rx]`: traffic the link partner sends toward the NIC ([`RxSpec`]);
//! - `[tx]`: frames the application sends ([`TxSpec`]);
//! - `[driver]`: rings, coalescing and budgets under ethtool's names ([`DriverSpec`]);
//! - `[cpu]`: the CPU cost model and the application ([`CpuSpec`]);
//! - `[memory]`: host memory behind the DMA master ([`MemorySpec`]);
//! - `[mmio]`: the CPU's register path ([`MmioSpec`]);
//! - `[pcap]`: replay a capture instead of `[rx]`'s generator, write what the
//!   NIC transmitted and what the driver delivered ([`PcapSpec`]).
//!
//! `scenarios/default.toml` spells out every field with its default.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use verinic_driver::{Coalesce, CpuCosts, DriverConfig};
use verinic_sim::bus::{AxilConfig, MemoryConfig};
use verinic_sim::nic::NicConfig;
use verinic_sim::xgmii::EncoderConfig;

use super::paths::same_file;
use crate::cosim::AppConfig;
use crate::pcap::Timing;

/// Smallest frame length with FCS a scenario may use.
pub const MIN_FRAME_SIZE: usize = 64;
/// Largest frame length with FCS a scenario may use (untagged maximum).
pub const MAX_FRAME_SIZE: usize = 1518;
/// Longest run a scenario may ask for, in microseconds of simulated time (10 s).
pub const MAX_DURATION_US: u64 = 10_000_000;
/// Simulated time of a scenario that does not say (and of the built-in
/// one), in microseconds: 10 ms, so that the 99.9th latency percentile of
/// the default traffic rests on some 17 samples rather than 3. About 1 s of
/// wall time.
pub const DEFAULT_DURATION_US: u64 = 10_000;
/// Largest scenario file read, in bytes (a scenario is a few hundred bytes;
/// this keeps `--config /dev/zero` from reading until memory runs out).
pub const MAX_SCENARIO_FILE_BYTES: u64 = 1024 * 1024;
/// Most entries in `rx.frame_sizes`.
pub const MAX_FRAME_SIZES: usize = 1024;
/// Highest application send rate: above line rate for 64-byte frames (14.88 M/s).
pub const MAX_TX_FRAMES_PER_SEC: f64 = 15_000_000.0;
/// Largest CPU cost of one step, in ns (1 ms).
pub const MAX_COST_NS: u64 = 1_000_000;
/// Largest socket queue, in frames.
pub const MAX_SOCKET_QUEUE: usize = 1_000_000;
/// Largest host memory latency, in ns (1 ms).
pub const MAX_MEMORY_LATENCY_NS: u64 = 1_000_000;
/// Most DMA reads in flight.
pub const MAX_READS_IN_FLIGHT: usize = 256;
/// Largest MMIO latency each way, in device cycles (the platform gives up on
/// a register read after 100,000 cycles).
pub const MAX_MMIO_LATENCY_CYCLES: u64 = 10_000;

/// A whole scenario: how long, what traffic, and how the host is set up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Simulated time to measure, in microseconds (after driver probe).
    /// Default 10,000 ([`DEFAULT_DURATION_US`]). 1..=10,000,000.
    pub duration_us: u64,
    /// Seed of frame sizes and payloads. Default 1.
    pub seed: u64,
    /// Traffic toward the NIC.
    pub rx: RxSpec,
    /// Frames the application sends.
    pub tx: TxSpec,
    /// Driver settings (ethtool names).
    pub driver: DriverSpec,
    /// CPU cost model and application.
    pub cpu: CpuSpec,
    /// Host memory model.
    pub memory: MemorySpec,
    /// MMIO path model.
    pub mmio: MmioSpec,
    /// Capture files in and out (left out of the JSON echo when unused).
    #[serde(skip_serializing_if = "PcapSpec::is_unused")]
    pub pcap: PcapSpec,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            duration_us: DEFAULT_DURATION_US,
            seed: 1,
            rx: RxSpec::default(),
            tx: TxSpec::default(),
            driver: DriverSpec::default(),
            cpu: CpuSpec::default(),
            memory: MemorySpec::default(),
            mmio: MmioSpec::default(),
            pcap: PcapSpec::default(),
        }
    }
}

/// `[rx]`: what the link partner sends toward the NIC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RxSpec {
    /// Offered load as a fraction of 10G line rate, 0..=1 (the link
    /// partner's pacing, `EncoderConfig::load`). 0 = no receive traffic.
    /// Default 0.5.
    pub load: f64,
    /// Frame lengths with FCS, 64..=1518; each frame's length is drawn
    /// uniformly from this list (repeat a size to weight it). Default an
    /// IMIX-like mix: seven 64, three 576, one 1518.
    pub frame_sizes: Vec<usize>,
}

impl Default for RxSpec {
    fn default() -> Self {
        RxSpec { load: 0.5, frame_sizes: vec![64, 64, 64, 64, 64, 64, 64, 576, 576, 576, 1518] }
    }
}

/// `[tx]`: frames the application sends through the driver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TxSpec {
    /// Frames per second, evenly spaced; 0 = none. 0..=15,000,000.
    /// Default 100,000.
    pub frames_per_sec: f64,
    /// Frame length with FCS, 64..=1518. Default 512.
    pub frame_size: usize,
    /// Echo server: send every received frame back, and nothing else
    /// (`frames_per_sec` and `frame_size` are then not used). Default false.
    pub echo: bool,
}

impl Default for TxSpec {
    fn default() -> Self {
        TxSpec { frames_per_sec: 100_000.0, frame_size: 512, echo: false }
    }
}

/// `[pcap]`: capture files. Relative paths in a scenario file are relative
/// to the file's directory; on the command line, to the current directory.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PcapSpec {
    /// A pcap or pcapng file (Ethernet) to replay toward the NIC instead of
    /// `[rx]`'s generator; each frame once, in file order. Default none.
    pub input: Option<PathBuf>,
    /// `"recorded"`: keep the capture's spacing (from its first frame, in
    /// device time); `"rate"`: back to back at `rx.load`. Default `"recorded"`.
    pub timing: Timing,
    /// Write the frames the NIC transmitted (as the link partner decoded
    /// them) to this pcap file. Default none.
    pub output: Option<PathBuf>,
    /// Write the frames the driver delivered to the stack to this pcap file.
    /// Default none.
    pub delivered: Option<PathBuf>,
}

impl PcapSpec {
    /// Whether the section asks for nothing (it is then left out of the
    /// JSON echo of the scenario).
    pub fn is_unused(&self) -> bool {
        *self == PcapSpec::default()
    }

    /// Makes relative paths relative to `dir`.
    pub fn resolve_relative_to(&mut self, dir: &Path) {
        for p in [&mut self.input, &mut self.output, &mut self.delivered].into_iter().flatten() {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        }
    }
}

/// `[driver]`: rings (`ethtool -G`), coalescing (`ethtool -C`) and budgets,
/// mapped onto [`DriverConfig`] and [`Coalesce`]; defaults are theirs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriverSpec {
    /// RX descriptors (`ethtool -G rx`). 8..=4096, a multiple of 8. Default 256.
    pub rx_ring: usize,
    /// TX descriptors (`ethtool -G tx`). 8..=4096, a multiple of 8. Default 256.
    pub tx_ring: usize,
    /// `rx-usecs`: packet timer (RDTR), restarted by every frame. 0 = off. Default 0.
    pub rx_usecs: u32,
    /// `rx-frames`: interrupt once this many frames are pending. 0 = off. Default 1.
    pub rx_frames: u32,
    /// Absolute RX delay from the first pending frame (RADV). 0 = off. Default 8.
    pub rx_usecs_abs: u32,
    /// `tx-usecs`: TX interrupt delay (TIDV). 0 = off. Default 8.
    pub tx_usecs: u32,
    /// `tx-frames`: TX interrupt once this many completions are pending. 0 = off. Default 0.
    pub tx_frames: u32,
    /// Absolute TX delay (TADV). 0 = off. Default 32.
    pub tx_usecs_abs: u32,
    /// Interrupt rate ceiling (ITR). 0 = none, else 60..=3,906,250. Default 8000.
    pub itr_max_irqs_per_sec: u32,
    /// Frames one NAPI poll may take (NAPI_POLL_WEIGHT). 1..=4096. Default 64.
    pub napi_budget: usize,
    /// Frames one softirq round may take (net.core.netdev_budget). 1..=1,000,000. Default 300.
    pub netdev_budget: usize,
    /// CPU time one softirq round may take, us (net.core.netdev_budget_usecs).
    /// 1..=1,000,000. Default 2000.
    pub netdev_budget_usecs: u64,
    /// RX descriptors refilled per RDT write. 1..=4096. Default 16.
    pub rx_refill_batch: usize,
    /// RX buffer size: 256, 512, 1024 or 2048. Default 2048.
    pub rx_buf_len: usize,
}

impl Default for DriverSpec {
    fn default() -> Self {
        let d = DriverConfig::default();
        let c = d.coalesce;
        DriverSpec {
            rx_ring: d.rx_ring,
            tx_ring: d.tx_ring,
            rx_usecs: c.rx_usecs,
            rx_frames: c.rx_frames,
            rx_usecs_abs: c.rx_usecs_abs,
            tx_usecs: c.tx_usecs,
            tx_frames: c.tx_frames,
            tx_usecs_abs: c.tx_usecs_abs,
            itr_max_irqs_per_sec: c.itr_max_irqs_per_sec,
            napi_budget: d.napi_budget,
            netdev_budget: d.netdev_budget,
            netdev_budget_usecs: d.netdev_budget_usecs,
            rx_refill_batch: d.rx_refill_batch,
            rx_buf_len: d.rx_buf_len,
        }
    }
}

/// `[cpu]`: what each piece of driver work costs ([`CpuCosts`], in ns) and
/// what the application does with received frames.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CpuSpec {
    /// [`CpuCosts::irq_entry`]. Default 500.
    pub irq_entry_ns: u64,
    /// [`CpuCosts::irq_exit`]. Default 500.
    pub irq_exit_ns: u64,
    /// [`CpuCosts::mmio_write`]. Default 50.
    pub mmio_write_ns: u64,
    /// [`CpuCosts::per_rx_frame`]. Default 100.
    pub per_rx_frame_ns: u64,
    /// [`CpuCosts::per_rx_deliver`]. Default 100.
    pub per_rx_deliver_ns: u64,
    /// [`CpuCosts::per_refill_desc`]. Default 10.
    pub per_refill_desc_ns: u64,
    /// [`CpuCosts::per_tx_frame`]. Default 100.
    pub per_tx_frame_ns: u64,
    /// [`CpuCosts::per_tx_clean`]. Default 30.
    pub per_tx_clean_ns: u64,
    /// [`CpuCosts::napi_poll_overhead`]. Default 200.
    pub napi_poll_overhead_ns: u64,
    /// CPU time the application spends on each received frame; 0 = the
    /// application consumes frames for free (and the socket queue never
    /// fills). Default 0.
    pub app_rx_ns_per_frame: u64,
    /// Frames the socket queue holds before it drops. 1..=1,000,000. Default 4096.
    pub socket_queue: usize,
}

impl Default for CpuSpec {
    fn default() -> Self {
        let c = CpuCosts::default();
        let a = AppConfig::default();
        CpuSpec {
            irq_entry_ns: c.irq_entry,
            irq_exit_ns: c.irq_exit,
            mmio_write_ns: c.mmio_write,
            per_rx_frame_ns: c.per_rx_frame,
            per_rx_deliver_ns: c.per_rx_deliver,
            per_refill_desc_ns: c.per_refill_desc,
            per_tx_frame_ns: c.per_tx_frame,
            per_tx_clean_ns: c.per_tx_clean,
            napi_poll_overhead_ns: c.napi_poll_overhead,
            app_rx_ns_per_frame: a.rx_ns_per_frame,
            socket_queue: a.socket_queue,
        }
    }
}

/// `[memory]`: host memory as the NIC's DMA sees it ([`MemoryConfig`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemorySpec {
    /// From read request to first data. 0..=1,000,000 ns. Default 500.
    pub read_latency_ns: u64,
    /// From last write data to the write response. 0..=1,000,000 ns. Default 100.
    pub write_latency_ns: u64,
    /// Reads outstanding at once, at most. 1..=256. Default 32.
    pub max_reads_in_flight: usize,
}

impl Default for MemorySpec {
    fn default() -> Self {
        let m = MemoryConfig::default();
        MemorySpec {
            read_latency_ns: m.read_latency_ns,
            write_latency_ns: m.write_latency_ns,
            max_reads_in_flight: m.max_reads_in_flight,
        }
    }
}

/// `[mmio]`: the CPU's path to the NIC's registers ([`AxilConfig`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MmioSpec {
    /// Device cycles from the CPU's access to the request on the bus. 1..=10,000. Default 38.
    pub request_latency_cycles: u64,
    /// Device cycles from the register's answer to the CPU. 1..=10,000. Default 38.
    pub response_latency_cycles: u64,
}

impl Default for MmioSpec {
    fn default() -> Self {
        let a = AxilConfig::default();
        MmioSpec {
            request_latency_cycles: a.request_latency_cycles,
            response_latency_cycles: a.response_latency_cycles,
        }
    }
}

/// One setting outside what it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The setting as written in TOML, with its section (`driver.rx_ring`).
    pub field: String,
    /// The rejected value, as written.
    pub value: String,
    /// What would have been accepted.
    pub expected: String,
}

impl std::error::Error for FieldError {}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} = {}: expected {}", self.field, self.value, self.expected)
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug)]
pub enum ScenarioError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Not valid TOML, or a field unknown or of the wrong type.
    Parse {
        /// The file, if the text came from one.
        path: Option<PathBuf>,
        /// The TOML parser's message (with line and column).
        message: String,
    },
    /// The file is larger than any scenario ([`MAX_SCENARIO_FILE_BYTES`]).
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// A field outside its allowed range.
    Invalid {
        /// The file, if the scenario came from one.
        path: Option<PathBuf>,
        /// The field, value and range.
        error: FieldError,
    },
}

impl ScenarioError {
    /// Attaches the file the scenario came from.
    pub fn in_file(self, file: &Path) -> Self {
        match self {
            ScenarioError::Parse { message, .. } => ScenarioError::Parse { path: Some(file.into()), message },
            ScenarioError::Invalid { error, .. } => ScenarioError::Invalid { path: Some(file.into()), error },
            io => io,
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name =
            |p: &Option<PathBuf>| p.as_ref().map_or("scenario".to_string(), |p| format!("scenario {}", p.display()));
        match self {
            ScenarioError::Io { path, source } => {
                write!(f, "cannot read scenario {}: {source} (check the path given to --config)", path.display())
            }
            ScenarioError::Parse { path, message } => {
                write!(f, "{}: {}", name(path), message.trim_end())?;
                write!(f, "\n(scenarios/default.toml lists every field with its default)")
            }
            ScenarioError::TooLarge { path, limit } => write!(
                f,
                "scenario {} is larger than {limit} bytes: not a scenario file (check the path given to --config)",
                path.display()
            ),
            ScenarioError::Invalid { path, error } => write!(f, "{}: {error}", name(path)),
        }
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioError::Io { source, .. } => Some(source),
            ScenarioError::Invalid { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl From<FieldError> for ScenarioError {
    fn from(error: FieldError) -> Self {
        ScenarioError::Invalid { path: None, error }
    }
}

/// Reads a scenario file of at most [`MAX_SCENARIO_FILE_BYTES`].
fn read_limited(path: &Path) -> Result<String, ScenarioError> {
    use std::io::Read;
    let io = |source| ScenarioError::Io { path: path.into(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_SCENARIO_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_SCENARIO_FILE_BYTES {
        return Err(ScenarioError::TooLarge { path: path.into(), limit: MAX_SCENARIO_FILE_BYTES });
    }
    String::from_utf8(bytes).map_err(|e| ScenarioError::Parse {
        path: Some(path.into()),
        message: format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
    })
}

fn invalid(field: &str, value: impl fmt::Display, expected: impl Into<String>) -> FieldError {
    FieldError { field: field.into(), value: value.to_string(), expected: expected.into() }
}

fn check_u64(field: &str, value: u64, min: u64, max: u64) -> Result<(), FieldError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(field, value, format!("{min}..={max}")))
    }
}

impl Scenario {
    /// Parses and validates a scenario from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Self, ScenarioError> {
        let s = Self::parse(text)?;
        s.validate()?;
        Ok(s)
    }

    fn parse(text: &str) -> Result<Self, ScenarioError> {
        toml::from_str(text).map_err(|e| ScenarioError::Parse { path: None, message: e.to_string() })
    }

    /// Reads, parses and validates a scenario file; errors name the file.
    /// Relative `[pcap]` paths are taken relative to the file's directory.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        let path = path.as_ref();
        let text = read_limited(path)?;
        let mut s = Self::parse(&text).map_err(|e| e.in_file(path))?;
        s.pcap.resolve_relative_to(path.parent().unwrap_or(Path::new("")));
        s.validate().map_err(|e| ScenarioError::from(e).in_file(path))?;
        Ok(s)
    }

    /// Checks every field; the error names the first bad one, its value and
    /// the allowed range.
    pub fn validate(&self) -> Result<(), FieldError> {
        check_u64("duration_us", self.duration_us, 1, MAX_DURATION_US)?;

        let rx = &self.rx;
        // Written so that NaN fails too.
        if !(rx.load >= 0.0 && rx.load <= 1.0) {
            return Err(invalid("rx.load", rx.load, "0..=1 (fraction of 10G line rate; 0 = no receive traffic)"));
        }
        if rx.frame_sizes.is_empty() || rx.frame_sizes.len() > MAX_FRAME_SIZES {
            return Err(invalid(
                "rx.frame_sizes",
                format!("a list of {}", rx.frame_sizes.len()),
                format!("1..={MAX_FRAME_SIZES} lengths"),
            ));
        }
        for (i, &len) in rx.frame_sizes.iter().enumerate() {
            if !(MIN_FRAME_SIZE..=MAX_FRAME_SIZE).contains(&len) {
                return Err(invalid(
                    &format!("rx.frame_sizes[{i}]"),
                    len,
                    format!("{MIN_FRAME_SIZE}..={MAX_FRAME_SIZE} (frame length with FCS)"),
                ));
            }
        }

        let tx = &self.tx;
        if !(tx.frames_per_sec >= 0.0 && tx.frames_per_sec <= MAX_TX_FRAMES_PER_SEC) {
            return Err(invalid("tx.frames_per_sec", tx.frames_per_sec, "0..=15000000 (0 = no transmit)"));
        }
        if !(MIN_FRAME_SIZE..=MAX_FRAME_SIZE).contains(&tx.frame_size) {
            return Err(invalid(
                "tx.frame_size",
                tx.frame_size,
                format!("{MIN_FRAME_SIZE}..={MAX_FRAME_SIZE} (frame length with FCS)"),
            ));
        }

        self.driver_config().validate().map_err(|e| FieldError {
            field: format!("driver.{}", e.param),
            value: e.value.to_string(),
            expected: e.expected,
        })?;

        let c = &self.cpu;
        for (name, v) in [
            ("cpu.irq_entry_ns", c.irq_entry_ns),
            ("cpu.irq_exit_ns", c.irq_exit_ns),
            ("cpu.mmio_write_ns", c.mmio_write_ns),
            ("cpu.per_rx_frame_ns", c.per_rx_frame_ns),
            ("cpu.per_rx_deliver_ns", c.per_rx_deliver_ns),
            ("cpu.per_refill_desc_ns", c.per_refill_desc_ns),
            ("cpu.per_tx_frame_ns", c.per_tx_frame_ns),
            ("cpu.per_tx_clean_ns", c.per_tx_clean_ns),
            ("cpu.napi_poll_overhead_ns", c.napi_poll_overhead_ns),
            ("cpu.app_rx_ns_per_frame", c.app_rx_ns_per_frame),
        ] {
            check_u64(name, v, 0, MAX_COST_NS)?;
        }
        check_u64("cpu.socket_queue", c.socket_queue as u64, 1, MAX_SOCKET_QUEUE as u64)?;

        let m = &self.memory;
        check_u64("memory.read_latency_ns", m.read_latency_ns, 0, MAX_MEMORY_LATENCY_NS)?;
        check_u64("memory.write_latency_ns", m.write_latency_ns, 0, MAX_MEMORY_LATENCY_NS)?;
        check_u64("memory.max_reads_in_flight", m.max_reads_in_flight as u64, 1, MAX_READS_IN_FLIGHT as u64)?;

        self.validate_pcap()?;

        let x = &self.mmio;
        check_u64("mmio.request_latency_cycles", x.request_latency_cycles, 1, MAX_MMIO_LATENCY_CYCLES)?;
        check_u64("mmio.response_latency_cycles", x.response_latency_cycles, 1, MAX_MMIO_LATENCY_CYCLES)?;

        // The bus models' own checks, in case they grow stricter than ours.
        let nic = self.nic_config();
        nic.memory.validate().map_err(|e| invalid(&format!("memory.{}", e.field), "(see field)", e.expected))?;
        nic.mmio.validate().map_err(|e| invalid(&format!("mmio.{}", e.field), "(see field)", e.expected))?;
        Ok(())
    }

    /// `[pcap]`: no file both read and written, no file written twice (by
    /// file identity, however the paths are spelt: [`same_file`]), and a load
    /// to pace a replay at when `timing = "rate"`.
    fn validate_pcap(&self) -> Result<(), FieldError> {
        let p = &self.pcap;
        let show = |path: &PathBuf| format!("{:?}", path.display().to_string());
        if let (Some(out), Some(del)) = (&p.output, &p.delivered) {
            if same_file(out, del) {
                return Err(invalid("pcap.delivered", show(del), "a different file from pcap.output"));
            }
        }
        if let Some(input) = &p.input {
            for (field, out) in [("pcap.output", &p.output), ("pcap.delivered", &p.delivered)] {
                if out.as_deref().is_some_and(|out| same_file(out, input)) {
                    return Err(invalid(
                        field,
                        show(out.as_ref().unwrap_or(input)),
                        format!("a different file from pcap.input {} (it would be overwritten)", show(input)),
                    ));
                }
            }
            if p.timing == Timing::Rate && self.rx.load <= 0.0 {
                return Err(invalid(
                    "rx.load",
                    self.rx.load,
                    "more than 0 to replay a capture at that rate (pcap.timing = \"rate\"), or pcap.timing = \"recorded\"",
                ));
            }
        }
        Ok(())
    }

    /// The driver configuration: `[driver]` over [`DriverConfig::default`].
    pub fn driver_config(&self) -> DriverConfig {
        let d = &self.driver;
        DriverConfig {
            rx_ring: d.rx_ring,
            tx_ring: d.tx_ring,
            coalesce: Coalesce {
                rx_usecs: d.rx_usecs,
                rx_frames: d.rx_frames,
                rx_usecs_abs: d.rx_usecs_abs,
                tx_usecs: d.tx_usecs,
                tx_frames: d.tx_frames,
                tx_usecs_abs: d.tx_usecs_abs,
                itr_max_irqs_per_sec: d.itr_max_irqs_per_sec,
            },
            napi_budget: d.napi_budget,
            netdev_budget: d.netdev_budget,
            netdev_budget_usecs: d.netdev_budget_usecs,
            rx_refill_batch: d.rx_refill_batch,
            rx_buf_len: d.rx_buf_len,
            ..DriverConfig::default()
        }
    }

    /// The CPU cost model from `[cpu]`.
    pub fn cpu_costs(&self) -> CpuCosts {
        let c = &self.cpu;
        CpuCosts {
            irq_entry: c.irq_entry_ns,
            irq_exit: c.irq_exit_ns,
            mmio_write: c.mmio_write_ns,
            per_rx_frame: c.per_rx_frame_ns,
            per_rx_deliver: c.per_rx_deliver_ns,
            per_refill_desc: c.per_refill_desc_ns,
            per_tx_frame: c.per_tx_frame_ns,
            per_tx_clean: c.per_tx_clean_ns,
            napi_poll_overhead: c.napi_poll_overhead_ns,
        }
    }

    /// The application from `[cpu]` and `[tx]` (an echo server sends
    /// nothing of its own).
    pub fn app_config(&self) -> AppConfig {
        AppConfig {
            rx_ns_per_frame: self.cpu.app_rx_ns_per_frame,
            socket_queue: self.cpu.socket_queue,
            tx_frames_per_sec: if self.tx.echo { 0.0 } else { self.tx.frames_per_sec },
            tx_frame_len: self.tx.frame_size.saturating_sub(4),
            echo: self.tx.echo,
            ..AppConfig::default()
        }
    }

    /// The NIC's host models from `[memory]` and `[mmio]` (no trace).
    pub fn nic_config(&self) -> NicConfig {
        NicConfig {
            memory: MemoryConfig {
                read_latency_ns: self.memory.read_latency_ns,
                write_latency_ns: self.memory.write_latency_ns,
                max_reads_in_flight: self.memory.max_reads_in_flight,
                ..MemoryConfig::default()
            },
            mmio: AxilConfig {
                request_latency_cycles: self.mmio.request_latency_cycles,
                response_latency_cycles: self.mmio.response_latency_cycles,
            },
            trace: false,
        }
    }

    /// The link partner's pacing from `rx.load` (full load when there is no
    /// receive traffic, or when a capture keeps its recorded spacing: the
    /// encoder then sends each frame as soon as it is offered).
    pub fn encoder_config(&self) -> EncoderConfig {
        let recorded = self.pcap.input.is_some() && self.pcap.timing == Timing::Recorded;
        let load = if self.rx.load > 0.0 && !recorded { self.rx.load } else { 1.0 };
        EncoderConfig { load, ..EncoderConfig::default() }
    }
}
