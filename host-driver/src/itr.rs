//! e1000's dynamic interrupt throttling (InterruptThrottleRate = 1 or 3),
//! written from e1000_update_itr and e1000_set_itr in
//! drivers/net/ethernet/intel/e1000/e1000_main.c (torvalds/linux), names kept.
//!
//! Per interrupt, e1000 counts the RX and TX packets and bytes cleaned
//! (`total_rx_packets`, ... zeroed in e1000_intr when NAPI is scheduled,
//! accumulated by every poll), and at NAPI completion (e1000_clean, when
//! `itr_setting & 3`) calls e1000_set_itr: each direction's latency class
//! moves by [`update_itr`]'s byte and packet thresholds, the busier class of
//! the two picks the target rate (70,000, 20,000 or 4,000 interrupts/s), a
//! rise is ramped by a quarter of the target per completion, and a changed
//! rate is written to ITR as `1e9 / (rate * 256)`.
//!
//! Differences from e1000: the link is 10 Gb/s, where e1000 would fix the
//! rate at 4,000/s for any speed but 1000 Mb/s (the `link_speed !=
//! SPEED_1000` branch); the classes are used as e1000 tuned them for 1 Gb/s.

use serde::{Deserialize, Serialize};

/// `driver.itr_mode`: e1000's InterruptThrottleRate modes
/// (Documentation/networking/device_drivers/ethernet/intel/e1000.rst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItrMode {
    /// A fixed ceiling, `itr_max_irqs_per_sec` (InterruptThrottleRate = a
    /// number). Default.
    #[default]
    Static,
    /// InterruptThrottleRate = 1: lowest latency (70,000/s), low latency
    /// (20,000/s) and bulk (4,000/s).
    Dynamic,
    /// InterruptThrottleRate = 3: as dynamic without the lowest-latency class.
    DynamicConservative,
}

impl ItrMode {
    /// The name in a scenario file.
    pub fn name(self) -> &'static str {
        match self {
            ItrMode::Static => "static",
            ItrMode::Dynamic => "dynamic",
            ItrMode::DynamicConservative => "dynamic_conservative",
        }
    }
}

/// `enum latency_range` (e1000_main.c).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum LatencyRange {
    /// `lowest_latency` = 0: 70,000 interrupts/s. What a zeroed adapter starts in.
    #[default]
    Lowest,
    /// `low_latency` = 1: 20,000 interrupts/s ("50 usec").
    Low,
    /// `bulk_latency` = 2: 4,000 interrupts/s ("250 usec").
    Bulk,
}

impl LatencyRange {
    /// The target rate of e1000_set_itr's `switch (current_itr)`.
    pub fn irqs_per_sec(self) -> u32 {
        match self {
            LatencyRange::Lowest => 70_000,
            LatencyRange::Low => 20_000,
            LatencyRange::Bulk => 4_000,
        }
    }
}

/// The rate e1000 starts the dynamic modes at (`adapter->itr = 20000` in
/// e1000_check_options, drivers/net/ethernet/intel/e1000/e1000_param.c).
pub const ITR_START_RATE: u32 = 20_000;

/// `e1000_update_itr` (e1000_main.c): the next class of one direction from
/// the packets and bytes of the last interrupt. No packets: no change.
pub fn update_itr(itr_setting: LatencyRange, packets: u64, bytes: u64) -> LatencyRange {
    use LatencyRange::*;
    if packets == 0 {
        return itr_setting;
    }
    let per_pkt = bytes / packets;
    match itr_setting {
        Lowest => {
            if per_pkt > 8000 {
                Bulk
            } else if packets < 5 && bytes > 512 {
                Low
            } else {
                Lowest
            }
        }
        Low => {
            if bytes > 10_000 {
                if per_pkt > 8000 || packets < 10 || per_pkt > 1200 {
                    Bulk
                } else if packets > 35 {
                    Lowest
                } else {
                    Low
                }
            } else if per_pkt > 2000 {
                Bulk
            } else if packets <= 2 && bytes < 512 {
                Lowest
            } else {
                Low
            }
        }
        Bulk => {
            if bytes > 25_000 {
                if packets > 35 {
                    Low
                } else {
                    Bulk
                }
            } else if bytes < 6000 {
                Low
            } else {
                Bulk
            }
        }
    }
}

