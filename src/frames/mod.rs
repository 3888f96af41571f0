//! Frames for scenarios, one builder for both directions: the traffic toward
//! the NIC (`run::traffic`) and the application's sends (`cosim::machine`).
//!
//! - [`ethernet`]: addresses, EtherTypes, the 802.1Q tag, raw test frames;
//! - [`ip`]: IPv4 and IPv6 headers;
//! - [`l4`]: UDP and TCP headers;
//! - [`checksum`]: the Internet checksum and pseudo-header sums;
//! - [`flows`]: 5-tuples and the order frames take them in;
//! - [`packet`]: whole frames, their layout, sequence numbers, and the
//!   stack's side of checksum offload (CHECKSUM_PARTIAL or software).

pub mod checksum;
pub mod ethernet;
pub mod flows;
pub mod ip;
pub mod l4;
pub mod packet;

pub use ethernet::{mixed_burst, test_frame, DST_MAC, ETHERTYPE_EXPERIMENTAL, MAX_FRAME, MIN_FRAME, SRC_MAC};
pub use flows::{Direction, FlowOrder};
pub use packet::{
    build, checksum_partial, layout, sequence_number, software_checksums, CsumDescriptor, FrameSpec, Layout, Protocol,
};
