//! One 64-bit XGMII transfer and the control characters it can carry.

use core::fmt;

/// Number of byte lanes in a 64-bit XGMII word.
pub const LANES: usize = 8;

/// Idle control character (`/I/`), sent between frames.
pub const IDLE: u8 = 0x07;
/// Start control character (`/S/`); replaces the first preamble byte and
/// may only appear in lane 0 or lane 4.
pub const START: u8 = 0xFB;
/// Terminate control character (`/T/`); follows the last FCS byte, any lane.
pub const TERMINATE: u8 = 0xFD;
/// Error control character (`/E/`); marks a corrupted byte.
pub const ERROR: u8 = 0xFE;

/// Preamble data byte; six of them follow the Start character.
pub const PREAMBLE: u8 = 0x55;
/// Start-of-frame delimiter, the last byte before the frame proper.
pub const SFD: u8 = 0xD5;
/// Bytes from the Start character to the SFD inclusive.
pub const PREAMBLE_LEN: usize = 8;
/// Bytes of frame check sequence at the end of every frame.
pub const FCS_LEN: usize = 4;
/// Preamble plus the 12-byte minimum gap: the per-frame overhead at line rate.
pub const FRAME_OVERHEAD: usize = PREAMBLE_LEN + 12;

/// Every lane holding `IDLE`, used to fill whole runs of idle lanes at once.
const IDLE_DATA: u64 = 0x0707_0707_0707_0707;

/// One XGMII transfer: eight byte lanes plus one control flag per lane.
///
/// Lane 0 is `data` bits 7:0 and is the first byte on the wire; bit `i` of
/// `ctrl` set means lane `i` holds a control character rather than data.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct XgmiiWord {
    /// Lane bytes, lane 0 in the least significant byte.
    pub data: u64,
    /// Control flags, bit `i` for lane `i`.
    pub ctrl: u8,
}

impl XgmiiWord {
    /// A word of eight Idle characters: what an idle link carries.
    pub const IDLE: Self = Self { data: IDLE_DATA, ctrl: 0xFF };

    /// Builds a word from its raw fields.
    pub const fn new(data: u64, ctrl: u8) -> Self {
        Self { data, ctrl }
    }

    /// Builds a word from lane bytes in wire order and the control flags.
    pub const fn from_lanes(lanes: [u8; LANES], ctrl: u8) -> Self {
        Self { data: u64::from_le_bytes(lanes), ctrl }
    }

    /// The lane bytes in wire order (lane 0 first).
    pub const fn lanes(&self) -> [u8; LANES] {
        self.data.to_le_bytes()
    }

    /// The byte in `lane`.
    ///
    /// # Panics
    /// If `lane >= 8`.
    pub const fn lane(&self, lane: usize) -> u8 {
        assert!(lane < LANES, "XGMII lane out of range");
        (self.data >> (8 * lane)) as u8
    }

    /// Whether `lane` holds a control character.
    ///
    /// # Panics
    /// If `lane >= 8`.
    pub const fn is_ctrl(&self, lane: usize) -> bool {
        assert!(lane < LANES, "XGMII lane out of range");
        self.ctrl & (1 << lane) != 0
    }

    /// Whether `lane` holds the control character `code`.
    ///
    /// # Panics
    /// If `lane >= 8`.
    pub const fn is_ctrl_char(&self, lane: usize, code: u8) -> bool {
        self.is_ctrl(lane) && self.lane(lane) == code
    }
}

impl fmt::Display for XgmiiWord {
    /// Wire order, data as hex and control characters by their letter
    /// (`I S T E`), unknown control codes as `C` plus hex; e.g.
    /// `S 55 55 55 55 55 55 D5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for lane in 0..LANES {
            if lane > 0 {
                f.write_str(" ")?;
            }
            let byte = self.lane(lane);
            if !self.is_ctrl(lane) {
                write!(f, "{byte:02X}")?;
                continue;
            }
            match byte {
                IDLE => f.write_str("I")?,
                START => f.write_str("S")?,
                TERMINATE => f.write_str("T")?,
                ERROR => f.write_str("E")?,
                other => write!(f, "C{other:02X}")?,
            }
        }
        Ok(())
    }
}

