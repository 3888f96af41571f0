//! The command-line options that make a scenario, shared by every command
//! that runs one (`verinic run`, `verinic trace`): a scenario file, then
//! overrides of its fields. Defined once, flattened into each command.

use std::path::{Path, PathBuf};

use super::paths::check_distinct;
use super::scenario::Scenario;
use crate::frames::{CsumDescriptor, Protocol};
use crate::pcap::Timing;

/// A scenario from the command line. Options a scenario file also sets
/// override it.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario file (TOML; scenarios/default.toml lists every field).
    /// Without it, the built-in scenario.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Override the scenario's duration_us (simulated microseconds).
    #[arg(long, value_name = "N")]
    pub duration_us: Option<u64>,
    /// Override the scenario's seed.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Replay this pcap or pcapng file (Ethernet) toward the NIC instead of
    /// the traffic generator ([pcap] input).
    #[arg(long, value_name = "FILE")]
    pub pcap_in: Option<PathBuf>,
    /// `recorded`: keep the capture's spacing; `rate`: back to back at
    /// rx.load ([pcap] timing; default recorded).
    #[arg(long, value_name = "recorded|rate")]
    pub pcap_timing: Option<Timing>,
    /// Write the frames the NIC transmitted to this pcap file ([pcap] output).
    #[arg(long, value_name = "FILE")]
    pub pcap_out: Option<PathBuf>,
    /// Write the frames the driver delivered to the stack to this pcap file
    /// ([pcap] delivered).
    #[arg(long, value_name = "FILE")]
    pub pcap_delivered: Option<PathBuf>,
    /// Send captured frames shorter than 60 bytes as runts (the MAC drops
    /// them) instead of padding them to 60 as their sender did ([pcap] runts).
    #[arg(long)]
    pub pcap_runts: bool,
    /// Echo server: the application sends every received frame back and
    /// nothing else ([tx] echo = true).
    #[arg(long)]
    pub echo: bool,
    /// What the application's frames are: raw, udp4, tcp4, udp6 or tcp6
    /// ([tx] protocol).
    #[arg(long, value_enum, value_name = "PROTOCOL")]
    pub tx_protocol: Option<Protocol>,
    /// What the traffic toward the NIC is: raw, udp4, tcp4, udp6 or tcp6
    /// ([rx] protocol).
    #[arg(long, value_enum, value_name = "PROTOCOL")]
    pub rx_protocol: Option<Protocol>,
    /// Transmit checksum offload, ethtool -K tx ([driver] tx_checksumming).
    #[arg(long, value_name = "true|false")]
    pub tx_checksumming: Option<bool>,
    /// Receive checksum offload, ethtool -K rx ([driver] rx_checksumming).
    #[arg(long, value_name = "true|false")]
    pub rx_checksumming: Option<bool>,
    /// How offloaded checksums are asked for: legacy or context descriptor
    /// ([tx] csum_descriptor).
    #[arg(long, value_enum)]
    pub csum_descriptor: Option<CsumDescriptor>,
}

impl ScenarioArgs {
    /// Puts the overrides into `scenario`.
    pub fn apply(&self, scenario: &mut Scenario) -> anyhow::Result<()> {
        if let Some(d) = self.duration_us {
            scenario.duration_us = d;
        }
        if let Some(s) = self.seed {
            scenario.seed = s;
        }
        if let Some(p) = self.tx_protocol {
            scenario.tx.protocol = p;
        }
        if let Some(p) = self.rx_protocol {
            scenario.rx.protocol = p;
        }
        if let Some(on) = self.tx_checksumming {
            scenario.driver.tx_checksumming = on;
        }
        if let Some(on) = self.rx_checksumming {
            scenario.driver.rx_checksumming = on;
        }
        if let Some(d) = self.csum_descriptor {
            scenario.tx.csum_descriptor = d;
        }
        if self.echo {
            scenario.tx.echo = true;
        }
        let pcap = &mut scenario.pcap;
        if let Some(p) = &self.pcap_in {
            pcap.input = Some(p.clone());
        }
        let needs_input = |flag: &str| {
            anyhow::anyhow!("{flag} needs a capture to replay: add --pcap-in FILE (or [pcap] input in the scenario)")
        };
        if let Some(t) = self.pcap_timing {
            if pcap.input.is_none() {
                return Err(needs_input(&format!("--pcap-timing {t}")));
            }
            pcap.timing = t;
        }
        if self.pcap_runts {
            if pcap.input.is_none() {
                return Err(needs_input("--pcap-runts"));
            }
            pcap.runts = true;
        }
        if let Some(p) = &self.pcap_out {
            pcap.output = Some(p.clone());
        }
        if let Some(p) = &self.pcap_delivered {
            pcap.delivered = Some(p.clone());
        }
        Ok(())
    }

    /// The scenario file (or the built-in scenario) with the overrides,
    /// validated; an error names the file.
    pub fn scenario(&self) -> anyhow::Result<Scenario> {
        let mut scenario = match &self.config {
            Some(path) => Scenario::from_file(path)?,
            None => Scenario::default(),
        };
        self.apply(&mut scenario)?;
        self.validated(scenario)
    }

    /// `scenario` validated, the error naming the file it came from.
    pub fn validated(&self, scenario: Scenario) -> anyhow::Result<Scenario> {
        scenario.validate().map_err(|e| match &self.config {
            Some(p) => anyhow::anyhow!("scenario {} with command-line overrides: {e}", p.display()),
            None => anyhow::anyhow!("scenario with command-line overrides: {e}"),
        })?;
        Ok(scenario)
    }

    /// No output of the run (the scenario's captures and `outputs`, each
    /// named by its option) may be one of its inputs or another output,
    /// however the paths are spelt.
    pub fn check_files(&self, scenario: &Scenario, outputs: &[(&str, Option<&Path>)]) -> anyhow::Result<()> {
        let pcap = &scenario.pcap;
        let inputs: Vec<(&str, &Path)> =
            [("--config", self.config.as_deref()), ("--pcap-in ([pcap] input)", pcap.input.as_deref())]
                .into_iter()
                .filter_map(|(role, p)| Some((role, p?)))
                .collect();
        let outputs: Vec<(&str, &Path)> = [
            ("--pcap-out ([pcap] output)", pcap.output.as_deref()),
            ("--pcap-delivered ([pcap] delivered)", pcap.delivered.as_deref()),
        ]
        .into_iter()
        .chain(outputs.iter().copied())
        .filter_map(|(role, p)| Some((role, p?)))
        .collect();
        check_distinct(&inputs, &outputs)?;
        Ok(())
    }
}
