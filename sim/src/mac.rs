//! The Verilated MAC (`rtl/verinic_mac.v`) with its AXI-Stream ports served.
//!
//! [`Mac::step`] is one clock cycle: it drives one XGMII word into the
//! receiver, feeds the transmit stream from a queue of packets, collects what
//! the receiver delivers, and returns the word the transmitter put on the wire.
//! Whatever sits on the far side of the wire (a link partner, a loopback) is
//! the caller's business.

use crate::axis::{AxisBeat, AxisSink, AxisSource, RxPacket, TxPacket};
use crate::bus::check::{AxisChecker, StreamBeat};
use crate::model::{Sim, SimError, SimOptions};
use crate::ports::VerinicMacPorts;
use crate::xgmii::XgmiiWord;

/// Run-time configuration inputs of the MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MacConfig {
    /// Pad transmitted packets shorter than 60 bytes with zeros.
    pub tx_pad: bool,
    /// Largest good received frame in bytes with FCS, untagged (a VLAN tag
    /// adds 4). Ethernet's standard maximum is 1518.
    pub rx_max_len: u16,
}

impl Default for MacConfig {
    fn default() -> Self {
        MacConfig { tx_pad: true, rx_max_len: 1518 }
    }
}

/// The MAC's statistics counters (byte counts include the FCS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MacStats {
    /// Frames sent complete with FCS.
    pub tx_frames_good: u64,
    /// Bytes of those frames, FCS and padding included.
    pub tx_bytes_good: u64,
    /// Packets cut because the source stopped mid-packet.
    pub tx_err_underrun: u64,
    /// Packets cut because the source aborted them (tuser on the last beat).
    pub tx_err_abort: u64,
    /// Frames received good.
    pub rx_frames_good: u64,
    /// Bytes of those frames, FCS included.
    pub rx_bytes_good: u64,
    /// Received frames with a bad FCS.
    pub rx_err_fcs: u64,
    /// Received frames shorter than 64 bytes.
    pub rx_err_runt: u64,
    /// Received frames over the configured maximum.
    pub rx_err_oversize: u64,
    /// Received frames with an Error character inside.
    pub rx_err_char: u64,
    /// Received frames that stopped without Terminate.
    pub rx_err_framing: u64,
    /// Received frames dropped for a bad preamble.
    pub rx_err_preamble: u64,
}

impl MacStats {
    /// Received frames counted bad, all reasons together.
    pub fn rx_errors(&self) -> u64 {
        self.rx_err_fcs
            + self.rx_err_runt
            + self.rx_err_oversize
            + self.rx_err_char
            + self.rx_err_framing
            + self.rx_err_preamble
    }

    /// Every frame the receiver saw start: good plus bad.
    pub fn rx_frames_seen(&self) -> u64 {
        self.rx_frames_good + self.rx_errors()
    }

    /// Transmitted packets cut short, all reasons together.
    pub fn tx_errors(&self) -> u64 {
        self.tx_err_underrun + self.tx_err_abort
    }
}

/// The MAC model with a packet queue on its transmit stream and a packet
/// collector on its receive stream.
pub struct Mac {
    sim: Sim<VerinicMacPorts>,
    tx: AxisSource,
    rx: AxisSink,
    tx_check: AxisChecker,
    rx_check: AxisChecker,
}

impl Mac {
    /// Cycles `rst` is held by [`Mac::reset`].
    pub const RESET_CYCLES: u64 = 4;

    /// Builds the model, applies `config` and resets it.
    pub fn new(options: &SimOptions, config: MacConfig) -> Result<Self, SimError> {
        let sim = Sim::new(options)?;
        let mut mac = Mac {
            sim,
            tx: AxisSource::new(),
            rx: AxisSink::new(),
            tx_check: AxisChecker::new("verinic_mac s_axis_tx"),
            rx_check: AxisChecker::new("verinic_mac m_axis_rx"),
        };
        mac.configure(config);
        mac.reset();
        Ok(mac)
    }

    /// Drives the configuration inputs (they take effect at the next edge).
    pub fn configure(&mut self, config: MacConfig) {
        let io = self.sim.io();
        io.set_cfg_tx_pad_en(config.tx_pad);
        io.set_cfg_rx_max_len(config.rx_max_len);
    }

    /// Holds reset for [`Mac::RESET_CYCLES`] with idle on the wire; clears the counters.
    pub fn reset(&mut self) {
        let io = self.sim.io();
        io.set_rst(true);
        io.set_s_axis_tx_tvalid(false);
        io.set_xgmii_rxd(XgmiiWord::IDLE.data);
        io.set_xgmii_rxc(XgmiiWord::IDLE.ctrl);
        self.sim.run(Self::RESET_CYCLES);
        self.sim.io().set_rst(false);
        // a reset ends every transfer: the protocol checkers start afresh
        self.tx_check = AxisChecker::new("verinic_mac s_axis_tx");
        self.rx_check = AxisChecker::new("verinic_mac m_axis_rx");
    }