/// Accumulates lanes into a word, low lane first.
///
/// The encoder fills a word in runs (a chunk of frame bytes, a run of idles,
/// a single control character); this keeps the shift arithmetic in one place.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct WordBuilder {
    data: u64,
    ctrl: u8,
    lane: usize,
}

impl WordBuilder {
    /// Index of the next lane to fill; `LANES` once the word is full.
    pub(super) const fn lane(&self) -> usize {
        self.lane
    }

    /// Lanes still free in this word.
    pub(super) const fn room(&self) -> usize {
        LANES - self.lane
    }

    /// Appends `bytes` as data lanes, except those whose bit is set in
    /// `ctrl` (bit 0 = `bytes[0]`), which become control lanes.
    pub(super) fn put_bytes(&mut self, bytes: &[u8], ctrl: u8) {
        let n = bytes.len();
        debug_assert!(n <= self.room());
        if n == 0 {
            return;
        }
        let mut buf = [0u8; LANES];
        buf[..n].copy_from_slice(bytes);
        self.data |= u64::from_le_bytes(buf) << (8 * self.lane);
        self.ctrl |= ctrl << self.lane;
        self.lane += n;
    }

    /// Appends one control character.
    pub(super) fn put_ctrl(&mut self, code: u8) {
        debug_assert!(self.room() > 0);
        self.data |= u64::from(code) << (8 * self.lane);
        self.ctrl |= 1 << self.lane;
        self.lane += 1;
    }

    /// Appends `n` Idle characters.
    pub(super) fn put_idles(&mut self, n: usize) {
        debug_assert!(n <= self.room());
        if n == 0 {
            return;
        }
        let data_mask = if n == LANES { u64::MAX } else { (1u64 << (8 * n)) - 1 };
        let ctrl_mask = ((1u16 << n) - 1) as u8;
        self.data |= (IDLE_DATA & data_mask) << (8 * self.lane);
        self.ctrl |= ctrl_mask << self.lane;
        self.lane += n;
    }

    /// The finished word.
    pub(super) const fn finish(self) -> XgmiiWord {
        XgmiiWord { data: self.data, ctrl: self.ctrl }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_zero_is_low_byte() {
        let w = XgmiiWord::from_lanes([START, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, SFD], 0x01);
        assert_eq!(w.data & 0xFF, u64::from(START));
        assert_eq!(w.lane(0), START);
        assert_eq!(w.lane(7), SFD);
        assert!(w.is_ctrl(0));
        assert!(!w.is_ctrl(1));
        assert!(w.is_ctrl_char(0, START));
        assert!(!w.is_ctrl_char(7, SFD));
        assert_eq!(w.lanes()[7], SFD);
    }

    #[test]
    fn idle_word_is_all_idle_controls() {
        for lane in 0..LANES {
            assert!(XgmiiWord::IDLE.is_ctrl_char(lane, IDLE));
        }
    }

    #[test]
    fn display_names_control_characters() {
        let w = XgmiiWord::from_lanes([0xAB, TERMINATE, IDLE, ERROR, 0x9C, IDLE, IDLE, IDLE], 0xFE);
        assert_eq!(w.to_string(), "AB T I E C9C I I I");
    }

    #[test]
    fn builder_places_runs_in_order() {
        let mut b = WordBuilder::default();
        b.put_bytes(&[0x11, 0x22, 0x33], 0b001);
        b.put_ctrl(TERMINATE);
        b.put_idles(4);
        assert_eq!(b.room(), 0);
        let w = b.finish();
        assert_eq!(w.lanes(), [0x11, 0x22, 0x33, TERMINATE, IDLE, IDLE, IDLE, IDLE]);
        assert_eq!(w.ctrl, 0b1111_1001);
    }

    #[test]
    fn builder_full_idle_run_equals_idle_word() {
        let mut b = WordBuilder::default();
        b.put_idles(LANES);
        assert_eq!(b.finish(), XgmiiWord::IDLE);
    }
}
