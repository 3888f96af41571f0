//! The loopback demo: packets through the MAC's transmitter, across a wire
//! that feeds XGMII TX straight back into XGMII RX, and out of its receiver.

use std::time::{Duration, Instant};

use verinic_sim::axis::TxPacket;
use verinic_sim::mac::{Mac, MacConfig, MacStats};
use verinic_sim::xgmii::XgmiiWord;
use verinic_sim::SimOptions;

/// What a loopback run did.
#[derive(Debug, Clone)]
pub struct LoopbackReport {
    /// Packets handed to the transmitter.
    pub frames_sent: usize,
    /// Packets the receiver delivered unflagged and byte-identical to the sent ones.
    pub frames_matched: usize,
    /// Packets delivered unflagged but different from what was sent (must be 0).
    pub frames_mismatched: usize,
    /// Packets delivered flagged bad.
    pub frames_bad: usize,
    /// The MAC's counters at the end.
    pub stats: MacStats,
    /// Clock cycles simulated.
    pub cycles: u64,
    /// Wall-clock time of the simulation loop.
    pub wall: Duration,
    /// Waveform file written, if any.
    pub waves: Option<std::path::PathBuf>,
}

impl LoopbackReport {
    /// Simulated cycles per wall-clock second.
    pub fn cycles_per_second(&self) -> f64 {
        self.cycles as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// Sends `frames` through TX → wire → RX and checks every one came back.
///
/// Stops when every frame is accounted for, or after a cycle budget generous
/// enough for the traffic (so a broken RTL ends the run instead of hanging it).
pub fn run(options: &SimOptions, frames: &[Vec<u8>]) -> Result<LoopbackReport, verinic_sim::SimError> {
    let mut mac = Mac::new(options, MacConfig::default())?;
    for f in frames {
        mac.send(TxPacket::new(f.clone()));
    }
    let wire_bytes: usize = frames.iter().map(|f| f.len().max(60) + 24).sum();
    let budget = (wire_bytes / 8) as u64 * 2 + 1_000;
    let start_cycle = mac.sim().cycle();
    let started = Instant::now();
    let mut wire = XgmiiWord::IDLE;
    let mut received = Vec::with_capacity(frames.len());
    while mac.sim().cycle() - start_cycle < budget {
        wire = mac.step(wire);
        if mac.received_count() > 0 {
            received.extend(mac.received());
            if received.len() >= frames.len() && mac.tx_pending() == 0 {
                break;
            }
        }
    }
    // let the counters settle: they update the cycle after the last beat
    for _ in 0..4 {
        wire = mac.step(wire);
    }
    let wall = started.elapsed();
    received.extend(mac.received());

    let mut matched = 0;
    let mut mismatched = 0;
    let mut bad = 0;
    for (i, pkt) in received.iter().enumerate() {
        if pkt.bad {
            bad += 1;
        } else if frames.get(i).is_some_and(|f| padded(f) == pkt.data) {
            matched += 1;
        } else {
            mismatched += 1;
        }
    }
    Ok(LoopbackReport {
        frames_sent: frames.len(),
        frames_matched: matched,
        frames_mismatched: mismatched,
        frames_bad: bad,
        stats: mac.stats(),
        cycles: mac.sim().cycle() - start_cycle,
        wall,
        waves: mac.sim().waves_path().map(|p| p.to_path_buf()),
    })
}

/// What the receiver should deliver for a sent packet: the MAC pads to 60.
fn padded(frame: &[u8]) -> Vec<u8> {
    let mut f = frame.to_vec();
    if f.len() < 60 {
        f.resize(60, 0);
    }
    f
}

/// The MAC in loopback with the transmit queue never empty: minimum-size
/// frames at full line rate, for measuring simulation speed.
pub struct LineRateLoopback {
    mac: Mac,
    wire: XgmiiWord,
    frame: bytes::Bytes,
    frames_good: u64,
}

impl LineRateLoopback {
    /// Builds the model; `frame_len` bytes per packet (FCS excluded).
    pub fn new(options: &SimOptions, frame_len: usize) -> Result<Self, verinic_sim::SimError> {
        let frame = crate::frames::test_frame(frame_len, 0, &mut crate::rng::Rng::new(1)).into();
        Ok(LineRateLoopback {
            mac: Mac::new(options, MacConfig::default())?,
            wire: XgmiiWord::IDLE,
            frame,
            frames_good: 0,
        })
    }

    /// Runs `cycles` clock cycles.
    pub fn run(&mut self, cycles: u64) {
        for _ in 0..cycles {
            if self.mac.tx_pending() < 2 {
                self.mac.send(TxPacket::new(self.frame.clone()));
            }
            self.wire = self.mac.step(self.wire);
            if self.mac.received_count() > 0 {
                let good = &mut self.frames_good;
                self.mac.drain_received(|p| *good += !p.bad as u64);
            }
        }
    }

    /// Good frames received so far.
    pub fn frames_good(&self) -> u64 {
        self.frames_good
    }

    /// Clock cycles simulated so far (reset included).
    pub fn cycles(&self) -> u64 {
        self.mac.sim().cycle()
    }
}
