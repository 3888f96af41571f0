//! Scenarios: what `verinic run` simulates, read from TOML.
//!
//! Every field has a default, so an empty file is a valid scenario: the
//! built-in one, [`Scenario::default`], which `scenarios/default.toml`
//! spells out. Unknown fields are refused, with the nearest known ones named
//! ([`check_paths`]), so a misspelt setting fails loudly instead of silently
//! keeping a default. Sections:
//!
//! - top level: `duration_us`, `seed`;
//! - `[rx]`: traffic the link partner sends toward the NIC ([`RxSpec`]);
//! - `[tx]`: frames the application sends ([`TxSpec`]);
//! - `[driver]`: rings, coalescing and budgets under ethtool's names: the
//!   driver's own [`DriverConfig`], [`Coalesce`](verinic_driver::Coalesce)'s fields flattened in
//!   (`driver.rx_usecs`);
//! - `[cpu]`: the CPU cost model and the application ([`CpuSpec`]);
//! - `[memory]`: host memory behind the DMA master ([`MemorySpec`]);
//! - `[mmio]`: the CPU's register path ([`MmioSpec`]);
//! - `[pcap]`: replay a capture instead of `[rx]`'s generator, write what the
//!   NIC transmitted and what the driver delivered ([`PcapSpec`]).
//!
//! `scenarios/default.toml` spells out every field with its default.
//!
//! Every field has a dotted path (`duration_us`, `rx.load`,
//! `driver.rx_usecs`, `pcap.input`): [`field_types`] lists them with their
//! types. Loading is: TOML text -> [`toml::Value`] -> [`check_paths`] (every
//! key a known section or field, every value of its field's type) ->
//! deserialize -> [`Scenario::validate`] (ranges); [`Scenario::from_value`]
//! does the last three.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use verinic_driver::{CpuCosts, DriverConfig};
use verinic_sim::bus::{AxilConfig, MemoryConfig};
use verinic_sim::nic::NicConfig;
use verinic_sim::xgmii::EncoderConfig;

use super::paths::same_file;
use crate::cosim::stack::StackCosts;
use crate::cosim::AppConfig;
use crate::frames::{CsumDescriptor, FlowOrder, FrameSpec, Protocol};
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
/// Largest socket receive buffer, in bytes (1 GiB).
pub const MAX_RMEM: usize = 1 << 30;
/// Most frames one receive call may take.
pub const MAX_RECV_BATCH: usize = 1024;
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
    /// Driver settings (ethtool names): `[driver]`, the fields of
    /// [`DriverConfig`] with [`Coalesce`](verinic_driver::Coalesce)'s flattened in.
    pub driver: DriverConfig,
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
            driver: DriverConfig::default(),
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
    /// What the frames are: `"raw"` (Ethernet, EtherType 0x88B5, no IP),
    /// `"udp4"`, `"tcp4"`, `"udp6"` or `"tcp6"` (real packets with valid
    /// checksums, from 10.0.0.2 / fd00::2 to 10.0.0.1 / fd00::1 port 9).
    /// A size shorter than the headers and the sequence number is raised to
    /// fit them (TCP/IPv6: 82 bytes with FCS). Default `"raw"`.
    pub protocol: Protocol,
    /// 802.1Q VLAN ID of IP frames, 1..=4094; 0 = untagged. Default 0.
    pub vlan: u16,
    /// Flows (5-tuples; flow `i` from source port 40000 + `i`), 1..=16384.
    /// Default 1.
    pub flows: usize,
    /// `"cycle"`: frames take the flows in turn; `"random"`: each frame's
    /// flow drawn uniformly (seeded). Default `"cycle"`.
    pub flow_order: FlowOrder,
}

impl Default for RxSpec {
    fn default() -> Self {
        RxSpec {
            load: 0.5,
            frame_sizes: vec![64, 64, 64, 64, 64, 64, 64, 576, 576, 576, 1518],
            protocol: Protocol::Raw,
            vlan: 0,
            flows: 1,
            flow_order: FlowOrder::Cycle,
        }
    }
}

