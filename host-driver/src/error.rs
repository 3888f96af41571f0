//! Error types. Bad configuration, a device that does not answer as it
//! should, and refused transmissions are values, never panics.

use std::fmt;

use crate::config::DriverConfigError;

/// Why [`crate::Driver::probe`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriverError {
    /// The configuration was rejected before the device was touched.
    Config(DriverConfigError),
    /// VN_ID did not read "VNIC": not our device, or no device at all.
    WrongDevice {
        /// What VN_ID read.
        found: u32,
    },
    /// CTRL.RST never cleared after a reset.
    ResetTimeout {
        /// CTRL reads made.
        polls: u32,
        /// CPU time waited, in ns.
        waited_ns: u64,
    },
}

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriverError::Config(e) => write!(f, "configuration: {e}"),
            DriverError::WrongDevice { found } => write!(
                f,
                "VN_ID reads {found:#010x}, expected {:#010x} (\"VNIC\"): not a verinic device",
                crate::regs::VN_ID_VALUE
            ),
            DriverError::ResetTimeout { polls, waited_ns } => {
                write!(f, "device reset did not complete: CTRL.RST still set after {polls} reads ({waited_ns} ns)")
            }
        }
    }
}

impl std::error::Error for DriverError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DriverError::Config(e) => Some(e),
            _ => None,
        }
    }
}

impl From<DriverConfigError> for DriverError {
    fn from(e: DriverConfigError) -> Self {
        DriverError::Config(e)
    }
}

/// Why [`crate::Driver::xmit`] refused a frame. The frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxError {
    /// The queue is stopped (too few free descriptors): retry after TX
    /// cleaning wakes it (Linux: NETDEV_TX_BUSY).
    QueueStopped,
    /// Longer than `tx_max_frame_len`.
    FrameTooLong {
        /// The frame's length.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// A frame of zero bytes.
    Empty,
}

impl fmt::Display for TxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TxError::QueueStopped => write!(f, "TX queue stopped: ring full"),
            TxError::FrameTooLong { len, max } => {
                write!(f, "frame of {len} bytes is longer than tx_max_frame_len {max}")
            }
            TxError::Empty => write!(f, "empty frame"),
        }
    }
}

impl std::error::Error for TxError {}
