// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_mac: 10G Ethernet MAC, 64-bit XGMII, with statistics counters.
//
// The transmitter and receiver (verinic_mac_tx, verinic_mac_rx) plus free-
// running counters of their event pulses. This is the foundation's Verilated
// top level; every port is flat and at most 64 bits wide so that the host can
// reach it without per-bit work. Counters wrap; they are cleared by rst.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_mac #(
    // Allow Start in lane 4 on transmit (full line rate for short frames)
    parameter TX_START_LANE4 = 1,
    // Deficit idle count on transmit: average IFG of exactly 12 bytes
    parameter TX_ENABLE_DIC = 1
) (
    input  wire        clk,
    input  wire        rst,

    // Packets to transmit
    input  wire [63:0] s_axis_tx_tdata,
    input  wire [7:0]  s_axis_tx_tkeep,
    input  wire        s_axis_tx_tvalid,
    output wire        s_axis_tx_tready,
    input  wire        s_axis_tx_tlast,
    input  wire        s_axis_tx_tuser,

    // Packets received (no tready: the wire cannot wait)
    output wire [63:0] m_axis_rx_tdata,
    output wire [7:0]  m_axis_rx_tkeep,
    output wire        m_axis_rx_tvalid,
    output wire        m_axis_rx_tlast,
    output wire        m_axis_rx_tuser,

    // XGMII, 156.25 MHz, lane 0 = bits 7:0 first on the wire
    input  wire [63:0] xgmii_rxd,
    input  wire [7:0]  xgmii_rxc,
    output wire [63:0] xgmii_txd,
    output wire [7:0]  xgmii_txc,

    input  wire        cfg_tx_pad_en,
    input  wire [15:0] cfg_rx_max_len,

    output wire [31:0] stat_tx_frames_good,
    output wire [63:0] stat_tx_bytes_good,    // with FCS
    output wire [31:0] stat_tx_err_underrun,
    output wire [31:0] stat_tx_err_abort,
    output wire [31:0] stat_rx_frames_good,
    output wire [63:0] stat_rx_bytes_good,    // with FCS
    output wire [31:0] stat_rx_err_fcs,
    output wire [31:0] stat_rx_err_runt,
    output wire [31:0] stat_rx_err_oversize,
    output wire [31:0] stat_rx_err_char,
    output wire [31:0] stat_rx_err_framing,
    output wire [31:0] stat_rx_err_preamble
);

wire        tx_pkt_good;
wire [15:0] tx_pkt_len;
wire        tx_err_underrun;
wire        tx_err_abort;
wire        rx_pkt_good;
wire [15:0] rx_pkt_len;
wire        rx_err_fcs;
wire        rx_err_runt;
wire        rx_err_oversize;
wire        rx_err_char;
wire        rx_err_framing;
wire        rx_err_preamble;

verinic_mac_tx #(
    .START_LANE4(TX_START_LANE4),
    .ENABLE_DIC(TX_ENABLE_DIC)
) tx_inst (
    .clk(clk),
    .rst(rst),
    .s_axis_tdata(s_axis_tx_tdata),
    .s_axis_tkeep(s_axis_tx_tkeep),
    .s_axis_tvalid(s_axis_tx_tvalid),
    .s_axis_tready(s_axis_tx_tready),
    .s_axis_tlast(s_axis_tx_tlast),
    .s_axis_tuser(s_axis_tx_tuser),
    .xgmii_txd(xgmii_txd),
    .xgmii_txc(xgmii_txc),
    .cfg_tx_pad_en(cfg_tx_pad_en),
    .stat_tx_pkt_good(tx_pkt_good),
    .stat_tx_pkt_len(tx_pkt_len),
    .stat_tx_err_underrun(tx_err_underrun),
    .stat_tx_err_abort(tx_err_abort)
);

