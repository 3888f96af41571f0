//! The Ethernet frame check sequence.
//!
//! The FCS is the zlib CRC-32 of the frame from destination MAC to the end of
//! the payload, sent least significant byte first. Both the encoder and the
//! decoder go through these two functions so they can never disagree about
//! byte order.

use super::word::FCS_LEN;

/// The FCS of `frame` (bytes from destination MAC to end of payload).
pub fn fcs(frame: &[u8]) -> u32 {
    crc32fast::hash(frame)
}

/// The four FCS bytes in wire order, as they follow the frame.
pub fn fcs_bytes(frame: &[u8]) -> [u8; FCS_LEN] {
    fcs(frame).to_le_bytes()
}

/// Splits a received frame into its body and FCS and checks the FCS.
///
/// Returns `None` when `frame_with_fcs` is too short to hold an FCS.
pub fn split_and_check(frame_with_fcs: &[u8]) -> Option<(&[u8], bool)> {
    let body_len = frame_with_fcs.len().checked_sub(FCS_LEN)?;
    let (body, tail) = frame_with_fcs.split_at(body_len);
    let mut sent = [0u8; FCS_LEN];
    sent.copy_from_slice(tail);
    Some((body, u32::from_le_bytes(sent) == fcs(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_known_ieee_check_value() {
        // The standard CRC-32 check value for the ASCII digits 1..9.
        assert_eq!(fcs(b"123456789"), 0xCBF4_3926);
        assert_eq!(fcs_bytes(b"123456789"), [0x26, 0x39, 0xF4, 0xCB]);
    }

    #[test]
    fn split_checks_and_rejects_short() {
        let mut wire = b"hello".to_vec();
        wire.extend_from_slice(&fcs_bytes(b"hello"));
        assert_eq!(split_and_check(&wire), Some((&b"hello"[..], true)));
        wire[0] ^= 1;
        assert_eq!(split_and_check(&wire), Some((&b"iello"[..], false)));
        assert_eq!(split_and_check(&[1, 2, 3]), None);
        // An empty body has FCS 0, so four zero bytes are a valid "frame".
        assert_eq!(split_and_check(&[0, 0, 0, 0]), Some((&[][..], true)));
    }
}
