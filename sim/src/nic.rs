//! The Verilated NIC (`rtl/verinic_nic.v`) with its buses served: host memory
//! on the AXI4 master, the CPU's MMIO on the AXI4-Lite slave, and the XGMII
//! wire handed to the caller one word per cycle.
//!
//! [`Nic::step`] is one clock cycle under the project's clocking contract:
//! sample the DUT's outputs (as they stand after the previous edge), drive
//! the models' outputs (which depend on model state only), tick, then let each
//! model see the handshakes of that edge.

use crate::bus::axi::{AxiMasterOut, AxilSlaveOut};
use crate::bus::axil_master::{AxilConfig, AxilMaster};
use crate::bus::check::{AxiChecker, AxilChecker};
use crate::bus::memory::{AxiMemory, MemoryConfig};
use crate::bus::BusConfigError;
use crate::model::{Sim, SimError, SimOptions};
use crate::ports::VerinicNicPorts;
use crate::trace::{Event, Trace};
use crate::xgmii::XgmiiWord;

/// Host-side models around the NIC.
#[derive(Debug, Clone, Default)]
pub struct NicConfig {
    /// Host memory behind the DMA master (latency, bandwidth, reads in flight).
    pub memory: MemoryConfig,
    /// The CPU's MMIO path (bus latency on top of the RTL's own).
    pub mmio: AxilConfig,
    /// Record register accesses, DMA and interrupt edges in [`Nic::trace`].
    pub trace: bool,
}

/// Why the NIC could not be built.
#[derive(Debug)]
pub enum NicError {
    /// The Verilated model did not start.
    Sim(SimError),
    /// A bus model's configuration is invalid.
    Config(BusConfigError),
}

impl std::fmt::Display for NicError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NicError::Sim(e) => write!(f, "{e}"),
            NicError::Config(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for NicError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NicError::Sim(e) => Some(e),
            NicError::Config(e) => Some(e),
        }
    }
}

/// The NIC model, its host memory and its MMIO master.
pub struct Nic {
    sim: Sim<VerinicNicPorts>,
    memory: AxiMemory,
    mmio: AxilMaster,
    trace: Trace,
    irq: bool,
    rx_fifo: Option<RxFifoLog>,
    outputs: Option<OutputLog>,
    axi_check: AxiChecker,
    axil_check: AxilChecker,
}

/// Every output port of the NIC after each clock edge ([`Nic::record_outputs`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputLog {
    /// Cycle of the first edge logged.
    pub first_cycle: u64,
    /// [`OutputLog::WORDS_PER_CYCLE`] words per edge, in
    /// [`VerinicNicPorts::OUTPUTS`] order.
    pub words: Vec<u32>,
}

impl OutputLog {
    /// 32-bit words one edge takes.
    pub const WORDS_PER_CYCLE: usize = {
        let mut n = 0;
        let mut i = 0;
        while i < VerinicNicPorts::OUTPUTS.len() {
            n += VerinicNicPorts::OUTPUTS[i].1;
            i += 1;
        }
        n
    };

    /// Edges logged.
    pub fn cycles(&self) -> usize {
        self.words.len() / Self::WORDS_PER_CYCLE
    }

    /// The output ports after edge `index` (0 = [`OutputLog::first_cycle`]): name
    /// and value (low word first), every port of [`VerinicNicPorts::OUTPUTS`].
    pub fn ports(&self, index: usize) -> impl Iterator<Item = (&'static str, &[u32])> + '_ {
        let mut at = index * Self::WORDS_PER_CYCLE;
        VerinicNicPorts::OUTPUTS.iter().map(move |&(name, n)| {
            let v = &self.words[at..at + n];
            at += n;
            (name, v)
        })
    }
}

/// Changes of the RX FIFO's fill (port `rx_fifo_frames`), when recorded.
#[derive(Debug, Default)]
struct RxFifoLog {
    last: u8,
    changes: Vec<(u64, u8)>,
}

impl Nic {
    /// Cycles `rst` is held by [`Nic::new`].
    pub const RESET_CYCLES: u64 = 8;

