//! The event trace as a reviewer reads it: register names, and DMA decoded
//! into descriptor fetches, write-backs (with their fields) and packet data.
//!
//! The NIC's AXI IDs say who moved the data (see `rtl/verinic_nic.v`): reads
//! 0 = RX descriptor fetch, 1 = TX descriptor fetch, 2 = TX packet data;
//! writes 0 = RX packet data, 1 = RX descriptor write-back, 2 = TX descriptor
//! write-back. Ring indices come from the ring bases the driver wrote.
//!
//! [`render`], [`render_from`] and [`render_records`] turn a whole trace into
//! text; [`Decoder`] does the same one record at a time, into [`Entry`]s that
//! carry the line and its decoded fields (what `verinic trace` streams).
//! This module is also reachable as `verinic::trace_view`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use verinic_driver::desc::{rx_errors, rx_status, tx_cmd, tx_status, RxDesc, TxDesc, DESC_LEN};
use verinic_driver::regs;
use verinic_sim::trace::{Event, Record, Trace};

use crate::cosim::cycle_ns;

/// Renders `trace`, one event per line.
pub fn render(trace: &Trace) -> String {
    render_records(trace.iter(), 0)
}

/// Renders the events from cycle `from` on (earlier ones are still read for
/// the ring bases the driver programmed).
pub fn render_from(trace: &Trace, from: u64) -> String {
    render_records(trace.iter(), from)
}

/// Renders a sequence of records, one event per line, from cycle `from` on.
pub fn render_records<'a>(records: impl IntoIterator<Item = &'a Record>, from: u64) -> String {
    let mut decoder = Decoder::default();
    let mut out = String::new();
    for r in records {
        decoder.decode(r, |e| {
            if e.cycle >= from {
                out.push_str(&e.line);
                out.push('\n');
            }
        });
    }
    out
}

/// What an event is about, for `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// RX descriptor fetches, RX write-backs and RX packet data.
    Rx,
    /// TX descriptor fetches, TX packet data and TX write-backs.
    Tx,
    /// Interrupt line edges.
    Irq,
    /// Register reads and writes.
    Reg,
    /// Anything else (notes, events the decoder does not know).
    Other,
}

/// The descriptor ring an event belongs to, for `--ring`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Ring {
    /// The receive ring.
    Rx,
    /// The transmit ring.
    Tx,
}

/// One decoded trace line (one line of a rendered trace, one line of
/// `verinic trace --format jsonl`). Field meanings: docs/snapshots.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Device clock cycle (156.25 MHz, counted from the NIC's reset).
    pub cycle: u64,
    /// Device time at the start of that cycle, in ns.
    pub ns: u64,
    /// The kind column: `reg-r`, `reg-w`, `rx-fetch`, `rx-wb`, `rx-data`,
    /// `tx-fetch`, `tx-data`, `tx-wb`, `irq`, or another tag for events the
    /// decoder does not know (`note`, `dma-rd`, `dma-wr`...).
    pub kind: String,
    /// What the event is about.
    pub class: Class,
    /// The ring it belongs to: descriptor and packet DMA of a ring, and
    /// accesses to that ring's registers (RD*/TD*); `None` for the rest.
    pub ring: Option<Ring>,
    /// DMA of descriptors or packet data (fetches, write-backs, data).
    pub dma: bool,
    /// The decoded fields (by kind: `reg`, `addr`, `value`; `first`, `count`;
    /// `index`, `len`, `sta`, `err`, `csum`, `cmd`; `level`).
    pub fields: Map<String, Value>,
    /// The text line, exactly as the text format prints it (no newline).
    pub line: String,
}

/// Decodes records one at a time, remembering the ring bases the driver
/// programmed (so it must see the probe's register writes first).
#[derive(Debug, Default, Clone)]
pub struct Decoder {
    rings: Rings,
}