impl RxSpec {
    /// The generator's frames, seeded by `seed`.
    pub fn frame_spec(&self, seed: u64) -> FrameSpec {
        FrameSpec { protocol: self.protocol, vlan: self.vlan, flows: self.flows, flow_order: self.flow_order, seed }
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
    /// What the application's frames are, as `rx.protocol` (they go from
    /// the host, port 9, back to the remote host). IP frames are handed to
    /// the driver as CHECKSUM_PARTIAL with `driver.tx_checksumming` on, and
    /// checksummed in software (`cpu.csum_ns_per_byte`) with it off.
    /// Default `"raw"`.
    pub protocol: Protocol,
    /// 802.1Q VLAN ID of IP frames, 1..=4094; 0 = untagged. Default 0.
    pub vlan: u16,
    /// Flows, as `rx.flows`. Default 1.
    pub flows: usize,
    /// Flow order, as `rx.flow_order`. Default `"cycle"`.
    pub flow_order: FlowOrder,
    /// How the driver asks the NIC for the checksums of a CHECKSUM_PARTIAL
    /// frame: `"legacy"` (a legacy descriptor: the NIC inserts the TCP/UDP
    /// checksum, the stack computes the IPv4 header's) or `"context"` (a
    /// context descriptor: the NIC inserts both). Default `"legacy"`.
    pub csum_descriptor: CsumDescriptor,
}

impl Default for TxSpec {
    fn default() -> Self {
        TxSpec {
            frames_per_sec: 100_000.0,
            frame_size: 512,
            echo: false,
            protocol: Protocol::Raw,
            vlan: 0,
            flows: 1,
            flow_order: FlowOrder::Cycle,
            csum_descriptor: CsumDescriptor::Legacy,
        }
    }
}

impl TxSpec {
    /// The application's frames, seeded by `seed`.
    pub fn frame_spec(&self, seed: u64) -> FrameSpec {
        FrameSpec { protocol: self.protocol, vlan: self.vlan, flows: self.flows, flow_order: self.flow_order, seed }
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
    /// Send captured frames shorter than 60 bytes as they are, runts that the
    /// MAC counts and drops (fault testing), instead of padding them with
    /// zeros to 60 bytes as their sender's MAC did. Default false.
    pub runts: bool,
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
    /// IPv4/IPv6 receive per frame ([`StackCosts::ip_rcv_ns`]). Default 100 (estimate).
    pub ip_rcv_ns: u64,
    /// UDP receive with socket lookup per frame. Default 150 (estimate).
    pub udp_rcv_ns: u64,
    /// TCP receive with socket lookup per frame. Default 300 (estimate).
    pub tcp_rcv_ns: u64,
    /// A non-IP frame to a packet socket, per frame. Default 100 (estimate).
    pub packet_rcv_ns: u64,
    /// The application's receive syscall, entry and exit, per call. Default 250 (estimate).
    pub recv_syscall_ns: u64,
    /// Dequeueing one frame from the socket in a receive call. Default 100 (estimate).
    pub sock_recv_ns: u64,
    /// Copying received data to user space, per byte. 0..=100. Default 0.1 (estimate).
    pub copy_ns_per_byte: f64,
    /// CPU time the application spends on its own work per frame it reads.
    /// Default 0.
    pub app_rx_ns_per_frame: u64,
    /// Frames one receive call takes at most: 1 = recv, more = recvmmsg.
    /// 1..=1024. Default 1.
    pub recv_batch: usize,
    /// The socket's receive buffer in bytes (net.core.rmem_default; Linux's
    /// default is 212,992). At least one full-size frame's true size
    /// (2,176) up to 1 GiB. Default 212,992.
    pub rmem: usize,
    /// The fair scheduler's slice between ksoftirqd and the application, in
    /// us: CFS's 6 ms sched_latency shared by two threads. 1..=1,000,000.
    /// Default 3000.
    pub sched_slice_us: u64,
    /// CPU time per byte the stack spends computing a checksum in software
    /// (Linux's `csum_partial`), charged to the application for each IP
    /// frame it sends with `driver.tx_checksumming` off: the TCP/UDP segment
    /// and the IPv4 header. 0..=100. Default 0.25: an estimate (about
    /// 1.3 bytes per cycle at 3 GHz), not a measurement.
    pub csum_ns_per_byte: f64,
}

impl CpuSpec {
    /// The stack's and the application's receive costs.
    pub fn stack_costs(&self) -> StackCosts {
        StackCosts {
            ip_rcv_ns: self.ip_rcv_ns,
            udp_rcv_ns: self.udp_rcv_ns,
            tcp_rcv_ns: self.tcp_rcv_ns,
            packet_rcv_ns: self.packet_rcv_ns,
            recv_syscall_ns: self.recv_syscall_ns,
            sock_recv_ns: self.sock_recv_ns,
            copy_ns_per_byte: self.copy_ns_per_byte,
            app_ns_per_frame: self.app_rx_ns_per_frame,
        }
    }
}

impl Default for CpuSpec {
    fn default() -> Self {
        let c = CpuCosts::default();
        let a = AppConfig::default();
        let st = StackCosts::default();
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
            ip_rcv_ns: st.ip_rcv_ns,
            udp_rcv_ns: st.udp_rcv_ns,
            tcp_rcv_ns: st.tcp_rcv_ns,
            packet_rcv_ns: st.packet_rcv_ns,
            recv_syscall_ns: st.recv_syscall_ns,
            sock_recv_ns: st.sock_recv_ns,
            copy_ns_per_byte: st.copy_ns_per_byte,
            app_rx_ns_per_frame: st.app_ns_per_frame,
            recv_batch: a.recv_batch,
            rmem: crate::cosim::stack::RMEM_DEFAULT,
            sched_slice_us: a.sched_slice_ns / 1000,
            csum_ns_per_byte: a.csum_ns_per_byte,
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
    /// Injected bus errors: the fraction of DMA bursts of `error_kinds` that
    /// host memory answers with `error_resp` instead of OKAY, 0..=1 (drawn
    /// from the scenario's seed). Default 0 (none). See docs/nic.md, "DMA
    /// and bus errors".
    pub error_rate: f64,
    /// Which transfers `error_rate` hits: any of `"desc_fetch"`,
    /// `"desc_writeback"`, `"packet_read"`, `"packet_write"` (RX and TX
    /// alike). Default all four.
    pub error_kinds: Vec<String>,
    /// `"slverr"` or `"decerr"`. Default `"slverr"`.
    pub error_resp: String,
}

/// The `[memory] error_kinds` names, with the AXI IDs they stand for: (name,
/// read IDs, write IDs) as bit masks (rtl/verinic_nic.v: ARID 0 RX and 1 TX
/// descriptor fetch, 2 TX data; AWID 0 RX data, 1 RX and 2 TX write-back).
pub const ERROR_KINDS: [(&str, u8, u8); 4] =
    [("desc_fetch", 0b011, 0), ("desc_writeback", 0, 0b110), ("packet_read", 0b100, 0), ("packet_write", 0, 0b001)];

impl Default for MemorySpec {
    fn default() -> Self {
        let m = MemoryConfig::default();
        MemorySpec {
            read_latency_ns: m.read_latency_ns,
            write_latency_ns: m.write_latency_ns,
            max_reads_in_flight: m.max_reads_in_flight,
            error_rate: 0.0,
            error_kinds: ERROR_KINDS.iter().map(|(k, _, _)| k.to_string()).collect(),
            error_resp: "slverr".into(),
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
        /// The TOML parser's message (with line and column), or a
        /// [`PathError`]'s: the field, and the nearest known ones or the
        /// type it takes.
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

/// Reads a scenario (or sweep) file of at most [`MAX_SCENARIO_FILE_BYTES`], as text.
pub fn read_scenario_text(path: &Path) -> Result<String, ScenarioError> {
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

/// `[rx]` or `[tx]`'s `vlan` and `flows`.
fn check_frames(section: &str, vlan: u16, flows: usize) -> Result<(), FieldError> {
    use crate::frames::{ethernet::MAX_VLAN_ID, flows::MAX_FLOWS};
    check_u64(&format!("{section}.vlan"), u64::from(vlan), 0, u64::from(MAX_VLAN_ID))
        .map_err(|e| FieldError { expected: format!("{} (0 = untagged)", e.expected), ..e })?;
    check_u64(&format!("{section}.flows"), flows as u64, 1, MAX_FLOWS as u64)
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
        Self::from_value(parse_toml(text)?, None)
    }

    /// Reads, parses and validates a scenario file; errors name the file.
    /// Relative `[pcap]` paths are taken relative to the file's directory.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        let path = path.as_ref();
        let text = read_scenario_text(path)?;
        let value = parse_toml(&text).map_err(|e| e.in_file(path))?;
        Self::from_value(value, Some(path))
    }

    /// A scenario from parsed TOML (a table, as a whole scenario file
    /// parses): every key must be a known section or field with a value of
    /// its type ([`check_paths`]), then the fields are read (those left out
    /// take their defaults) and validated ([`Scenario::validate`]). With
    /// `file`, errors name it and relative `[pcap]` paths are taken relative
    /// to its directory. A `[snapshot]` table (the snapshot test's filter,
    /// see `verinic::snapshot`) is ignored.
    pub fn from_value(mut value: toml::Value, file: Option<&Path>) -> Result<Self, ScenarioError> {
        // `[snapshot]` is the snapshot filter (verinic::snapshot), not part of the run
        if let toml::Value::Table(t) = &mut value {
            t.remove("snapshot");
        }
        let in_file = |e: ScenarioError| match file {
            Some(f) => e.in_file(f),
            None => e,
        };
        let parse_error = |message: String| in_file(ScenarioError::Parse { path: None, message });
        check_paths(&value).map_err(|e| parse_error(e.to_string()))?;
        let mut s = deserialize(value).map_err(parse_error)?;
        if let Some(f) = file {
            s.pcap.resolve_relative_to(f.parent().unwrap_or(Path::new("")));
        }
        s.validate().map_err(|e| in_file(e.into()))?;
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

        check_frames("rx", rx.vlan, rx.flows)?;

        let tx = &self.tx;
        check_frames("tx", tx.vlan, tx.flows)?;
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

        self.driver.validate().map_err(|e| FieldError {
            field: format!("driver.{}", e.param),
            value: e.value.to_string(),
            expected: e.expected,
        })?;
        // The application's own frames must pass xmit (FCS not counted).
        let tx_len = tx.frame_size - 4;
        if !tx.echo && tx.frames_per_sec > 0.0 && self.driver.tx_max_frame_len < tx_len {
            return Err(invalid(
                "driver.tx_max_frame_len",
                self.driver.tx_max_frame_len,
                format!(
                    "at least {tx_len} for the application's frames (tx.frame_size = {} less the FCS), \
                     or tx.frames_per_sec = 0",
                    tx.frame_size
                ),
            ));
        }

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
            ("cpu.ip_rcv_ns", c.ip_rcv_ns),
            ("cpu.udp_rcv_ns", c.udp_rcv_ns),
            ("cpu.tcp_rcv_ns", c.tcp_rcv_ns),
            ("cpu.packet_rcv_ns", c.packet_rcv_ns),
            ("cpu.recv_syscall_ns", c.recv_syscall_ns),
            ("cpu.sock_recv_ns", c.sock_recv_ns),
        ] {
            check_u64(name, v, 0, MAX_COST_NS)?;
        }
        if !(0.0..=100.0).contains(&c.copy_ns_per_byte) {
            return Err(invalid("cpu.copy_ns_per_byte", c.copy_ns_per_byte, "0..=100 ns per byte"));
        }
        check_u64("cpu.recv_batch", c.recv_batch as u64, 1, MAX_RECV_BATCH as u64)?;
        let one_frame = crate::cosim::stack::truesize(crate::frames::MAX_FRAME);
        if !(one_frame..=MAX_RMEM).contains(&c.rmem) {
            return Err(invalid(
                "cpu.rmem",
                c.rmem,
                format!("{one_frame}..={MAX_RMEM} bytes: at least one full-size frame's true size"),
            ));
        }
        check_u64("cpu.sched_slice_us", c.sched_slice_us, 1, 1_000_000)?;
        if !(c.csum_ns_per_byte >= 0.0 && c.csum_ns_per_byte <= 100.0) {
            return Err(invalid("cpu.csum_ns_per_byte", c.csum_ns_per_byte, "0..=100 (ns per byte checksummed)"));
        }

        let m = &self.memory;
        check_u64("memory.read_latency_ns", m.read_latency_ns, 0, MAX_MEMORY_LATENCY_NS)?;
        check_u64("memory.write_latency_ns", m.write_latency_ns, 0, MAX_MEMORY_LATENCY_NS)?;
        check_u64("memory.max_reads_in_flight", m.max_reads_in_flight as u64, 1, MAX_READS_IN_FLIGHT as u64)?;
        if !(m.error_rate >= 0.0 && m.error_rate <= 1.0) {
            return Err(invalid("memory.error_rate", m.error_rate, "0..=1 (fraction of DMA bursts; 0 = none)"));
        }
        let names: Vec<&str> = ERROR_KINDS.iter().map(|(k, _, _)| *k).collect();
        for k in &m.error_kinds {
            if !names.contains(&k.as_str()) {
                return Err(invalid("memory.error_kinds", format!("{k:?}"), format!("some of {names:?}")));
            }
        }
        if !["slverr", "decerr"].contains(&m.error_resp.as_str()) {
            return Err(invalid("memory.error_resp", format!("{:?}", m.error_resp), "\"slverr\" or \"decerr\""));
        }

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

    /// The driver configuration: `[driver]`.
    pub fn driver_config(&self) -> DriverConfig {
        self.driver
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
            stack: self.cpu.stack_costs(),
            rmem: self.cpu.rmem,
            recv_batch: self.cpu.recv_batch,
            sched_slice_ns: self.cpu.sched_slice_us * 1000,
            tx_frames_per_sec: if self.tx.echo { 0.0 } else { self.tx.frames_per_sec },
            tx_frame_len: self.tx.frame_size.saturating_sub(4),
            echo: self.tx.echo,
            tx_frames: self.tx.frame_spec(self.seed),
            csum_descriptor: self.tx.csum_descriptor,
            csum_ns_per_byte: self.cpu.csum_ns_per_byte,
            ..AppConfig::default()
        }
    }

    /// The AXI (read, write) IDs `[memory] error_kinds` selects, as bit masks.
    fn error_ids(&self) -> (u8, u8) {
        ERROR_KINDS
            .iter()
            .filter(|(k, _, _)| self.memory.error_kinds.iter().any(|e| e == k))
            .fold((0, 0), |(r, w), (_, kr, kw)| (r | kr, w | kw))
    }

    /// The NIC's host models from `[memory]` and `[mmio]` (no trace).
    pub fn nic_config(&self) -> NicConfig {
        NicConfig {
            memory: MemoryConfig {
                read_latency_ns: self.memory.read_latency_ns,
                write_latency_ns: self.memory.write_latency_ns,
                max_reads_in_flight: self.memory.max_reads_in_flight,
                error_rate_ppm: (self.memory.error_rate.clamp(0.0, 1.0) * 1e6).round() as u32,
                error_read_ids: self.error_ids().0,
                error_write_ids: self.error_ids().1,
                error_resp: if self.memory.error_resp == "decerr" {
                    verinic_sim::bus::axi::resp::DECERR
                } else {
                    verinic_sim::bus::axi::resp::SLVERR
                },
                error_seed: self.seed ^ 0xD3A0_E44E,
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

/// TOML text as a table, the way a whole scenario file parses.
fn parse_toml(text: &str) -> Result<toml::Value, ScenarioError> {
    toml::from_str::<toml::Table>(text)
        .map(toml::Value::Table)
        .map_err(|e| ScenarioError::Parse { path: None, message: e.to_string() })
}

/// Reads a value [`check_paths`] passed into a scenario.
fn deserialize(value: toml::Value) -> Result<Scenario, String> {
    value.try_into::<Scenario>().map_err(|e| plain_types(e.message()))
}

/// serde's "expected usize" in words.
fn plain_types(message: &str) -> String {
    for (rust, words) in [
        ("expected usize", "expected a non-negative integer"),
        ("expected u64", "expected a non-negative integer"),
        ("expected u32", "expected an integer 0..=4294967295"),
    ] {
        if let Some(head) = message.strip_suffix(rust) {
            return format!("{head}{words}");
        }
    }
    message.to_string()
}

/// Every leaf (not a table) under `value`, with its dotted path.
fn collect_leaves<'v>(prefix: &str, value: &'v toml::Value, out: &mut Vec<(String, &'v toml::Value)>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                collect_leaves(&join(prefix, k), v, out);
            }
        }
        leaf => out.push((prefix.to_string(), leaf)),
    }
}

/// A table with `value` at the dotted `path` and nothing else.
fn alone(path: &str, value: toml::Value) -> toml::Value {
    path.rsplit('.').fold(value, |v, key| toml::Value::Table(toml::Table::from_iter([(key.to_string(), v)])))
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A value as written in TOML, shortened for an error message.
fn show_toml(value: &toml::Value) -> String {
    let text = match value {
        toml::Value::Table(_) => "a table".to_string(),
        v => v.to_string(),
    };
    shorten(text)
}

/// `text` cut to at most 60 characters.
pub(crate) fn shorten(text: String) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text
    } else {
        format!("{}...", text.chars().take(MAX - 3).collect::<String>())
    }
}

/// The type of a scenario field's value, as the built-in scenario has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// A whole number (`rx_ring = 256`).
    Integer,
    /// A number, whole or not (`load = 0.5`; `load = 1` is a number too).
    Number,
    /// `true` or `false`.
    Boolean,
    /// A string (`timing = "rate"`, a file name).
    String,
    /// A list of values of one type (`frame_sizes = [64, 1518]`).
    List(Box<FieldType>),
    /// Any value: the elements of a list that is empty by default.
    Any,
}

impl FieldType {
    /// The type of `value`, a field of the built-in scenario as JSON.
    fn of(value: &serde_json::Value) -> FieldType {
        use serde_json::Value;
        match value {
            Value::Bool(_) => FieldType::Boolean,
            Value::Number(n) if n.is_f64() => FieldType::Number,
            Value::Number(_) => FieldType::Integer,
            Value::String(_) => FieldType::String,
            Value::Array(a) => FieldType::List(Box::new(a.first().map_or(FieldType::Any, FieldType::of))),
            Value::Null | Value::Object(_) => FieldType::Any,
        }
    }