    /// Builds and resets the NIC. Cycle numbers in the trace count from the
    /// end of reset.
    pub fn new(options: &SimOptions, config: &NicConfig) -> Result<Self, NicError> {
        let sim: Sim<VerinicNicPorts> = Sim::new(options).map_err(NicError::Sim)?;
        let io = sim.io();
        io.set_rst(true);
        io.set_xgmii_rxd(XgmiiWord::IDLE.data);
        io.set_xgmii_rxc(XgmiiWord::IDLE.ctrl);
        let mut nic = Nic {
            sim,
            memory: AxiMemory::new(config.memory.clone()).map_err(NicError::Config)?,
            mmio: AxilMaster::new(config.mmio.clone()).map_err(NicError::Config)?,
            trace: if config.trace { Trace::new() } else { Trace::disabled() },
            irq: false,
            rx_fifo: None,
            outputs: None,
            axi_check: AxiChecker::dma("verinic_nic m_axi (DMA master)"),
            axil_check: AxilChecker::new("verinic_nic s_axil (registers)"),
        };
        nic.sim.run(Self::RESET_CYCLES);
        nic.sim.io().set_rst(false);
        Ok(nic)
    }

    /// One clock cycle: `rx_word` goes into XGMII RX; returns the XGMII TX
    /// word after the edge.
    #[inline]
    pub fn step(&mut self, rx_word: XgmiiWord) -> XgmiiWord {
        let io = self.sim.io();
        let dut_axi = AxiMasterOut {
            ar_id: io.m_axi_arid(),
            ar_addr: io.m_axi_araddr(),
            ar_len: io.m_axi_arlen(),
            ar_size: io.m_axi_arsize(),
            ar_burst: io.m_axi_arburst(),
            ar_valid: io.m_axi_arvalid(),
            r_ready: io.m_axi_rready(),
            aw_id: io.m_axi_awid(),
            aw_addr: io.m_axi_awaddr(),
            aw_len: io.m_axi_awlen(),
            aw_size: io.m_axi_awsize(),
            aw_burst: io.m_axi_awburst(),
            aw_valid: io.m_axi_awvalid(),
            w_data: io.m_axi_wdata(),
            w_strb: io.m_axi_wstrb(),
            w_last: io.m_axi_wlast(),
            w_valid: io.m_axi_wvalid(),
            b_ready: io.m_axi_bready(),
        };
        let dut_axil = AxilSlaveOut {
            aw_ready: io.s_axil_awready(),
            w_ready: io.s_axil_wready(),
            b_resp: io.s_axil_bresp(),
            b_valid: io.s_axil_bvalid(),
            ar_ready: io.s_axil_arready(),
            r_data: io.s_axil_rdata(),
            r_resp: io.s_axil_rresp(),
            r_valid: io.s_axil_rvalid(),
        };

        let mem = self.memory.outputs();
        io.set_m_axi_arready(mem.ar_ready);
        io.set_m_axi_rid(mem.r_id);
        io.set_m_axi_rdata(mem.r_data);
        io.set_m_axi_rresp(mem.r_resp);
        io.set_m_axi_rlast(mem.r_last);
        io.set_m_axi_rvalid(mem.r_valid);
        io.set_m_axi_awready(mem.aw_ready);
        io.set_m_axi_wready(mem.w_ready);
        io.set_m_axi_bid(mem.b_id);
        io.set_m_axi_bresp(mem.b_resp);
        io.set_m_axi_bvalid(mem.b_valid);

        let cpu = self.mmio.outputs();
        io.set_s_axil_awaddr(cpu.aw_addr as u16);
        io.set_s_axil_awvalid(cpu.aw_valid);
        io.set_s_axil_wdata(cpu.w_data);
        io.set_s_axil_wstrb(cpu.w_strb);
        io.set_s_axil_wvalid(cpu.w_valid);
        io.set_s_axil_bready(cpu.b_ready);
        io.set_s_axil_araddr(cpu.ar_addr as u16);
        io.set_s_axil_arvalid(cpu.ar_valid);
        io.set_s_axil_rready(cpu.r_ready);

        io.set_xgmii_rxd(rx_word.data);
        io.set_xgmii_rxc(rx_word.ctrl);

        // The protocol checkers see the values of this edge (both sides).
        let edge = self.memory.cycle();
        self.axi_check.observe(edge, &dut_axi, &mem);
        self.axil_check.observe(edge, &cpu, &dut_axil);
        if self.axi_check.violation_count() + self.axil_check.violation_count() != 0 {
            self.protocol_failure();
        }

        self.sim.tick();
        self.memory.clock(&dut_axi, &mut self.trace);
        self.mmio.clock(&dut_axil, &mut self.trace);

        let io = self.sim.io();
        if let Some(log) = &mut self.rx_fifo {
            let frames = io.rx_fifo_frames();
            if frames != log.last {
                log.last = frames;
                log.changes.push((self.memory.cycle(), frames));
            }
        }
        if let Some(log) = &mut self.outputs {
            io.read_outputs(&mut log.words);
        }
        let irq = io.irq();
        if irq != self.irq {
            self.irq = irq;
            self.trace.push(self.memory.cycle(), Event::Irq { level: irq });
        }
        XgmiiWord { data: io.xgmii_txd(), ctrl: io.xgmii_txc() }
    }

