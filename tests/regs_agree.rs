//! The register map and descriptor layout are defined once in Rust
//! (host-driver) and once in RTL; this test reads the RTL's definitions and
//! demands they agree.

use std::collections::BTreeMap;

use verinic_driver::{desc, regs};

/// `localparam [15:0] REG_NAME = 16'hXXXX;` lines of the RTL register file.
fn rtl_registers() -> BTreeMap<String, u32> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rtl/verinic_nic_regs.v")).unwrap();
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("localparam [15:0] REG_")?;
            let (name, value) = rest.split_once('=')?;
            let hex = value.trim().trim_end_matches(';').strip_prefix("16'h")?;
            Some((name.trim().to_string(), u32::from_str_radix(hex, 16).unwrap()))
        })
        .collect()
}

#[test]
fn register_offsets_agree() {
    let rtl = rtl_registers();
    let rust: BTreeMap<String, u32> = regs::ALL.iter().map(|(n, o)| (n.to_string(), *o)).collect();
    assert!(rtl.len() >= 40, "parsed only {} RTL registers", rtl.len());
    assert_eq!(rtl, rust, "rtl/verinic_nic_regs.v and host-driver/src/regs.rs disagree");
}

#[test]
fn descriptor_bits_agree_with_rtl_use() {
    // The RTL picks these bits out of 128-bit descriptor images
    // (rtl/verinic_nic.v, verinic_rx_dma.v, verinic_tx_dma.v).
    let bit = |byte: usize, mask: u8| byte * 8 + mask.trailing_zeros() as usize;
    assert_eq!(bit(12, desc::rx_status::DD), 96);
    assert_eq!(bit(12, desc::rx_status::EOP), 97, "EOP_BIT of the RX write-back");
    assert_eq!(bit(11, desc::tx_cmd::EOP), 88, "EOP_BIT of the TX write-back");
    assert_eq!(bit(11, desc::tx_cmd::RS), 91);
    assert_eq!(bit(11, desc::tx_cmd::IDE), 95, "FLAG_BIT of the TX write-back");
    assert_eq!(bit(12, desc::tx_status::DD), 96);
    let rtl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rtl/verinic_nic.v")).unwrap();
    // The bit numbers themselves live in rtl/verinic_desc.vh (tests/desc_agree.rs)
    assert!(rtl.contains("verinic_desc_wb #(.EOP_BIT(`RXD_STA_EOP)) rx_wb_inst"));
    assert!(rtl.contains("verinic_desc_wb #(.EOP_BIT(`TXD_CMD_EOP), .FLAG_BIT(`TXD_CMD_IDE)) tx_wb_inst"));
}
