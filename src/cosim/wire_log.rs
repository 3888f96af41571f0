//! What the link partner put on the wire, kept in bounded memory.
//!
//! Every frame the world hands to the link partner gets an entry, in
//! enqueue order (its *wire sequence number*, which is also the sequence
//! number the traffic generator writes into the frame and the index of a
//! replayed capture's frame). The entry learns its Start cycle when the
//! frame's first byte goes on the wire. A delivered frame is matched to its
//! entry - by the sequence number it carries, or by a digest of its bytes
//! for replayed traffic - to time its latency.
//!
//! One receive queue keeps order, so deliveries come in wire order minus the
//! dropped frames: once frame `n` is matched, no entry before it is needed
//! again and they are forgotten. The log therefore holds only the frames
//! between the last delivery and the wire, and never more than
//! [`WIRE_LOG_WINDOW`] entries (the oldest go first: a frame delivered after
//! that many later frames were put on the wire counts as unmatched).
//!
//! Totals (frames started, and frames and bytes started inside a chosen
//! window of device time) are counted as frames start, so that nothing here
//! grows with the length of a run.

use std::collections::VecDeque;
use std::ops::Range;

/// Most entries the log keeps: far more frames than the NIC can hold
/// (a 4096-descriptor ring plus its FIFO) between wire and delivery.
pub const WIRE_LOG_WINDOW: usize = 65_536;

/// Bytes of FCS the link partner appends to every frame.
const FCS_LEN: u64 = 4;

/// One frame handed to the link partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    /// Device cycle of its Start character, once it went out.
    start_cycle: Option<u64>,
    /// Digest of its bytes (only when digests are kept).
    digest: u64,
}

/// Bounded record of the frames on the wire toward the NIC.
#[derive(Debug, Clone, Default)]
pub struct WireLog {
    /// Wire sequence number of `entries[0]`.
    base: u64,
    entries: VecDeque<Entry>,
    /// Frames handed to the link partner so far.
    enqueued: u64,
    /// Frames whose Start went on the wire.
    started: u64,
    /// Device-time window (ns) whose starts are counted apart.
    window: Option<Range<u64>>,
    window_frames: u64,
    window_bytes: u64,
    /// Keep a digest of every frame's bytes (for matching replayed traffic).
    digests: bool,
    /// Entries dropped because the log was full.
    evicted: u64,
}

/// The digest of a frame's bytes, as the log keeps it ([`fnv1a`](crate::hash::fnv1a)).
pub fn frame_digest(data: &[u8]) -> u64 {
    crate::hash::fnv1a(data)
}

impl WireLog {
    /// Also keep a digest of every frame enqueued from now on, so that
    /// [`locate_digest`](Self::locate_digest) can find it.
    pub fn keep_digests(&mut self) {
        self.digests = true;
    }

    /// Count the frames (and their bytes with FCS) whose Start falls in
    /// `window_ns` of device time apart ([`window_frames`](Self::window_frames)).
    pub fn set_window(&mut self, window_ns: Range<u64>) {
        self.window = Some(window_ns);
    }

    /// Whether digests are kept (replayed traffic is matched by content).
    pub fn keeps_digests(&self) -> bool {
        self.digests
    }

    /// A frame of `data` was handed to the link partner; returns its wire
    /// sequence number.
    pub fn enqueued(&mut self, data: &[u8]) -> u64 {
        let digest = if self.digests { frame_digest(data) } else { 0 };
        if self.entries.len() == WIRE_LOG_WINDOW {
            self.entries.pop_front();
            self.base += 1;
            self.evicted += 1;
        }
        self.entries.push_back(Entry { start_cycle: None, digest });
        self.enqueued += 1;
        self.enqueued - 1
    }

    /// Frame `seq`, `len` bytes without FCS, started at device cycle
    /// `start_cycle`, which is `start_ns` in device time.
    pub fn started(&mut self, seq: u64, len: usize, start_cycle: u64, start_ns: u64) {
        self.started += 1;
        if self.window.as_ref().is_some_and(|w| w.contains(&start_ns)) {
            self.window_frames += 1;
            self.window_bytes += len as u64 + FCS_LEN;
        }
        if let Some(e) = seq.checked_sub(self.base).and_then(|i| self.entries.get_mut(i as usize)) {
            e.start_cycle = Some(start_cycle);
        }
    }

