//! A cycle-stamped log of what crossed the NIC's buses, for people and snapshots.
//!
//! The bus models append register accesses and DMA transactions; the wiring
//! code appends interrupts, notes and its own decoded events. [`Trace::render`]
//! turns the log into one line per event:
//!
//! ```text
//!    1234 reg-w  0x2818 RDT = 0x0000000f
//!    1300 dma-rd id=0 0x100000000+64
//!    1372 dma-wr id=1 0x100002000+16 data=0011223344556677...
//!    1400 irq    rise
//! ```
//!
//! The text depends on nothing but the events, so the same run gives the same
//! text (snapshot tests rely on that). Storage is capped so a long run cannot
//! eat memory: past the cap the trace drops its oldest events or stops
//! recording, and counts what it lost either way.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::ops::RangeBounds;

use crate::bus::axi::resp;

/// Up to the first [`DataHead::MAX`] bytes of a DMA write, as memory held
/// them after it (or of a DMA read, as memory held them when it was accepted): enough for a burst of eight descriptors, so that wiring code
/// can decode write-backs. The text form shows the first eight.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataHead {
    bytes: Box<[u8]>,
}

impl DataHead {
    /// Most bytes kept.
    pub const MAX: usize = 128;
    /// Bytes shown in the rendered line.
    pub const SHOWN: usize = 8;

    /// Keeps the first (up to) [`DataHead::MAX`] bytes of `data`.
    pub fn new(data: &[u8]) -> Self {
        DataHead { bytes: data[..data.len().min(Self::MAX)].into() }
    }

    /// The bytes kept.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes
    }
}

/// Something that happened on a bus (or that the wiring code wants on record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A CPU register read completed on the bus (stamped when R arrived).
    RegRead {
        /// Register byte address.
        addr: u32,
        /// Value returned.
        value: u32,
        /// Response code (see [`resp`]).
        resp: u8,
    },
    /// A CPU register write completed on the bus (stamped when B arrived).
    RegWrite {
        /// Register byte address.
        addr: u32,
        /// Value written.
        value: u32,
        /// Response code (see [`resp`]).
        resp: u8,
    },
    /// The NIC's DMA read request was accepted by host memory.
    DmaRead {
        /// AXI transaction ID.
        id: u8,
        /// First byte address.
        addr: u64,
        /// Bytes covered by the burst.
        len: u64,
        /// Response code it got (see [`resp`]).
        resp: u8,
        /// Memory at `addr` when the request was accepted (what the read
        /// returns unless a write lands before its beats go out; empty on an
        /// error response): checkers decode fetched descriptors from it. Not
        /// rendered.
        head: DataHead,
    },
    /// The NIC's DMA write was applied to host memory (or dropped, if `resp` says so).
    DmaWrite {
        /// AXI transaction ID.
        id: u8,
        /// First byte address.
        addr: u64,
        /// Bytes covered by the burst.
        len: u64,
        /// Response code it got (see [`resp`]).
        resp: u8,
        /// Memory at `addr` after the write (empty if it was dropped).
        head: DataHead,
    },
    /// The interrupt line changed level.
    Irq {
        /// The new level.
        level: bool,
    },
    /// Free text.
    Note(String),
    /// A higher-level event decoded by the wiring code (a descriptor, a packet...).
    Custom {
        /// Short tag shown in the kind column, e.g. `"tx-desc"`.
        kind: &'static str,
        /// The rest of the line.
        text: String,
    },
}

/// The variant of an [`Event`], for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// [`Event::RegRead`].
    RegRead,
    /// [`Event::RegWrite`].
    RegWrite,
    /// [`Event::DmaRead`].
    DmaRead,
    /// [`Event::DmaWrite`].
    DmaWrite,
    /// [`Event::Irq`].
    Irq,
    /// [`Event::Note`].
    Note,
    /// [`Event::Custom`].
    Custom,
}

impl Event {
    /// Which variant this is.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::RegRead { .. } => EventKind::RegRead,
            Event::RegWrite { .. } => EventKind::RegWrite,
            Event::DmaRead { .. } => EventKind::DmaRead,
            Event::DmaWrite { .. } => EventKind::DmaWrite,
            Event::Irq { .. } => EventKind::Irq,
            Event::Note(_) => EventKind::Note,
            Event::Custom { .. } => EventKind::Custom,
        }
    }
}

/// An event and the clock cycle it happened on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Clock cycle (edges since reset).
    pub cycle: u64,
    /// What happened.
    pub event: Event,
}

/// Register names for rendering: `None` prints the bare address.
pub type RegNames<'a> = &'a dyn Fn(u32) -> Option<&'static str>;

/// A [`RegNames`] that knows no register.
pub fn no_names(_: u32) -> Option<&'static str> {
    None
}