    /// Whether `value` is of this type (an integer is a number too; a list's
    /// elements must all be of its element type).
    pub fn accepts(&self, value: &toml::Value) -> bool {
        use toml::Value;
        match (self, value) {
            (FieldType::Any, _)
            | (FieldType::Integer, Value::Integer(_))
            | (FieldType::Number, Value::Integer(_) | Value::Float(_))
            | (FieldType::Boolean, Value::Boolean(_))
            | (FieldType::String, Value::String(_)) => true,
            (FieldType::List(t), Value::Array(a)) => a.iter().all(|v| t.accepts(v)),
            _ => false,
        }
    }

    /// The type with its article, for messages: "an integer", "a list of integers".
    pub fn with_article(&self) -> String {
        match self {
            FieldType::Integer => "an integer".into(),
            FieldType::Any => "any value".into(),
            t => format!("a {t}"),
        }
    }

    fn plural(&self) -> String {
        match self {
            FieldType::Any => "values".into(),
            FieldType::List(t) => format!("lists of {}", t.plural()),
            t => format!("{t}s"),
        }
    }
}

impl fmt::Display for FieldType {
    /// `integer`, `number`, `boolean`, `string`, `list of integers`, `value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::Integer => f.write_str("integer"),
            FieldType::Number => f.write_str("number"),
            FieldType::Boolean => f.write_str("boolean"),
            FieldType::String => f.write_str("string"),
            FieldType::List(t) => write!(f, "list of {}", t.plural()),
            FieldType::Any => f.write_str("value"),
        }
    }
}

/// Every field of a scenario by its dotted path (`duration_us`, `rx.load`,
/// `driver.rx_usecs`, `pcap.input`), with the type of its value: the
/// built-in scenario's fields, serialized, with `[pcap]`'s unset file names
/// counted as the strings they are when set.
pub fn field_types() -> &'static BTreeMap<String, FieldType> {
    static FIELDS: OnceLock<BTreeMap<String, FieldType>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let set = Some(PathBuf::new());
        let pcap = PcapSpec { input: set.clone(), output: set.clone(), delivered: set, ..PcapSpec::default() };
        let full = serde_json::to_value(Scenario { pcap, ..Scenario::default() }).expect("a scenario serializes");
        let mut fields = BTreeMap::new();
        collect_fields("", &full, &mut fields);
        fields
    })
}

