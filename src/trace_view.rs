//! The event trace as a reviewer reads it: register names, and DMA decoded
//! into descriptor fetches, write-backs (with their fields) and packet data.
//!
//! The NIC's AXI IDs say who moved the data (see `rtl/verinic_nic.v`): reads
//! 0 = RX descriptor fetch, 1 = TX descriptor fetch, 2 = TX packet data;
//! writes 0 = RX packet data, 1 = RX descriptor write-back, 2 = TX descriptor
//! write-back. Ring indices come from the ring bases the driver wrote.

use std::fmt::Write as _;

use verinic_driver::desc::{rx_errors, rx_status, tx_cmd, tx_status, RxDesc, TxDesc, DESC_LEN};
use verinic_driver::regs;
use verinic_sim::trace::{Event, Record, Trace};

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
    let mut rings = Rings::default();
    let mut out = String::new();
    for r in records {
        rings.observe(&r.event);
        if r.cycle < from {
            continue;
        }
        match &r.event {
            Event::DmaRead { id, addr, len, .. } => {
                let text = match id {
                    0 => format!("ring[{}]", rings.span(rings.rx, *addr, *len)),
                    1 => format!("ring[{}]", rings.span(rings.tx, *addr, *len)),
                    _ => format!("0x{addr:x}+{len}"),
                };
                line(
                    &mut out,
                    r.cycle,
                    ["rx-fetch", "tx-fetch", "tx-data"].get(*id as usize).unwrap_or(&"dma-rd"),
                    &text,
                );
            }
            Event::DmaWrite { id: 1, addr, head, .. } => {
                for (i, chunk) in head.as_slice().chunks_exact(DESC_LEN).enumerate() {
                    let d = RxDesc::from_bytes(chunk.try_into().unwrap());
                    let index = rings.index(rings.rx, addr + (i * DESC_LEN) as u64);
                    let text = format!(
                        "ring[{index}] len={} sta={} err={} csum={:04x}",
                        d.length,
                        flags(
                            d.status,
                            &[
                                (rx_status::DD, "DD"),
                                (rx_status::EOP, "EOP"),
                                (rx_status::IXSM, "IXSM"),
                                (rx_status::VP, "VP"),
                                (rx_status::UDPCS, "UDPCS"),
                                (rx_status::TCPCS, "TCPCS"),
                                (rx_status::IPCS, "IPCS"),
                            ]
                        ),
                        flags(
                            d.errors,
                            &[
                                (rx_errors::CE, "CE"),
                                (rx_errors::TCPE, "TCPE"),
                                (rx_errors::IPE, "IPE"),
                                (rx_errors::RXE, "RXE"),
                            ]
                        ),
                        d.checksum
                    );
                    line(&mut out, r.cycle, "rx-wb", &text);
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
                    line(&mut out, r.cycle, "tx-wb", &format!("ring[{index}] len={} cmd={cmd} sta={sta}", d.length));
                }
            }
            Event::DmaWrite { id: 0, addr, len, .. } => {
                line(&mut out, r.cycle, "rx-data", &format!("0x{addr:x}+{len}"))
            }
            Event::RegRead { addr, value, .. } => line(&mut out, r.cycle, "reg-r", &reg_text(*addr, *value)),
            Event::RegWrite { addr, value, .. } => line(&mut out, r.cycle, "reg-w", &reg_text(*addr, *value)),
            Event::Irq { level } => line(&mut out, r.cycle, "irq", if *level { "rise" } else { "fall" }),
            _ => r.write_line(&mut out, &regs::name),
        }
    }
    out
}

fn line(out: &mut String, cycle: u64, kind: &str, text: &str) {
    let _ = writeln!(out, "{cycle:>7} {kind:<8} {text}");
}

fn reg_text(addr: u32, value: u32) -> String {
    match regs::name(addr) {
        Some(name) => format!("{name} = 0x{value:08x}"),
        None => format!("0x{addr:04x} = 0x{value:08x}"),
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
#[derive(Default)]
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

    fn span(&self, base: u64, addr: u64, len: u64) -> String {
        let first = self.index(base, addr);
        let n = len / DESC_LEN as u64;
        if n <= 1 {
            first.to_string()
        } else {
            format!("{first}..{}", first + n - 1)
        }
    }
}