impl Record {
    /// Appends this record's line (with its newline) to `out`.
    pub fn write_line(&self, out: &mut String, names: RegNames<'_>) {
        // `fmt::Write` for `String` cannot fail
        let _ = write!(out, "{:>7} ", self.cycle);
        match &self.event {
            Event::RegRead { addr, value, resp } | Event::RegWrite { addr, value, resp } => {
                let tag = if self.event.kind() == EventKind::RegRead { "reg-r" } else { "reg-w" };
                let _ = write!(out, "{tag:<6} 0x{addr:04x}");
                if let Some(name) = names(*addr) {
                    let _ = write!(out, " {name}");
                }
                let _ = write!(out, " = 0x{value:08x}");
                push_resp(out, *resp);
            }
            Event::DmaRead { id, addr, len, resp, .. } => {
                let _ = write!(out, "dma-rd id={id} 0x{addr:x}+{len}");
                push_resp(out, *resp);
            }
            Event::DmaWrite { id, addr, len, resp, head } => {
                let _ = write!(out, "dma-wr id={id} 0x{addr:x}+{len}");
                push_resp(out, *resp);
                if !head.as_slice().is_empty() {
                    out.push_str(" data=");
                    let shown = &head.as_slice()[..head.as_slice().len().min(DataHead::SHOWN)];
                    for b in shown {
                        let _ = write!(out, "{b:02x}");
                    }
                    if *len > shown.len() as u64 {
                        out.push_str("...");
                    }
                }
            }
            Event::Irq { level } => {
                let _ = write!(out, "{:<6} {}", "irq", if *level { "rise" } else { "fall" });
            }
            Event::Note(text) => {
                let _ = write!(out, "{:<6} ", "note");
                push_one_line(out, text);
            }
            Event::Custom { kind, text } => {
                let _ = write!(out, "{kind:<6} ");
                push_one_line(out, text);
            }
        }
        out.push('\n');
    }
}

fn push_resp(out: &mut String, code: u8) {
    if code != resp::OKAY {
        out.push(' ');
        out.push_str(resp::name(code));
    }
}

// one event per line, whatever the text holds
fn push_one_line(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Renders records, one line each, in the order given.
pub fn render<'a>(records: impl IntoIterator<Item = &'a Record>, names: RegNames<'_>) -> String {
    let mut out = String::new();
    for r in records {
        r.write_line(&mut out, names);
    }
    out
}

/// What a full trace does with a new event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Forget the oldest event: keeps the run's end, where failures usually are.
    #[default]
    DropOldest,
    /// Ignore the new event: keeps the run's start.
    StopRecording,
}

/// A capped, cycle-stamped event log.
#[derive(Debug, Clone)]
pub struct Trace {
    records: VecDeque<Record>,
    cap: usize,
    overflow: Overflow,
    enabled: bool,
    dropped: u64,
}

impl Default for Trace {
    fn default() -> Self {
        Self::new()
    }
}

impl Trace {
    /// Events kept by [`Trace::new`]: 48 MiB at most, plus the text of notes.
    pub const DEFAULT_CAP: usize = 1 << 20;

    /// A recording trace keeping the newest [`Trace::DEFAULT_CAP`] events.
    pub fn new() -> Self {
        Self::with_cap(Self::DEFAULT_CAP, Overflow::DropOldest)
    }

    /// A recording trace keeping at most `cap` events.
    pub fn with_cap(cap: usize, overflow: Overflow) -> Self {
        Trace { records: VecDeque::new(), cap, overflow, enabled: true, dropped: 0 }
    }

    /// A trace that records nothing until enabled: hand it to models when no
    /// trace is wanted.
    pub fn disabled() -> Self {
        Trace { enabled: false, ..Self::new() }
    }