    /// Queues a packet for transmission.
    pub fn send(&mut self, packet: TxPacket) {
        self.tx.push(packet);
    }

    /// One clock cycle: `rx_word` goes into the receiver; returns the word the
    /// transmitter drives after this edge.
    #[inline]
    pub fn step(&mut self, rx_word: XgmiiWord) -> XgmiiWord {
        let io = self.sim.io();
        io.set_xgmii_rxd(rx_word.data);
        io.set_xgmii_rxc(rx_word.ctrl);
        let offer = self.tx.offer();
        let cycle = self.sim.cycle();
        let taken = match offer {
            Some(beat) => {
                io.set_s_axis_tx_tdata(beat.data);
                io.set_s_axis_tx_tkeep(beat.keep);
                io.set_s_axis_tx_tlast(beat.last);
                io.set_s_axis_tx_tuser(beat.user);
                io.set_s_axis_tx_tvalid(true);
                // tready depends on state only, so it is already settled
                io.s_axis_tx_tready()
            }
            None => {
                io.set_s_axis_tx_tvalid(false);
                false
            }
        };
        if let Some(beat) = offer {
            let t = StreamBeat {
                valid: true,
                ready: taken,
                data: beat.data.into(),
                keep: beat.keep.into(),
                last: beat.last,
                user: beat.user,
            };
            self.tx_check.observe(cycle, &t);
        } else {
            self.tx_check.observe(cycle, &StreamBeat::default());
        }
        self.sim.tick();
        self.tx.clock(taken);
        let io = self.sim.io();
        // RX has no TREADY: every beat is a transfer (ready = true)
        let rx = StreamBeat {
            valid: io.m_axis_rx_tvalid(),
            ready: true,
            data: io.m_axis_rx_tdata().into(),
            keep: io.m_axis_rx_tkeep().into(),
            last: io.m_axis_rx_tlast(),
            user: io.m_axis_rx_tuser(),
        };
        self.rx_check.observe(cycle + 1, &rx);
        if self.tx_check.violation_count() + self.rx_check.violation_count() != 0 {
            self.tx_check.assert_clean();
            self.rx_check.assert_clean();
        }
        if io.m_axis_rx_tvalid() {
            let beat = AxisBeat {
                data: io.m_axis_rx_tdata(),
                keep: io.m_axis_rx_tkeep(),
                last: io.m_axis_rx_tlast(),
                user: io.m_axis_rx_tuser(),
            };
            self.rx.push(beat, self.sim.cycle());
        }
        XgmiiWord { data: io.xgmii_txd(), ctrl: io.xgmii_txc() }
    }

    /// Packets the receiver delivered since the last call, oldest first.
    pub fn received(&mut self) -> Vec<RxPacket> {
        self.rx.take()
    }

    /// Hands each packet the receiver delivered since the last call to `f`,
    /// oldest first, without allocating a list for them.
    pub fn drain_received(&mut self, f: impl FnMut(RxPacket)) {
        self.rx.drain_into(f);
    }

    /// Packets the receiver delivered and not yet taken.
    pub fn received_count(&self) -> usize {
        self.rx.completed()
    }

    /// Transmit packets queued and not yet fully handed to the MAC.
    pub fn tx_pending(&self) -> usize {
        self.tx.pending()
    }

    /// The statistics counters.
    pub fn stats(&self) -> MacStats {
        let io = self.sim.io();
        MacStats {
            tx_frames_good: io.stat_tx_frames_good().into(),
            tx_bytes_good: io.stat_tx_bytes_good(),
            tx_err_underrun: io.stat_tx_err_underrun().into(),
            tx_err_abort: io.stat_tx_err_abort().into(),
            rx_frames_good: io.stat_rx_frames_good().into(),
            rx_bytes_good: io.stat_rx_bytes_good(),
            rx_err_fcs: io.stat_rx_err_fcs().into(),
            rx_err_runt: io.stat_rx_err_runt().into(),
            rx_err_oversize: io.stat_rx_err_oversize().into(),
            rx_err_char: io.stat_rx_err_char().into(),
            rx_err_framing: io.stat_rx_err_framing().into(),
            rx_err_preamble: io.stat_rx_err_preamble().into(),
        }
    }

    /// The AXI4-Stream protocol checkers of the transmit and receive streams
    /// (run every cycle; a violation panics in [`Mac::step`]).
    pub fn stream_checkers(&self) -> (&AxisChecker, &AxisChecker) {
        (&self.tx_check, &self.rx_check)
    }

    /// The underlying model (cycle count, profile, waves).
    pub fn sim(&self) -> &Sim<VerinicMacPorts> {
        &self.sim
    }
}