    /// Starts (or stops) recording the RX FIFO's fill: frames waiting in it
    /// (RTL port `rx_fifo_frames`), at every change.
    pub fn record_rx_fifo(&mut self, on: bool) {
        self.rx_fifo = on.then(RxFifoLog::default);
    }

    /// The RX FIFO fill changes recorded since the last call: (cycle, frames
    /// waiting) pairs, oldest first.
    pub fn take_rx_fifo_changes(&mut self) -> Vec<(u64, u8)> {
        self.rx_fifo.as_mut().map(|l| std::mem::take(&mut l.changes)).unwrap_or_default()
    }

    /// Starts (or stops) logging every output port of the NIC after every
    /// clock edge ([`Nic::take_output_log`]): two runs from the same inputs
    /// must log the same values, whatever the state the model started in.
    pub fn record_outputs(&mut self, on: bool) {
        self.outputs = on.then(|| OutputLog { first_cycle: self.cycle() + 1, words: Vec::new() });
    }

    /// The outputs logged since [`Nic::record_outputs`] or the last call
    /// (recording goes on from the next edge).
    pub fn take_output_log(&mut self) -> OutputLog {
        let next = OutputLog { first_cycle: self.cycle() + 1, words: Vec::new() };
        self.outputs.as_mut().map(|l| std::mem::replace(l, next)).unwrap_or_default()
    }

    #[cold]
    #[inline(never)]
    fn protocol_failure(&self) -> ! {
        self.axi_check.assert_clean();
        self.axil_check.assert_clean();
        unreachable!("a checker counted a violation it did not keep")
    }

    /// The AXI4 protocol checker on the DMA master (runs every cycle; a
    /// violation panics in [`Nic::step`]).
    pub fn axi_checker(&self) -> &AxiChecker {
        &self.axi_check
    }

    /// The AXI4-Lite protocol checker on the register slave.
    pub fn axil_checker(&self) -> &AxilChecker {
        &self.axil_check
    }

    /// The interrupt line after the last edge.
    #[inline]
    pub fn irq(&self) -> bool {
        self.irq
    }

    /// Clock cycles since the end of reset.
    #[inline]
    pub fn cycle(&self) -> u64 {
        self.memory.cycle()
    }

    /// The CPU's MMIO path: queue register reads and (posted) writes here.
    pub fn mmio(&mut self) -> &mut AxilMaster {
        &mut self.mmio
    }

    /// Host memory and its DMA statistics.
    pub fn memory(&self) -> &AxiMemory {
        &self.memory
    }

    /// Host memory, for the host's own (coherent, instant) accesses.
    pub fn memory_mut(&mut self) -> &mut AxiMemory {
        &mut self.memory
    }

    /// The event trace (empty unless [`NicConfig::trace`]).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The event trace, e.g. to add decoded events or clear it.
    pub fn trace_mut(&mut self) -> &mut Trace {
        &mut self.trace
    }

    /// The underlying model (profile, waves).
    pub fn sim(&self) -> &Sim<VerinicNicPorts> {
        &self.sim
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::*;

    #[test]
    fn nic_error_exposes_its_cause() {
        let cause = BusConfigError { field: "request_latency_cycles", expected: "at least 1" };
        let e = NicError::Config(cause.clone());
        assert_eq!(e.source().map(|s| s.to_string()), Some(cause.to_string()));
        let e = NicError::Sim(SimError::Waves { path: "/nonexistent/x.fst".into() });
        assert!(e.source().is_some_and(|s| s.is::<SimError>()));
    }
}
