//! Per-frame faults the encoder can inject, and how a receiver should see them.

use core::fmt;

/// Index, counted from the Start character, of the preamble byte that
/// [`Fault::BadPreamble`] corrupts.
pub const BAD_PREAMBLE_INDEX: usize = 3;
/// The value [`Fault::BadPreamble`] puts there: a data byte that is neither
/// preamble (0x55) nor SFD (0xD5), so it cannot be mistaken for an early SFD.
pub const BAD_PREAMBLE_BYTE: u8 = 0x57;

/// A deliberate defect in one transmitted frame.
///
/// Offsets and lengths count bytes of the frame *with* its FCS (destination
/// MAC = offset 0, last FCS byte = `len + 3`); the preamble is not counted.
/// Runts and oversize frames need no fault: enqueue a short or long byte
/// vector and it goes out with a correct FCS.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum Fault {
    /// A well-formed frame. A receiving MAC should accept it.
    #[default]
    None,
    /// All FCS bits inverted, everything else intact. A receiving MAC should
    /// count an FCS (CRC) error and drop the frame.
    BadFcs,
    /// The byte at `offset` replaced by an Error control character (`/E/`).
    /// A receiving MAC should count a receive/code error and drop the frame
    /// even though it ends with a normal Terminate.
    ErrorChar {
        /// Byte offset within frame + FCS; must be below their total length.
        offset: usize,
    },
    /// Only the first `len` bytes of frame + FCS are sent, then Idle with no
    /// Terminate. A receiving MAC should treat the frame as truncated
    /// (errored) and drop it; what follows is an ordinary gap.
    TruncateToIdle {
        /// Bytes of frame + FCS sent; at most their total length.
        len: usize,
    },
    /// Only the first `len` bytes of frame + FCS are sent, then, with no
    /// Terminate, the next queued frame's Start at the next legal Start lane.
    /// Lanes between the cut and that lane carry the frame's own following
    /// bytes (0x00 past its FCS) so that no Idle intervenes. If nothing is
    /// queued when the cut is reached this behaves as [`Fault::TruncateToIdle`].
    /// A receiving MAC should drop the cut frame as errored and still receive
    /// the frame that interrupted it.
    TruncateToStart {
        /// Bytes of frame + FCS sent before the cut; at most their total length.
        len: usize,
    },
    /// Preamble byte [`BAD_PREAMBLE_INDEX`] sent as [`BAD_PREAMBLE_BYTE`]
    /// instead of 0x55. The frame and FCS are intact; a strict MAC should
    /// count a preamble error, a lenient one may accept the frame.
    BadPreamble,
}

impl Fault {
    /// Checks that the fault fits a frame of `frame_len` bytes (without FCS).
    pub fn validate(&self, frame_len: usize) -> Result<(), FaultError> {
        let with_fcs = frame_len.saturating_add(super::word::FCS_LEN);
        match *self {
            Fault::ErrorChar { offset } if offset >= with_fcs => Err(FaultError::OffsetOutOfRange { offset, with_fcs }),
            Fault::TruncateToIdle { len } | Fault::TruncateToStart { len } if len > with_fcs => {
                Err(FaultError::LenOutOfRange { len, with_fcs })
            }
            _ => Ok(()),
        }
    }
}

/// A fault that does not fit the frame it was attached to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FaultError {
    /// [`Fault::ErrorChar`] points past the last FCS byte.
    OffsetOutOfRange {
        /// The requested offset.
        offset: usize,
        /// Frame length including FCS.
        with_fcs: usize,
    },
    /// A truncation keeps more bytes than the frame has.
    LenOutOfRange {
        /// The requested length.
        len: usize,
        /// Frame length including FCS.
        with_fcs: usize,
    },
}

impl fmt::Display for FaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultError::OffsetOutOfRange { offset, with_fcs } => {
                write!(f, "error character offset {offset} is outside the {with_fcs}-byte frame+FCS")
            }
            FaultError::LenOutOfRange { len, with_fcs } => {
                write!(f, "truncation length {len} exceeds the {with_fcs}-byte frame+FCS")
            }
        }
    }
}

impl std::error::Error for FaultError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_bounds() {
        assert!(Fault::None.validate(0).is_ok());
        assert!(Fault::ErrorChar { offset: 63 }.validate(60).is_ok());
        assert_eq!(
            Fault::ErrorChar { offset: 64 }.validate(60),
            Err(FaultError::OffsetOutOfRange { offset: 64, with_fcs: 64 })
        );
        assert!(Fault::TruncateToIdle { len: 64 }.validate(60).is_ok());
        assert_eq!(
            Fault::TruncateToStart { len: 65 }.validate(60),
            Err(FaultError::LenOutOfRange { len: 65, with_fcs: 64 })
        );
        // Lengths near usize::MAX must not overflow.
        assert!(Fault::TruncateToIdle { len: usize::MAX }.validate(usize::MAX).is_ok());
    }

    #[test]
    fn errors_display() {
        let e = FaultError::LenOutOfRange { len: 9, with_fcs: 8 };
        assert_eq!(e.to_string(), "truncation length 9 exceeds the 8-byte frame+FCS");
    }
}
