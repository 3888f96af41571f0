//! Checksum verdicts counted in both directions: what the NIC said about
//! each received frame (its last descriptor's status and error bits, 8254x
//! SDM 3.2.3.1 / 3.2.3.2), and how each sent IP frame got its checksums
//! (offloaded to the NIC, or computed by the stack in software).

use verinic_driver::desc::{rx_errors, rx_status};

/// Checksum verdicts, whole run. Every received frame counts once in
/// `rx_l4_good`, `rx_l4_errors` or `rx_l4_not_checked`; IPv4 frames also in
/// `rx_ip_good` or `rx_ip_errors`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ChecksumCounts {
    /// Received: IPCS set, IPE clear (IPv4 header checksum checked, good).
    pub rx_ip_good: u64,
    /// Received: IPE set (IPv4 header checksum wrong).
    pub rx_ip_errors: u64,
    /// Received: TCPCS or UDPCS set, TCPE clear (TCP/UDP checksum checked, good).
    pub rx_l4_good: u64,
    /// Received: TCPE set (TCP/UDP checksum wrong).
    pub rx_l4_errors: u64,
    /// Received: no TCP/UDP checksum checked (IXSM, or neither TCPCS nor
    /// UDPCS: not IP, not TCP/UDP, receive checksumming off...).
    pub rx_l4_not_checked: u64,
    /// Sent: IP frames handed to the driver as CHECKSUM_PARTIAL for the NIC
    /// to insert their checksums.
    pub tx_offloaded: u64,
    /// Sent: IP frames whose checksums the stack computed in software
    /// (`driver.tx_checksumming` off).
    pub tx_software: u64,
}

impl ChecksumCounts {
    /// Counts a received frame's verdict from its last descriptor.
    pub fn count_rx(&mut self, status: u8, errors: u8) {
        let checked = status & rx_status::IXSM == 0;
        if checked && errors & rx_errors::IPE != 0 {
            self.rx_ip_errors += 1;
        } else if checked && status & rx_status::IPCS != 0 {
            self.rx_ip_good += 1;
        }
        if checked && errors & rx_errors::TCPE != 0 {
            self.rx_l4_errors += 1;
        } else if checked && status & (rx_status::TCPCS | rx_status::UDPCS) != 0 {
            self.rx_l4_good += 1;
        } else {
            self.rx_l4_not_checked += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_from_status_and_errors() {
        let mut c = ChecksumCounts::default();
        c.count_rx(rx_status::DD | rx_status::IPCS | rx_status::UDPCS, 0);
        c.count_rx(rx_status::DD | rx_status::IPCS | rx_status::TCPCS, rx_errors::TCPE);
        c.count_rx(rx_status::DD | rx_status::IPCS | rx_status::TCPCS, rx_errors::IPE);
        c.count_rx(rx_status::DD | rx_status::TCPCS, 0);
        c.count_rx(rx_status::DD | rx_status::IXSM, 0);
        assert_eq!((c.rx_ip_good, c.rx_ip_errors), (2, 1));
        assert_eq!((c.rx_l4_good, c.rx_l4_errors, c.rx_l4_not_checked), (3, 1, 1));
    }
}