/// The ITR register value e1000 writes for `rate` interrupts/s:
/// `1000000000 / (new_itr * 256)` (e1000_set_itr), rounded down as there.
pub fn itr_register(rate: u32) -> u32 {
    (1_000_000_000u64 / (u64::from(rate) * 256)) as u32
}

/// e1000's dynamic ITR state: `adapter->itr`, `rx_itr`, `tx_itr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DynamicItr {
    /// Dynamic or dynamic conservative.
    pub mode: ItrMode,
    /// `adapter->itr`: the rate in force, interrupts/s.
    pub itr: u32,
    /// `adapter->rx_itr`.
    pub rx_itr: LatencyRange,
    /// `adapter->tx_itr`.
    pub tx_itr: LatencyRange,
}

impl DynamicItr {
    /// The state after e1000_check_options for InterruptThrottleRate 1 or 3:
    /// `itr` = [`ITR_START_RATE`], both classes `lowest_latency` (zeroed).
    pub fn new(mode: ItrMode) -> Self {
        DynamicItr { mode, itr: ITR_START_RATE, rx_itr: LatencyRange::Lowest, tx_itr: LatencyRange::Lowest }
    }

    /// `e1000_set_itr` (e1000_main.c) with the counts since the interrupt.
    /// Returns the new rate when it changed (the caller writes
    /// [`itr_register`] of it to ITR).
    pub fn set_itr(&mut self, rx_packets: u64, rx_bytes: u64, tx_packets: u64, tx_bytes: u64) -> Option<u32> {
        let conservative = self.mode == ItrMode::DynamicConservative;
        self.tx_itr = update_itr(self.tx_itr, tx_packets, tx_bytes);
        // "conservative mode (itr 3) eliminates the lowest_latency setting"
        if conservative && self.tx_itr == LatencyRange::Lowest {
            self.tx_itr = LatencyRange::Low;
        }
        self.rx_itr = update_itr(self.rx_itr, rx_packets, rx_bytes);
        if conservative && self.rx_itr == LatencyRange::Lowest {
            self.rx_itr = LatencyRange::Low;
        }
        let current_itr = self.rx_itr.max(self.tx_itr);
        let mut new_itr = current_itr.irqs_per_sec();
        if new_itr == self.itr {
            return None;
        }
        // "bias the interrupt rate towards Bulk by adding intermediate steps
        // when interrupt rate is increasing"
        if new_itr > self.itr {
            new_itr = (self.itr + (new_itr >> 2)).min(new_itr);
        }
        self.itr = new_itr;
        Some(new_itr)
    }

    /// The class in force: the larger of the two directions'.
    pub fn current(&self) -> LatencyRange {
        self.rx_itr.max(self.tx_itr)
    }
}

#[cfg(test)]
mod tests {
    use super::LatencyRange::*;
    use super::*;

    #[test]
    fn lowest_latency_transitions() {
        // e1000_main.c e1000_update_itr, case lowest_latency.
        assert_eq!(update_itr(Lowest, 0, 99_999), Lowest, "packets == 0: unchanged");
        assert_eq!(update_itr(Lowest, 1, 9000), Bulk, "bytes/packets > 8000 (jumbo)");
        assert_eq!(update_itr(Lowest, 4, 513), Low, "packets < 5 && bytes > 512");
        assert_eq!(update_itr(Lowest, 4, 512), Lowest);
        assert_eq!(update_itr(Lowest, 5, 7000), Lowest, "5 packets of 1400: stays");
        assert_eq!(update_itr(Lowest, 64, 64 * 1514), Lowest, "many full-size frames: stays lowest");
    }

