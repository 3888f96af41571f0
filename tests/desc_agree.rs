//! Every descriptor field is named once in RTL (`rtl/verinic_desc.vh`) and once
//! in Rust (`host-driver/src/desc.rs`); this test reads the header and demands
//! that each of its fields sits exactly where the Rust encoding puts it, and
//! that neither side has a field the other lacks.

use std::collections::BTreeMap;

use verinic_driver::desc::{self, ctx, data, rx_errors, rx_status, tx_cmd, tx_status, RxDesc, TxDesc, DESC_LEN};

/// `define NAME MSB:LSB` or `define NAME BIT` lines of the header, as (msb, lsb).
fn rtl_fields() -> BTreeMap<String, (usize, usize)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rtl/verinic_desc.vh")).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("`define ") else { continue };
        let code = rest.split("//").next().unwrap();
        let mut it = code.split_whitespace();
        let (Some(name), Some(value)) = (it.next(), it.next()) else { continue };
        if name == "DESC_W" {
            assert_eq!(value, (DESC_LEN * 8).to_string(), "DESC_W");
            continue;
        }
        let range = match value.split_once(':') {
            Some((m, l)) => (m.parse().unwrap(), l.parse().unwrap()),
            None => {
                let b: usize = value.parse().unwrap_or_else(|_| panic!("`{name}`: `{value}` is not a bit number"));
                (b, b)
            }
        };
        assert!(out.insert(name.to_string(), range).is_none(), "`{name}` defined twice");
    }
    out
}

/// The (msb, lsb) of the set bits of a 16-byte image; they must be contiguous.
fn span(b: &[u8; DESC_LEN]) -> (usize, usize) {
    let v = u128::from_le_bytes(*b);
    assert_ne!(v, 0);
    let lsb = v.trailing_zeros() as usize;
    let msb = 127 - v.leading_zeros() as usize;
    assert_eq!(v.count_ones() as usize, msb - lsb + 1, "field not contiguous");
    (msb, lsb)
}

/// A field of `bytes` bytes at byte offset `at`, under a mask of its first byte.
fn bytes_at(at: usize, len: usize, mask: u8) -> (usize, usize) {
    let mut b = [0u8; DESC_LEN];
    b[at..at + len].fill(0xFF);
    b[at] &= mask;
    span(&b)
}

fn bit(byte: usize, mask: u8) -> (usize, usize) {
    assert_eq!(mask.count_ones(), 1);
    let b = byte * 8 + mask.trailing_zeros() as usize;
    (b, b)
}

fn rust_fields() -> BTreeMap<String, (usize, usize)> {
    let rx = |d: RxDesc| span(&d.to_bytes());
    let tx = |d: TxDesc| span(&d.to_bytes());
    let r = RxDesc::default();
    let t = TxDesc::default();
    let mut m = BTreeMap::new();
    let mut put = |name: &str, range: (usize, usize)| {
        m.insert(name.to_string(), range);
    };
    // Legacy RX
    put("RXD_ADDR", rx(RxDesc { addr: u64::MAX, ..r }));
    put("RXD_LENGTH", rx(RxDesc { length: u16::MAX, ..r }));
    put("RXD_CSUM", rx(RxDesc { checksum: u16::MAX, ..r }));
    put("RXD_STATUS", rx(RxDesc { status: u8::MAX, ..r }));
    put("RXD_ERRORS", rx(RxDesc { errors: u8::MAX, ..r }));
    put("RXD_SPECIAL", rx(RxDesc { special: u16::MAX, ..r }));
    let rs = |s: u8| rx(RxDesc { status: s, ..r });
    put("RXD_STA_DD", rs(rx_status::DD));
    put("RXD_STA_EOP", rs(rx_status::EOP));
    put("RXD_STA_IXSM", rs(rx_status::IXSM));
    put("RXD_STA_VP", rs(rx_status::VP));
    put("RXD_STA_UDPCS", rs(rx_status::UDPCS));
    put("RXD_STA_TCPCS", rs(rx_status::TCPCS));
    put("RXD_STA_IPCS", rs(rx_status::IPCS));
    let re = |e: u8| rx(RxDesc { errors: e, ..r });
    put("RXD_ERR_CE", re(rx_errors::CE));
    put("RXD_ERR_SE", re(rx_errors::SE));
    put("RXD_ERR_CXE", re(rx_errors::CXE));
    put("RXD_ERR_TCPE", re(rx_errors::TCPE));
    put("RXD_ERR_IPE", re(rx_errors::IPE));
    put("RXD_ERR_RXE", re(rx_errors::RXE));
    // Legacy TX
    put("TXD_ADDR", tx(TxDesc { addr: u64::MAX, ..t }));
    put("TXD_LENGTH", tx(TxDesc { length: u16::MAX, ..t }));
    put("TXD_CSO", tx(TxDesc { cso: u8::MAX, ..t }));
    put("TXD_CMD", tx(TxDesc { cmd: u8::MAX, ..t }));
    put("TXD_STATUS", tx(TxDesc { status: u8::MAX, ..t }));
    put("TXD_CSS", tx(TxDesc { css: u8::MAX, ..t }));
    put("TXD_SPECIAL", tx(TxDesc { special: u16::MAX, ..t }));
    let tc = |c: u8| tx(TxDesc { cmd: c, ..t });
    put("TXD_CMD_EOP", tc(tx_cmd::EOP));
    put("TXD_CMD_IFCS", tc(tx_cmd::IFCS));
    put("TXD_CMD_IC", tc(tx_cmd::IC));
    put("TXD_CMD_RS", tc(tx_cmd::RS));
    put("TXD_CMD_DEXT", tc(tx_cmd::DEXT));
    put("TXD_CMD_VLE", tc(tx_cmd::VLE));
    put("TXD_CMD_IDE", tc(tx_cmd::IDE));
    put("TXD_STA_DD", tx(TxDesc { status: tx_status::DD, ..t }));
    // Context
    put("CTXD_IPCSS", bytes_at(ctx::IPCSS, 1, 0xFF));
    put("CTXD_IPCSO", bytes_at(ctx::IPCSO, 1, 0xFF));
    put("CTXD_IPCSE", bytes_at(ctx::IPCSE, 2, 0xFF));
    put("CTXD_TUCSS", bytes_at(ctx::TUCSS, 1, 0xFF));
    put("CTXD_TUCSO", bytes_at(ctx::TUCSO, 1, 0xFF));
    put("CTXD_TUCSE", bytes_at(ctx::TUCSE, 2, 0xFF));
    put("CTXD_DTYP", bytes_at(ctx::DTYP_BYTE, 1, ctx::DTYP_MASK));
    put("CTXD_TUCMD", bytes_at(ctx::TUCMD, 1, 0xFF));
    put("CTXD_TUCMD_TCP", bit(ctx::TUCMD, ctx::TUCMD_TCP));
    put("CTXD_TUCMD_IP", bit(ctx::TUCMD, ctx::TUCMD_IP));
    put("CTXD_TUCMD_DEXT", bit(ctx::TUCMD, ctx::TUCMD_DEXT));
    // Extended data: address and length as in a legacy TX descriptor
    put("DATD_ADDR", tx(TxDesc { addr: u64::MAX, ..t }));
    put("DATD_LENGTH", tx(TxDesc { length: u16::MAX, ..t }));
    put("DATD_DTYP", bytes_at(data::DTYP_BYTE, 1, data::DTYP_MASK));
    put("DATD_DCMD", bytes_at(data::DCMD, 1, 0xFF));
    put("DATD_STATUS", bytes_at(data::STATUS, 1, 0xFF));
    put("DATD_POPTS", bytes_at(data::POPTS, 1, 0xFF));
    put("DATD_POPTS_IXSM", bit(data::POPTS, data::POPTS_IXSM));
    put("DATD_POPTS_TXSM", bit(data::POPTS, data::POPTS_TXSM));
    m
}

#[test]
fn descriptor_header_agrees_with_rust() {
    let rtl = rtl_fields();
    let rust = rust_fields();
    assert!(rtl.len() >= 50, "parsed only {} fields from rtl/verinic_desc.vh", rtl.len());
    for (name, range) in &rust {
        assert_eq!(rtl.get(name), Some(range), "`{name}`: rtl/verinic_desc.vh vs host-driver/src/desc.rs");
    }
    let extra: Vec<_> = rtl.keys().filter(|k| !rust.contains_key(*k)).collect();
    assert!(extra.is_empty(), "fields in rtl/verinic_desc.vh that desc.rs does not define: {extra:?}");
    // The DTYP values the RTL tests: context 0, data 1
    assert_eq!(data::DTYP_DATA >> data::DTYP_MASK.trailing_zeros(), 1);
    let _ = desc::DESC_LEN;
}

#[test]
fn rtl_uses_the_header_not_raw_bit_numbers() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rtl");
    for file in ["verinic_nic.v", "verinic_tx_dma.v", "verinic_rx_dma.v", "verinic_desc_wb.v", "verinic_rx_csum.v"] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        assert!(text.contains("`include \"verinic_desc.vh\""), "{file} does not include verinic_desc.vh");
    }
}