fn collect_fields(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, FieldType>) {
    match value {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                collect_fields(&join(prefix, k), v, out);
            }
        }
        leaf => {
            out.insert(prefix.to_string(), FieldType::of(leaf));
        }
    }
}

/// Whether `path` is a section (`driver`), or the whole scenario (`""`).
fn is_section(path: &str) -> bool {
    path.is_empty() || field_types().keys().any(|k| k.strip_prefix(path).is_some_and(|rest| rest.starts_with('.')))
}

/// What the section `path` holds, by name, sections in brackets
/// (`duration_us`, `[rx]`, ...), in alphabetical order.
fn section_contents(path: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for k in field_types().keys() {
        let rest =
            if path.is_empty() { Some(k.as_str()) } else { k.strip_prefix(path).and_then(|r| r.strip_prefix('.')) };
        let Some(rest) = rest else { continue };
        let name = match rest.split_once('.') {
            Some((section, _)) => format!("[{section}]"),
            None => rest.to_string(),
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.sort_by(|a, b| a.trim_matches(['[', ']']).cmp(b.trim_matches(['[', ']'])));
    names
}

/// The known paths (fields and sections) nearest to `path`, an unknown one:
/// those at the smallest edit distance, at most 3, alphabetically; none when
/// nothing is close (more than a third of the path's length away, and more
/// than 1). A known field whose last part is `path`'s last part counts as
/// distance 1 (`driver.coalesce.rx_usecs` -> `driver.rx_usecs`).
pub fn nearest_paths(path: &str) -> Vec<String> {
    let last = |p: &str| p.rsplit('.').next().unwrap_or(p).to_string();
    let limit = (path.chars().count() / 3).max(1);
    let mut sections: Vec<String> =
        field_types().keys().filter_map(|k| k.rsplit_once('.').map(|(s, _)| s.to_string())).collect();
    sections.dedup();
    let mut scored: Vec<(usize, &str)> = field_types()
        .keys()
        .chain(sections.iter())
        .filter(|c| c.as_str() != path)
        .map(|c| {
            let d = if last(c) == last(path) { 1 } else { edit_distance(path, c) };
            (d, c.as_str())
        })
        .filter(|&(d, _)| d <= limit)
        .collect();
    scored.sort();
    scored.dedup();
    let best = scored.first().map_or(0, |&(d, _)| d);
    scored.into_iter().take_while(|&(d, _)| d == best).take(3).map(|(_, c)| c.to_string()).collect()
}

/// Levenshtein distance in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Fields that were renamed or replaced, and what to write instead: their
/// errors say so rather than guessing a near name.
const RENAMED: [(&str, &str); 2] = [
    ("driver.rx_csum", "use driver.rx_checksumming = true|false (ethtool -K eth0 rx on|off)"),
    (
        "tx.csum_offload",
        "use tx.protocol = \"udp4\" (or tcp4, udp6, tcp6) for IP frames, driver.tx_checksumming = true|false \
         (ethtool -K eth0 tx on|off) and tx.csum_descriptor = \"legacy\"|\"context\"",
    ),
];

/// A path a scenario does not have, or a value of the wrong type for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// The dotted path as written (`driver.rx_usec`).
    pub path: String,
    /// What is wrong with it.
    pub problem: PathProblem,
}

/// What is wrong with a [`PathError`]'s path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    /// No such field or section.
    Unknown {
        /// Whether it was given as a section (a TOML table).
        section: bool,
        /// The known paths nearest to it ([`nearest_paths`]); may be empty.
        nearest: Vec<String>,
        /// When none is near: what the enclosing section holds
        /// (sections in brackets).
        known: Vec<String>,
    },
    /// A field that was renamed or replaced: what to write instead.
    Renamed {
        /// The fields to use now, and how.
        instead: &'static str,
    },
    /// A section where a field was wanted (`driver` for `driver.rx_ring`).
    Section {
        /// What the section holds (sections in brackets).
        known: Vec<String>,
    },
    /// A value not of the field's type (or not a table for a section).
    WrongType {
        /// What the field takes, with its article ("an integer", "a table").
        expected: String,
        /// The value given, as written (shortened).
        given: String,
    },
    /// A value of the field's type that the field still cannot hold: a
    /// negative or too large integer, a name not among the choices
    /// (`pcap.timing`). Ranges the setting allows are
    /// [`Scenario::validate`]'s, later.
    BadValue {
        /// The value given, as written (shortened).
        given: String,
        /// What is wrong with it (serde's words).
        message: String,
    },
}

