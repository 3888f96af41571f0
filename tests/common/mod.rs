//! A test bench around the Verilated MAC: the link partner's encoder drives
//! XGMII RX, its decoder checks XGMII TX, and the MAC's streams are served by
//! `verinic_sim::mac::Mac`.
#![allow(dead_code)]

use verinic_sim::axis::{RxPacket, TxPacket};
use verinic_sim::mac::{Mac, MacConfig, MacStats};
use verinic_sim::xgmii::{EncoderConfig, RxFrame, TxFrame, XgmiiDecoder, XgmiiEncoder, XgmiiWord};
use verinic_sim::SimOptions;

pub struct Bench {
    pub mac: Mac,
    pub enc: XgmiiEncoder,
    pub dec: XgmiiDecoder,
    /// Every packet the MAC's receiver delivered, in order.
    pub rx_packets: Vec<RxPacket>,
    /// Every frame the decoder saw on XGMII TX, in order.
    pub tx_frames: Vec<RxFrame>,
    /// Every word the MAC drove on XGMII TX (only when `record_words`).
    pub tx_words: Vec<XgmiiWord>,
    pub record_words: bool,
}

impl Bench {
    pub fn new(enc: EncoderConfig) -> Self {
        Self::with(&SimOptions::default(), MacConfig::default(), enc)
    }

    pub fn with(options: &SimOptions, mac: MacConfig, enc: EncoderConfig) -> Self {
        Bench {
            mac: Mac::new(options, mac).expect("build the MAC model"),
            enc: XgmiiEncoder::new(enc).expect("encoder config"),
            dec: XgmiiDecoder::new(),
            rx_packets: Vec::new(),
            tx_frames: Vec::new(),
            tx_words: Vec::new(),
            record_words: false,
        }
    }

    /// Queues a frame for the link partner to put on the MAC's receive side.
    pub fn wire_in(&mut self, frame: TxFrame) {
        self.enc.enqueue(frame).expect("fault fits the frame");
    }

    /// Queues a packet on the MAC's transmit stream.
    pub fn send(&mut self, packet: TxPacket) {
        self.mac.send(packet);
    }

    pub fn step(&mut self) {
        let word = self.enc.next_word();
        let out = self.mac.step(word);
        if self.record_words {
            self.tx_words.push(out);
        }
        self.dec.push(out);
        if self.mac.received_count() > 0 {
            self.rx_packets.extend(self.mac.received());
        }
        while let Some(f) = self.dec.pop() {
            self.tx_frames.push(f);
        }
    }

    /// Runs until both directions are quiet, then a few cycles more so that
    /// counters and pipelines settle. Panics rather than hang.
    pub fn run_until_quiet(&mut self, max_cycles: u64) -> u64 {
        let start = self.mac.sim().cycle();
        let mut quiet = 0;
        while quiet < 32 {
            let busy = !self.enc.is_idle() || self.mac.tx_pending() > 0 || self.dec.in_frame();
            quiet = if busy { 0 } else { quiet + 1 };
            self.step();
            let elapsed = self.mac.sim().cycle() - start;
            assert!(elapsed <= max_cycles, "still busy after {elapsed} cycles");
        }
        self.mac.sim().cycle() - start
    }

    pub fn stats(&self) -> MacStats {
        self.mac.stats()
    }
}

/// A frame of `len` bytes (without FCS) whose content names its length and
/// sequence number, so a mix-up is visible in a failure message.
pub fn frame(len: usize, seq: u32) -> Vec<u8> {
    let mut f = Vec::with_capacity(len);
    f.extend_from_slice(&[0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0xB5]);
    let mut x = seq.wrapping_mul(0x9E37_79B9) ^ len as u32;
    while f.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        f.push(x as u8);
    }
    f.truncate(len);
    f
}

/// An 802.1Q-tagged frame of `len` bytes (without FCS).
pub fn vlan_frame(len: usize, seq: u32) -> Vec<u8> {
    let mut f = frame(len, seq);
    f[12..18].copy_from_slice(&[0x81, 0x00, 0x00, 0x05, 0x88, 0xB5]);
    f
}