    #[test]
    fn low_latency_transitions() {
        // e1000_main.c e1000_update_itr, case low_latency.
        assert_eq!(update_itr(Low, 9, 10_001), Bulk, "bytes > 10000 && packets < 10");
        assert_eq!(update_itr(Low, 20, 20 * 1514), Bulk, "bytes > 10000 && bytes/packets > 1200");
        assert_eq!(update_itr(Low, 36, 36 * 600), Lowest, "bytes > 10000, small frames, packets > 35");
        assert_eq!(update_itr(Low, 35, 35 * 600), Low, "packets == 35: stays");
        assert_eq!(update_itr(Low, 4, 4 * 2001), Bulk, "bytes <= 10000 && bytes/packets > 2000");
        assert_eq!(update_itr(Low, 2, 511), Lowest, "packets <= 2 && bytes < 512");
        assert_eq!(update_itr(Low, 3, 300), Low);
    }

    #[test]
    fn bulk_latency_transitions() {
        // e1000_main.c e1000_update_itr, case bulk_latency.
        assert_eq!(update_itr(Bulk, 36, 25_001), Low, "bytes > 25000 && packets > 35");
        assert_eq!(update_itr(Bulk, 20, 30_000), Bulk, "bytes > 25000, few packets");
        assert_eq!(update_itr(Bulk, 3, 5_999), Low, "bytes < 6000");
        assert_eq!(update_itr(Bulk, 5, 6_000), Bulk, "6000..=25000: stays");
    }

    #[test]
    fn set_itr_takes_the_busier_class_and_ramps_up() {
        // e1000_main.c e1000_set_itr: current_itr = max(rx_itr, tx_itr);
        // a rise is min(itr + (new_itr >> 2), new_itr); a fall is immediate.
        let mut d = DynamicItr::new(ItrMode::Dynamic);
        assert_eq!(d.itr, 20_000);
        // Lowest stays lowest for a burst of small frames: 70000 wanted,
        // ramp 20000 + 17500 = 37500, then 55000, then 70000 (min caps it).
        assert_eq!(d.set_itr(64, 64 * 60, 0, 0), Some(37_500));
        assert_eq!(d.set_itr(64, 64 * 60, 0, 0), Some(55_000));
        assert_eq!(d.set_itr(64, 64 * 60, 0, 0), Some(70_000));
        assert_eq!(d.set_itr(64, 64 * 60, 0, 0), None, "no change, no write");
        // TX bulk traffic: tx_itr lowest -> low (3 packets > 512 bytes) ->
        // bulk (20 x 1514: bytes/packets > 1200); the busier class wins.
        assert_eq!(d.set_itr(64, 64 * 60, 3, 3 * 1514), Some(20_000), "falls at once");
        assert_eq!(d.set_itr(64, 64 * 60, 20, 20 * 1514), Some(4_000));
        assert_eq!(d.current(), Bulk);
        // Back to low: bytes < 6000 on both; rise ramps 4000 + 5000 = 9000.
        assert_eq!(d.set_itr(2, 120, 2, 120), Some(9_000));
        assert_eq!((d.rx_itr, d.tx_itr), (Lowest, Low));
        assert_eq!(d.set_itr(1, 60, 1, 60), Some(26_500), "tx low -> lowest (<= 2 packets, < 512 bytes): 70000/4");
        assert_eq!(itr_register(4_000), 976);
        assert_eq!(itr_register(20_000), 195);
        assert_eq!(itr_register(70_000), 55);
    }

    #[test]
    fn conservative_mode_never_uses_lowest_latency() {
        // e1000_set_itr: "conservative mode (itr 3) eliminates the
        // lowest_latency setting".
        let mut d = DynamicItr::new(ItrMode::DynamicConservative);
        assert_eq!(d.set_itr(64, 64 * 60, 0, 0), None, "both classes forced to low: 20000 = itr");
        assert_eq!((d.rx_itr, d.tx_itr), (Low, Low));
        assert_eq!(d.set_itr(1, 60, 1, 60), None);
        assert_eq!(d.current(), Low);
    }
}