impl PathError {
    /// The error for `path`, not a known field (nor, with `section`, a known section).
    pub fn unknown(path: &str, section: bool) -> PathError {
        if let Some((_, instead)) = RENAMED.iter().find(|(old, _)| *old == path) {
            return PathError { path: path.into(), problem: PathProblem::Renamed { instead } };
        }
        let nearest = nearest_paths(path);
        let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
        let known = if nearest.is_empty() && is_section(parent) { section_contents(parent) } else { Vec::new() };
        PathError { path: path.into(), problem: PathProblem::Unknown { section, nearest, known } }
    }
}

impl std::error::Error for PathError {}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = &self.path;
        match &self.problem {
            PathProblem::Unknown { section, nearest, known } => {
                if *section {
                    write!(f, "unknown section [{path}]")?;
                } else {
                    write!(f, "unknown field {path}")?;
                }
                if !nearest.is_empty() {
                    write!(f, "; did you mean {}?", or_list(nearest))?;
                } else if !known.is_empty() {
                    let parent = path.rsplit_once('.').map_or(String::new(), |(p, _)| format!(" [{p}]"));
                    let place = if parent.is_empty() { "the top level" } else { "section" };
                    write!(f, "; {place}{parent} has {}", known.join(", "))?;
                }
                Ok(())
            }
            PathProblem::Renamed { instead } => write!(f, "{path} is no longer a field: {instead}"),
            PathProblem::Section { known } => {
                write!(f, "{path} is a section, not a field: name one of its fields ({})", known.join(", "))
            }
            PathProblem::WrongType { expected, given } => {
                write!(f, "{path} = {given}: wrong type, expected {expected}")
            }
            PathProblem::BadValue { given, message } => write!(f, "invalid {path} = {given}: {message}"),
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The type of the field at `path`; an error for a path that is not a
/// field (unknown, with the nearest known ones, or a section).
pub fn field_type(path: &str) -> Result<&'static FieldType, PathError> {
    if let Some(t) = field_types().get(path) {
        Ok(t)
    } else if is_section(path) {
        Err(PathError { path: path.into(), problem: PathProblem::Section { known: section_contents(path) } })
    } else {
        Err(PathError::unknown(path, false))
    }
}