impl Decoder {
    /// Decodes `r` into one entry or more (a write-back burst holds several
    /// descriptors), handing each to `emit` in order.
    pub fn decode(&mut self, r: &Record, mut emit: impl FnMut(Entry)) {
        let rings = &mut self.rings;
        rings.observe(&r.event);
        let mk = |kind: &str, class: Class, ring: Option<Ring>, dma: bool, fields: Value, text: &str| {
            let fields = match fields {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            Entry {
                cycle: r.cycle,
                ns: cycle_ns(r.cycle),
                kind: kind.into(),
                class,
                ring,
                dma,
                fields,
                line: format!("{:>7} {kind:<8} {text}", r.cycle),
            }
        };
        match &r.event {
            Event::DmaRead { id, addr, len, .. } => {
                let (kind, class, ring) = match id {
                    0 => ("rx-fetch", Class::Rx, Some(Ring::Rx)),
                    1 => ("tx-fetch", Class::Tx, Some(Ring::Tx)),
                    2 => ("tx-data", Class::Tx, Some(Ring::Tx)),
                    _ => ("dma-rd", Class::Other, None),
                };
                let (text, fields) = match id {
                    0 | 1 => {
                        let base = if *id == 0 { rings.rx } else { rings.tx };
                        let (first, count) = rings.span(base, *addr, *len);
                        let span =
                            if count <= 1 { first.to_string() } else { format!("{first}..{}", first + count - 1) };
                        (format!("ring[{span}]"), json!({ "first": first, "count": count }))
                    }
                    _ => (format!("0x{addr:x}+{len}"), json!({ "addr": addr, "len": len })),
                };
                emit(mk(kind, class, ring, true, fields, &text));
            }
            Event::DmaWrite { id: 1, addr, head, .. } => {
                for (i, chunk) in head.as_slice().chunks_exact(DESC_LEN).enumerate() {
                    let d = RxDesc::from_bytes(chunk.try_into().unwrap());
                    let index = rings.index(rings.rx, addr + (i * DESC_LEN) as u64);
                    let sta = flags(
                        d.status,
                        &[
                            (rx_status::DD, "DD"),
                            (rx_status::EOP, "EOP"),
                            (rx_status::IXSM, "IXSM"),
                            (rx_status::VP, "VP"),
                            (rx_status::UDPCS, "UDPCS"),
                            (rx_status::TCPCS, "TCPCS"),
                            (rx_status::IPCS, "IPCS"),
                        ],
                    );
                    let err = flags(
                        d.errors,
                        &[
                            (rx_errors::CE, "CE"),
                            (rx_errors::TCPE, "TCPE"),
                            (rx_errors::IPE, "IPE"),
                            (rx_errors::RXE, "RXE"),
                        ],
                    );
                    let text = format!("ring[{index}] len={} sta={sta} err={err} csum={:04x}", d.length, d.checksum);
                    let fields = json!({ "index": index, "len": d.length, "sta": sta, "err": err, "csum": d.checksum });
                    emit(mk("rx-wb", Class::Rx, Some(Ring::Rx), true, fields, &text));
                }
            }
            Event::DmaWrite { id: 2, addr, head, .. } => {
                for (i, chunk) in head.as_slice().chunks_exact(DESC_LEN).enumerate() {
                    let d = TxDesc::from_bytes(chunk.try_into().unwrap());
                    let index = rings.index(rings.tx, addr + (i * DESC_LEN) as u64);
                    let cmd = flags(
                        d.cmd,
                        &[(tx_cmd::EOP, "EOP"), (tx_cmd::IFCS, "IFCS"), (tx_cmd::RS, "RS"), (tx_cmd::IDE, "IDE")],
                    );
                    let sta = flags(d.status, &[(tx_status::DD, "DD")]);
                    let text = format!("ring[{index}] len={} cmd={cmd} sta={sta}", d.length);
                    let fields = json!({ "index": index, "len": d.length, "cmd": cmd, "sta": sta });
                    emit(mk("tx-wb", Class::Tx, Some(Ring::Tx), true, fields, &text));
                }
            }
            Event::DmaWrite { id: 0, addr, len, .. } => {
                let fields = json!({ "addr": addr, "len": len });
                emit(mk("rx-data", Class::Rx, Some(Ring::Rx), true, fields, &format!("0x{addr:x}+{len}")));
            }
            Event::RegRead { addr, value, .. } | Event::RegWrite { addr, value, .. } => {
                let kind = if matches!(r.event, Event::RegRead { .. }) { "reg-r" } else { "reg-w" };
                let name = regs::name(*addr);
                let text = match name {
                    Some(name) => format!("{name} = 0x{value:08x}"),
                    None => format!("0x{addr:04x} = 0x{value:08x}"),
                };
                let fields = json!({ "reg": name, "addr": addr, "value": value });
                emit(mk(kind, Class::Reg, reg_ring(name), false, fields, &text));
            }
            Event::Irq { level } => {
                let fields = json!({ "level": level });
                emit(mk("irq", Class::Irq, None, false, fields, if *level { "rise" } else { "fall" }));
            }
            _ => {
                let mut line = String::new();
                r.write_line(&mut line, &regs::name);
                line.pop();
                let kind = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let dma = matches!(r.event, Event::DmaWrite { .. });
                emit(Entry {
                    cycle: r.cycle,
                    ns: cycle_ns(r.cycle),
                    kind,
                    class: Class::Other,
                    ring: None,
                    dma,
                    fields: Map::new(),
                    line,
                });
            }
        }
    }
}

/// The ring a register belongs to: the ring registers and the delay timers
/// (RD*, RADV receive; TD*, TIDV, TADV transmit).
fn reg_ring(name: Option<&str>) -> Option<Ring> {
    match name {
        Some(n) if n.starts_with("RD") || n == "RADV" => Some(Ring::Rx),
        Some(n) if n.starts_with("TD") || n == "TIDV" || n == "TADV" => Some(Ring::Tx),
        _ => None,
    }
}

fn flags(value: u8, names: &[(u8, &str)]) -> String {
    let set: Vec<&str> = names.iter().filter(|(bit, _)| value & bit != 0).map(|(_, n)| *n).collect();
    if set.is_empty() {
        "-".into()
    } else {
        set.join("|")
    }
}

/// Ring base addresses, as the driver wrote them.
#[derive(Debug, Default, Clone)]
struct Rings {
    rx: u64,
    tx: u64,
}

impl Rings {
    fn observe(&mut self, e: &Event) {
        if let Event::RegWrite { addr, value, .. } = e {
            let v = u64::from(*value);
            match *addr {
                regs::RDBAL => self.rx = (self.rx & !0xFFFF_FFFF) | v,
                regs::RDBAH => self.rx = (self.rx & 0xFFFF_FFFF) | (v << 32),
                regs::TDBAL => self.tx = (self.tx & !0xFFFF_FFFF) | v,
                regs::TDBAH => self.tx = (self.tx & 0xFFFF_FFFF) | (v << 32),
                _ => {}
            }
        }
    }

    fn index(&self, base: u64, addr: u64) -> u64 {
        addr.wrapping_sub(base) / DESC_LEN as u64
    }

    fn span(&self, base: u64, addr: u64, len: u64) -> (u64, u64) {
        (self.index(base, addr), len / DESC_LEN as u64)
    }
}