    /// The Start cycle of frame `seq`, if it went on the wire and is still
    /// in the log; forgets every frame before it.
    pub fn locate_seq(&mut self, seq: u64) -> Option<u64> {
        let i = seq.checked_sub(self.base)? as usize;
        let start = self.entries.get(i)?.start_cycle?;
        self.forget_through(i);
        Some(start)
    }

    /// The Start cycle of the first started frame in the log whose bytes
    /// have `digest`; forgets it and every frame before it. Identical frames
    /// are matched first come first served.
    pub fn locate_digest(&mut self, digest: u64) -> Option<u64> {
        let i = self.entries.iter().position(|e| e.start_cycle.is_some() && e.digest == digest)?;
        let start = self.entries[i].start_cycle?;
        self.forget_through(i);
        Some(start)
    }

    fn forget_through(&mut self, i: usize) {
        self.entries.drain(..=i);
        self.base += i as u64 + 1;
    }

    /// Frames handed to the link partner.
    pub fn frames_enqueued(&self) -> u64 {
        self.enqueued
    }

    /// Frames whose Start went on the wire.
    pub fn frames_started(&self) -> u64 {
        self.started
    }

    /// Frames whose Start fell in the window set by [`set_window`](Self::set_window).
    pub fn window_frames(&self) -> u64 {
        self.window_frames
    }

    /// Their bytes, FCS included.
    pub fn window_bytes(&self) -> u64 {
        self.window_bytes
    }

    /// Entries forgotten unmatched because the log was full.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the log holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_matching_forgets_what_came_before() {
        let mut log = WireLog::default();
        for i in 0..5u64 {
            assert_eq!(log.enqueued(&[i as u8]), i);
            log.started(i, 60, 100 + i, 640 + i);
        }
        assert_eq!(log.locate_seq(1), Some(101));
        assert_eq!(log.len(), 3, "frame 0 (dropped) and 1 are forgotten");
        assert_eq!(log.locate_seq(0), None, "never backwards");
        assert_eq!(log.locate_seq(4), Some(104));
        assert!(log.is_empty());
        assert_eq!(log.frames_started(), 5);
    }

    #[test]
    fn digests_match_first_come_first_served_and_skip_dropped_frames() {
        let mut log = WireLog::default();
        log.keep_digests();
        for (i, b) in [1u8, 2, 3, 2, 4].into_iter().enumerate() {
            log.enqueued(&[b]);
            log.started(i as u64, 1, i as u64 * 10, 0);
        }
        assert_eq!(log.locate_digest(frame_digest(&[2])), Some(10));
        assert_eq!(log.locate_digest(frame_digest(&[9])), None);
        assert_eq!(log.locate_digest(frame_digest(&[2])), Some(30));
        assert_eq!(log.locate_digest(frame_digest(&[1])), None, "never backwards");
        assert_eq!(log.locate_digest(frame_digest(&[4])), Some(40));
    }

    #[test]
    fn not_started_frames_do_not_match() {
        let mut log = WireLog::default();
        log.enqueued(&[7]);
        assert_eq!(log.locate_seq(0), None);
        log.started(0, 60, 5, 32);
        assert_eq!(log.locate_seq(0), Some(5));
    }

    #[test]
    fn window_counts_only_starts_inside_it() {
        let mut log = WireLog::default();
        log.set_window(1000..2000);
        for (i, ns) in [999u64, 1000, 1999, 2000].into_iter().enumerate() {
            log.enqueued(&[0]);
            log.started(i as u64, 60, ns, ns);
        }
        assert_eq!((log.window_frames(), log.window_bytes()), (2, 128));
        assert_eq!(log.frames_started(), 4);
    }

    #[test]
    fn the_log_is_bounded() {
        let mut log = WireLog::default();
        for i in 0..(WIRE_LOG_WINDOW as u64 + 10) {
            log.enqueued(&[]);
            log.started(i, 60, i, i);
        }
        assert_eq!(log.len(), WIRE_LOG_WINDOW);
        assert_eq!(log.evicted(), 10);
        assert_eq!(log.locate_seq(9), None, "evicted");
        assert_eq!(log.locate_seq(10), Some(10));
    }
}