/// Checks `value` given at `path` (a field, a section, or `""` for the whole
/// scenario): every key under it a known section or field, every field's
/// value of the field's type and one the field can hold (not its range:
/// that is [`Scenario::validate`]'s). The first problem, in key order, is
/// the error.
pub fn check_field(path: &str, value: &toml::Value) -> Result<(), PathError> {
    if let Some(t) = field_types().get(path) {
        let problem = if !t.accepts(value) {
            PathProblem::WrongType { expected: t.with_article(), given: show_toml(value) }
        } else if let Err(e) = alone(path, value.clone()).try_into::<Scenario>() {
            PathProblem::BadValue { given: show_toml(value), message: plain_types(e.message()) }
        } else {
            return Ok(());
        };
        return Err(PathError { path: path.into(), problem });
    }
    match value {
        toml::Value::Table(t) if is_section(path) => t.iter().try_for_each(|(k, v)| check_field(&join(path, k), v)),
        _ if is_section(path) => Err(PathError {
            path: if path.is_empty() { "(scenario)".into() } else { path.into() },
            problem: PathProblem::WrongType {
                expected: if path.is_empty() { "a table".into() } else { format!("a table (the [{path}] section)") },
                given: show_toml(value),
            },
        }),
        table @ toml::Value::Table(_) => {
            // A section that is not one: maybe a known field, nested
            // (`[driver.coalesce] rx_usecs`); else name the section.
            let mut leaves = Vec::new();
            collect_leaves(path, table, &mut leaves);
            match leaves.first() {
                Some((leaf, _)) if !nearest_paths(path).is_empty() || nearest_paths(leaf).is_empty() => {
                    Err(PathError::unknown(path, true))
                }
                Some((leaf, _)) => Err(PathError::unknown(leaf, false)),
                None => Err(PathError::unknown(path, true)),
            }
        }
        _ => Err(PathError::unknown(path, false)),
    }
}

/// Checks a whole scenario as parsed TOML: every key a known section or
/// field ([`field_types`]), every value of its field's type
/// ([`check_field`] at the top).
pub fn check_paths(value: &toml::Value) -> Result<(), PathError> {
    check_field("", value)
}
