// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_desc.vh: every descriptor field, named once.
//
// A descriptor is 16 bytes, little-endian: byte n is bits 8n+7:8n of the
// 128-bit image the RTL moves around. Ranges are written MSB:LSB, so a field
// reads as `desc[`TXD_LENGTH]`; single bits are bit numbers of the image.
// The Rust side is host-driver/src/desc.rs; tests/desc_agree.rs checks that
// the two agree. Layouts follow the 8254x (e1000) manual, section 3.

`ifndef VERINIC_DESC_VH
`define VERINIC_DESC_VH

`define DESC_W              128

// Legacy RX descriptor -------------------------------------------------------
`define RXD_ADDR            63:0        // buffer address, written by the driver
`define RXD_LENGTH          79:64       // bytes written to this buffer
`define RXD_CSUM            95:80       // raw packet checksum (RXCSUM.PCSS)
`define RXD_STATUS          103:96
`define RXD_ERRORS          111:104
`define RXD_SPECIAL         127:112     // VLAN tag
// RX status bits (descriptor bit = 96 + bit of the status byte)
`define RXD_STA_DD          96
`define RXD_STA_EOP         97
`define RXD_STA_IXSM        98
`define RXD_STA_VP          99
`define RXD_STA_UDPCS       100
`define RXD_STA_TCPCS       101
`define RXD_STA_IPCS        102
// RX error bits (descriptor bit = 104 + bit of the errors byte)
`define RXD_ERR_CE          104
`define RXD_ERR_SE          105
`define RXD_ERR_CXE         108
`define RXD_ERR_TCPE        109
`define RXD_ERR_IPE         110
`define RXD_ERR_RXE         111

// Legacy TX descriptor -------------------------------------------------------
`define TXD_ADDR            63:0
`define TXD_LENGTH          79:64
`define TXD_CSO             87:80       // checksum offset
`define TXD_CMD             95:88
`define TXD_STATUS          103:96
`define TXD_CSS             111:104     // checksum start
`define TXD_SPECIAL         127:112
// TX command bits (also the DCMD of an extended data descriptor)
`define TXD_CMD_EOP         88
`define TXD_CMD_IFCS        89
`define TXD_CMD_IC          90
`define TXD_CMD_RS          91
`define TXD_CMD_DEXT        93
`define TXD_CMD_VLE         94
`define TXD_CMD_IDE         95
// TX status bits
`define TXD_STA_DD          96

// TCP/IP context descriptor (DEXT = 1, DTYP = 0) -------------------------------
`define CTXD_IPCSS          7:0         // IP checksum start
`define CTXD_IPCSO          15:8        // IP checksum offset
`define CTXD_IPCSE          31:16       // IP checksum end (inclusive, 0 = frame end)
`define CTXD_TUCSS          39:32       // TCP/UDP checksum start
`define CTXD_TUCSO          47:40       // TCP/UDP checksum offset
`define CTXD_TUCSE          63:48       // TCP/UDP checksum end
`define CTXD_DTYP           87:84       // descriptor type: 0 = context
`define CTXD_TUCMD          95:88
`define CTXD_TUCMD_TCP      88          // TCP (1) or UDP (0): a UDP checksum of 0 goes out as 0xFFFF
`define CTXD_TUCMD_IP       89          // the IP checksum is IPv4's
`define CTXD_TUCMD_DEXT     93

// TCP/IP extended data descriptor (DEXT = 1, DTYP = 1) -------------------------
`define DATD_ADDR           63:0
`define DATD_LENGTH         79:64
`define DATD_DTYP           87:84       // descriptor type: 1 = data
`define DATD_DCMD           95:88       // TXD_CMD_* bits
`define DATD_STATUS         103:96
`define DATD_POPTS          111:104
`define DATD_POPTS_IXSM     104         // insert the IP checksum
`define DATD_POPTS_TXSM     105         // insert the TCP/UDP checksum

`endif
