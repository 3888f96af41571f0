//! Encoder settings and their validation.

use core::fmt;

/// The smallest inter-frame gap IEEE 802.3 allows on average, in bytes.
pub const MIN_IPG: usize = 12;

/// Which lanes the encoder may put a Start character in.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum StartLanes {
    /// Start only in lane 0: frames begin on 8-byte boundaries. Simpler PHYs
    /// do this; the gap gets rounded up by as much as 7 bytes.
    Lane0Only,
    /// Start in lane 0 or lane 4, whichever comes first after the gap, as a
    /// 10GBASE-R PCS allows: frames begin on 4-byte boundaries.
    #[default]
    Lane0And4,
}

impl StartLanes {
    /// Spacing in bytes between legal Start positions.
    pub const fn alignment(self) -> u64 {
        match self {
            StartLanes::Lane0Only => 8,
            StartLanes::Lane0And4 => 4,
        }
    }

    /// Whether a Start may go in `lane`.
    pub const fn allows(self, lane: usize) -> bool {
        lane.is_multiple_of(self.alignment() as usize)
    }
}

/// How the link partner's transmitter paces frames.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct EncoderConfig {
    /// Nominal inter-frame gap in bytes, Terminate inclusive; at least
    /// [`MIN_IPG`]. Rounding to a legal Start lane adjusts each actual gap.
    pub ipg: usize,
    /// Lanes a Start may occupy.
    pub start_lanes: StartLanes,
    /// Use the deficit idle count (IEEE 802.3 46.3.1.4): round some gaps
    /// down by up to 3 bytes and later ones up, so that the average gap stays
    /// `ipg` despite lane alignment. Without it every gap is rounded up.
    pub dic: bool,
    /// Offered load in (0, 1]. At 1.0 frames go back to back at the minimum
    /// gap. Below that, idle is added so that a frame of `L` bytes with FCS
    /// occupies `(L + 20) / load` byte times on average, i.e. the frame rate
    /// is `load` times the line rate for that frame size.
    pub load: f64,
}

impl Default for EncoderConfig {
    /// Minimum gap, Start in lane 0 or 4, DIC on, full load: what a
    /// 10GBASE-R link partner sends when it has frames waiting.
    fn default() -> Self {
        Self { ipg: MIN_IPG, start_lanes: StartLanes::Lane0And4, dic: true, load: 1.0 }
    }
}

impl EncoderConfig {
    /// Checks every field; the encoder only accepts a valid configuration.
    pub fn validate(&self) -> Result<(), EncoderConfigError> {
        if self.ipg < MIN_IPG {
            return Err(EncoderConfigError::IpgTooSmall { ipg: self.ipg });
        }
        // Written so that NaN fails too.
        if !(self.load > 0.0 && self.load <= 1.0) {
            return Err(EncoderConfigError::LoadOutOfRange { load: self.load });
        }
        Ok(())
    }
}

/// Why an [`EncoderConfig`] was rejected.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum EncoderConfigError {
    /// `ipg` below [`MIN_IPG`].
    IpgTooSmall {
        /// The rejected value.
        ipg: usize,
    },
    /// `load` not in (0, 1], or not a number.
    LoadOutOfRange {
        /// The rejected value.
        load: f64,
    },
}

impl fmt::Display for EncoderConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncoderConfigError::IpgTooSmall { ipg } => {
                write!(f, "inter-frame gap {ipg} is below the minimum of {MIN_IPG} bytes")
            }
            EncoderConfigError::LoadOutOfRange { load } => {
                write!(f, "offered load {load} is outside (0, 1]")
            }
        }
    }
}

impl std::error::Error for EncoderConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        assert_eq!(EncoderConfig::default().validate(), Ok(()));
    }

    #[test]
    fn rejects_bad_fields() {
        let bad_ipg = EncoderConfig { ipg: 11, ..Default::default() };
        assert_eq!(bad_ipg.validate(), Err(EncoderConfigError::IpgTooSmall { ipg: 11 }));
        for load in [0.0, -0.5, 1.0001, f64::INFINITY] {
            let cfg = EncoderConfig { load, ..Default::default() };
            assert_eq!(cfg.validate(), Err(EncoderConfigError::LoadOutOfRange { load }));
        }
        let nan = EncoderConfig { load: f64::NAN, ..Default::default() };
        assert!(matches!(nan.validate(), Err(EncoderConfigError::LoadOutOfRange { .. })));
        let ok = EncoderConfig { load: 1e-9, ipg: 1000, ..Default::default() };
        assert_eq!(ok.validate(), Ok(()));
    }

    #[test]
    fn start_lanes() {
        assert!(StartLanes::Lane0Only.allows(0));
        assert!(!StartLanes::Lane0Only.allows(4));
        assert!(StartLanes::Lane0And4.allows(4));
        assert!(!StartLanes::Lane0And4.allows(2));
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            EncoderConfigError::IpgTooSmall { ipg: 8 }.to_string(),
            "inter-frame gap 8 is below the minimum of 12 bytes"
        );
    }
}