    /// Starts or stops recording (events pushed while stopped are not counted as dropped).
    pub fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
    }

    /// Whether events are being recorded; check it before formatting an
    /// expensive [`Event::Note`].
    #[inline]
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Records `event` as happening on `cycle`.
    #[inline]
    pub fn push(&mut self, cycle: u64, event: Event) {
        if !self.enabled {
            return;
        }
        if self.records.len() >= self.cap {
            self.dropped += 1;
            match self.overflow {
                Overflow::StopRecording => return,
                Overflow::DropOldest => {
                    if self.records.pop_front().is_none() {
                        return; // cap 0
                    }
                }
            }
        }
        self.records.push_back(Record { cycle, event });
    }

    /// Records an interrupt line change.
    pub fn irq(&mut self, cycle: u64, level: bool) {
        self.push(cycle, Event::Irq { level });
    }

    /// Records free text.
    pub fn note(&mut self, cycle: u64, text: impl Into<String>) {
        if self.enabled {
            self.push(cycle, Event::Note(text.into()));
        }
    }

    /// Records a decoded higher-level event under the tag `kind`.
    pub fn custom(&mut self, cycle: u64, kind: &'static str, text: impl Into<String>) {
        if self.enabled {
            self.push(cycle, Event::Custom { kind, text: text.into() });
        }
    }

    /// Events held.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// No event held.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Events lost to the cap since creation or the last [`Trace::clear`].
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Forgets every event and the dropped count.
    pub fn clear(&mut self) {
        self.records.clear();
        self.dropped = 0;
    }

    /// Takes every event held out of the trace, oldest first, leaving it
    /// empty but still recording (the dropped count stays): a long run
    /// drains its trace chunk by chunk so that memory stays flat.
    pub fn take_records(&mut self) -> Vec<Record> {
        self.records.drain(..).collect()
    }

    /// Events in the order they were recorded.
    pub fn iter(&self) -> impl Iterator<Item = &Record> + '_ {
        self.records.iter()
    }

    /// Events of one kind.
    pub fn of_kind(&self, kind: EventKind) -> impl Iterator<Item = &Record> + '_ {
        self.records.iter().filter(move |r| r.event.kind() == kind)
    }

    /// Events whose cycle lies in `cycles`.
    pub fn window<'a, R: RangeBounds<u64> + 'a>(&'a self, cycles: R) -> impl Iterator<Item = &'a Record> + 'a {
        self.records.iter().filter(move |r| cycles.contains(&r.cycle))
    }

    /// Every event, one line each. A first line says how many events the
    /// cap cost, if any.
    pub fn render(&self, names: RegNames<'_>) -> String {
        let mut out = String::new();
        if self.dropped > 0 {
            let which = match self.overflow {
                Overflow::DropOldest => "oldest",
                Overflow::StopRecording => "newest",
            };
            let _ = writeln!(out, "# {} {which} events dropped (trace cap {})", self.dropped, self.cap);
        }
        for r in &self.records {
            r.write_line(&mut out, names);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(addr: u32) -> Option<&'static str> {
        match addr {
            0x2818 => Some("RDT"),
            _ => None,
        }
    }

    fn sample() -> Trace {
        let mut t = Trace::new();
        t.push(1234, Event::RegWrite { addr: 0x2818, value: 15, resp: resp::OKAY });
        t.push(1250, Event::RegRead { addr: 0x0008, value: 0x8008_0000, resp: resp::SLVERR });
        t.push(
            1300,
            Event::DmaRead { id: 0, addr: 0x1_0000_0000, len: 64, resp: resp::OKAY, head: DataHead::default() },
        );
        t.push(
            1372,
            Event::DmaWrite {
                id: 1,
                addr: 0x1_0000_2000,
                len: 16,
                resp: resp::OKAY,
                head: DataHead::new(&[0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]),
            },
        );
        t.push(1380, Event::DmaWrite { id: 2, addr: 0x40, len: 4, resp: resp::DECERR, head: DataHead::default() });
        t.irq(1400, true);
        t.note(1401, "two\nlines");
        t.custom(12_345_678, "rx-desc", "idx=3 len=60");
        t
    }

    #[test]
    fn renders_one_stable_line_per_event() {
        let expected = concat!(
            "   1234 reg-w  0x2818 RDT = 0x0000000f\n",
            "   1250 reg-r  0x0008 = 0x80080000 SLVERR\n",
            "   1300 dma-rd id=0 0x100000000+64\n",
            "   1372 dma-wr id=1 0x100002000+16 data=0011223344556677...\n",
            "   1380 dma-wr id=2 0x40+4 DECERR\n",
            "   1400 irq    rise\n",
            "   1401 note   two\\nlines\n",
            "12345678 rx-desc idx=3 len=60\n",
        );
        assert_eq!(sample().render(&names), expected);
        assert_eq!(sample().render(&names), sample().render(&names));
        assert_eq!(render(sample().iter(), &no_names).lines().next(), Some("   1234 reg-w  0x2818 = 0x0000000f"));
    }

    #[test]
    fn filters_by_kind_and_window() {
        let t = sample();
        assert_eq!(t.of_kind(EventKind::DmaWrite).count(), 2);
        assert_eq!(t.window(1300..1400).count(), 3);
        assert_eq!(t.window(1400..).count(), 3);
        let text = render(t.window(..=1250), &names);
        assert_eq!(text.lines().count(), 2);
    }

    #[test]
    fn cap_drops_oldest_and_counts() {
        let mut t = Trace::with_cap(3, Overflow::DropOldest);
        for c in 0..5 {
            t.irq(c, c % 2 == 0);
        }
        assert_eq!(t.len(), 3);
        assert_eq!(t.dropped(), 2);
        assert_eq!(t.iter().map(|r| r.cycle).collect::<Vec<_>>(), [2, 3, 4]);
        assert!(t.render(&no_names).starts_with("# 2 oldest events dropped (trace cap 3)\n"));
        t.clear();
        assert!(t.is_empty());
        assert_eq!(t.dropped(), 0);
    }

    #[test]
    fn cap_can_stop_recording_instead() {
        let mut t = Trace::with_cap(2, Overflow::StopRecording);
        for c in 0..5 {
            t.irq(c, true);
        }
        assert_eq!(t.iter().map(|r| r.cycle).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(t.dropped(), 3);
        let mut zero = Trace::with_cap(0, Overflow::DropOldest);
        zero.irq(0, true);
        assert_eq!((zero.len(), zero.dropped()), (0, 1));
    }

    #[test]
    fn disabled_trace_records_nothing() {
        let mut t = Trace::disabled();
        t.note(1, "x");
        t.irq(2, true);
        assert!(t.is_empty());
        assert_eq!(t.dropped(), 0);
        t.set_enabled(true);
        t.irq(3, false);
        assert_eq!(t.render(&no_names), "      3 irq    fall\n");
    }
}