verinic_mac_rx rx_inst (
    .clk(clk),
    .rst(rst),
    .xgmii_rxd(xgmii_rxd),
    .xgmii_rxc(xgmii_rxc),
    .m_axis_tdata(m_axis_rx_tdata),
    .m_axis_tkeep(m_axis_rx_tkeep),
    .m_axis_tvalid(m_axis_rx_tvalid),
    .m_axis_tlast(m_axis_rx_tlast),
    .m_axis_tuser(m_axis_rx_tuser),
    .cfg_rx_max_len(cfg_rx_max_len),
    .stat_rx_pkt_good(rx_pkt_good),
    .stat_rx_pkt_len(rx_pkt_len),
    .stat_rx_err_fcs(rx_err_fcs),
    .stat_rx_err_runt(rx_err_runt),
    .stat_rx_err_oversize(rx_err_oversize),
    .stat_rx_err_char(rx_err_char),
    .stat_rx_err_framing(rx_err_framing),
    .stat_rx_err_preamble(rx_err_preamble)
);

reg [31:0] tx_frames_good_reg;
reg [63:0] tx_bytes_good_reg;
reg [31:0] tx_err_underrun_reg;
reg [31:0] tx_err_abort_reg;
reg [31:0] rx_frames_good_reg;
reg [63:0] rx_bytes_good_reg;
reg [31:0] rx_err_fcs_reg;
reg [31:0] rx_err_runt_reg;
reg [31:0] rx_err_oversize_reg;
reg [31:0] rx_err_char_reg;
reg [31:0] rx_err_framing_reg;
reg [31:0] rx_err_preamble_reg;

always @(posedge clk) begin
    tx_frames_good_reg <= tx_frames_good_reg + {31'd0, tx_pkt_good};
    tx_bytes_good_reg <= tx_bytes_good_reg + (tx_pkt_good ? {48'd0, tx_pkt_len} : 64'd0);
    tx_err_underrun_reg <= tx_err_underrun_reg + {31'd0, tx_err_underrun};
    tx_err_abort_reg <= tx_err_abort_reg + {31'd0, tx_err_abort};
    rx_frames_good_reg <= rx_frames_good_reg + {31'd0, rx_pkt_good};
    rx_bytes_good_reg <= rx_bytes_good_reg + (rx_pkt_good ? {48'd0, rx_pkt_len} : 64'd0);
    rx_err_fcs_reg <= rx_err_fcs_reg + {31'd0, rx_err_fcs};
    rx_err_runt_reg <= rx_err_runt_reg + {31'd0, rx_err_runt};
    rx_err_oversize_reg <= rx_err_oversize_reg + {31'd0, rx_err_oversize};
    rx_err_char_reg <= rx_err_char_reg + {31'd0, rx_err_char};
    rx_err_framing_reg <= rx_err_framing_reg + {31'd0, rx_err_framing};
    rx_err_preamble_reg <= rx_err_preamble_reg + {31'd0, rx_err_preamble};

    if (rst) begin
        tx_frames_good_reg <= 32'd0;
        tx_bytes_good_reg <= 64'd0;
        tx_err_underrun_reg <= 32'd0;
        tx_err_abort_reg <= 32'd0;
        rx_frames_good_reg <= 32'd0;
        rx_bytes_good_reg <= 64'd0;
        rx_err_fcs_reg <= 32'd0;
        rx_err_runt_reg <= 32'd0;
        rx_err_oversize_reg <= 32'd0;
        rx_err_char_reg <= 32'd0;
        rx_err_framing_reg <= 32'd0;
        rx_err_preamble_reg <= 32'd0;
    end
end

assign stat_tx_frames_good = tx_frames_good_reg;
assign stat_tx_bytes_good = tx_bytes_good_reg;
assign stat_tx_err_underrun = tx_err_underrun_reg;
assign stat_tx_err_abort = tx_err_abort_reg;
assign stat_rx_frames_good = rx_frames_good_reg;
assign stat_rx_bytes_good = rx_bytes_good_reg;
assign stat_rx_err_fcs = rx_err_fcs_reg;
assign stat_rx_err_runt = rx_err_runt_reg;
assign stat_rx_err_oversize = rx_err_oversize_reg;
assign stat_rx_err_char = rx_err_char_reg;
assign stat_rx_err_framing = rx_err_framing_reg;
assign stat_rx_err_preamble = rx_err_preamble_reg;

endmodule

`resetall
