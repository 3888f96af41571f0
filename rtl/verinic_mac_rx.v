// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_mac_rx: 10G Ethernet MAC receiver, 64-bit XGMII in, AXI-Stream out.
//
// Accepts Start in lane 0 or lane 4, checks the preamble, strips preamble, SFD
// and FCS, and checks the FCS by running the CRC over frame + FCS and comparing
// with the residue. Every frame with a good preamble leaves as one packet on
// m_axis (lane 0 first, tkeep contiguous); a bad one ends with tuser = 1. Every
// bad frame is counted through exactly one stat_rx_err_ pulse, the first fault
// found:
//   preamble - Start not followed by six 0x55 and the SFD (such a frame is
//              dropped before it reaches m_axis)
//   framing  - the frame stops without Terminate (Idle or another control
//              character, or a new Start, inside the frame)
//   char     - an Error character inside the frame
//   oversize - longer than cfg_rx_max_len bytes with FCS (+4 when the frame
//              carries an 802.1Q tag); cut as soon as the limit is passed
//   runt     - shorter than 64 bytes with FCS
//   fcs      - FCS mismatch
// A bad packet's last beat may carry fewer bytes than arrived, or none.
//
// There is no tready: the wire cannot wait, so neither can this stream.
//
// A Start in lane 4 is handled by delaying lanes 4-7 by one word for the whole
// frame, so that the parser only ever sees frames starting in lane 0.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_mac_rx (
    input  wire        clk,
    input  wire        rst,

    input  wire [63:0] xgmii_rxd,
    input  wire [7:0]  xgmii_rxc,

    output wire [63:0] m_axis_tdata,
    output wire [7:0]  m_axis_tkeep,
    output wire        m_axis_tvalid,
    output wire        m_axis_tlast,
    output wire        m_axis_tuser,

    // Largest good frame, bytes with FCS, without an 802.1Q tag (1518)
    input  wire [15:0] cfg_rx_max_len,

    // One-cycle event pulses, at most one per frame
    output wire        stat_rx_pkt_good,
    output wire [15:0] stat_rx_pkt_len,       // with FCS, valid with stat_rx_pkt_good
    output wire        stat_rx_err_fcs,
    output wire        stat_rx_err_runt,
    output wire        stat_rx_err_oversize,
    output wire        stat_rx_err_char,
    output wire        stat_rx_err_framing,
    output wire        stat_rx_err_preamble
);

localparam [7:0] XGMII_IDLE  = 8'h07;
localparam [7:0] XGMII_START = 8'hFB;
localparam [7:0] XGMII_TERM  = 8'hFD;
localparam [7:0] XGMII_ERROR = 8'hFE;

localparam [55:0] PREAMBLE_TAIL = {8'hD5, {6{8'h55}}};
localparam [31:0] CRC_RESIDUE = 32'hDEBB20E3;
localparam [15:0] MIN_LEN = 16'd64;

localparam [1:0]
    STATE_IDLE    = 2'd0,
    STATE_PAYLOAD = 2'd1,
    STATE_DROP    = 2'd2;

localparam [2:0]
    END_GOOD     = 3'd0,
    END_FCS      = 3'd1,
    END_RUNT     = 3'd2,
    END_OVERSIZE = 3'd3,
    END_CHAR     = 3'd4,
    END_FRAMING  = 3'd5;

// ---------------------------------------------------------------------------
// Lane-4 alignment
// The input is registered twice so that nothing downstream depends on the
// ports combinationally (in a Verilated model such logic re-evaluates on
// every input change; in silicon it would be the IOB register anyway).
reg [63:0] in_d_reg;
reg [7:0]  in_c_reg;
reg [63:0] prev_d_reg;
reg [7:0]  prev_c_reg;
reg        swap_reg;

wire start_lane0 = prev_c_reg[0] && prev_d_reg[7:0] == XGMII_START;
wire start_lane4 = prev_c_reg[4] && prev_d_reg[39:32] == XGMII_START;
wire swap = start_lane4 ? 1'b1 : start_lane0 ? 1'b0 : swap_reg;

wire [63:0] word_d = swap ? {in_d_reg[31:0], prev_d_reg[63:32]} : prev_d_reg;
wire [7:0]  word_c = swap ? {in_c_reg[3:0], prev_c_reg[7:4]} : prev_c_reg;

wire word_is_start = word_c[0] && word_d[7:0] == XGMII_START;
wire preamble_ok = word_c == 8'h01 && word_d[63:8] == PREAMBLE_TAIL;

// First control lane of the word (8 = none)
wire [3:0] ctrl_lane = word_c[0] ? 4'd0 : word_c[1] ? 4'd1 : word_c[2] ? 4'd2 :
                       word_c[3] ? 4'd3 : word_c[4] ? 4'd4 : word_c[5] ? 4'd5 :
                       word_c[6] ? 4'd6 : word_c[7] ? 4'd7 : 4'd8;
wire [7:0] ctrl_char = word_d[8*ctrl_lane[2:0] +: 8];

// ---------------------------------------------------------------------------
reg [1:0]  state_reg, state_next;
reg [31:0] crc_reg, crc_next;
reg [15:0] len_reg, len_next;         // frame bytes so far, FCS included
reg        vlan_reg, vlan_next;

// Last full data word: held back one cycle because the FCS may straddle it
reg [63:0] pend_d_reg, pend_d_next;
reg        pend_valid_reg, pend_valid_next;
// Tail beat to send next cycle (Terminate in lanes 5-7)
reg [7:0]  tail_keep_reg, tail_keep_next;
reg        tail_user_reg, tail_user_next;
reg        tail_valid_reg, tail_valid_next;

reg [63:0] m_axis_tdata_reg, m_axis_tdata_next;
reg [7:0]  m_axis_tkeep_reg, m_axis_tkeep_next;
reg        m_axis_tvalid_reg, m_axis_tvalid_next;
reg        m_axis_tlast_reg, m_axis_tlast_next;
reg        m_axis_tuser_reg, m_axis_tuser_next;

reg        pkt_good_reg, pkt_good_next;
reg [15:0] pkt_len_reg, pkt_len_next;
reg        err_fcs_reg, err_fcs_next;
reg        err_runt_reg, err_runt_next;
reg        err_oversize_reg, err_oversize_next;
reg        err_char_reg, err_char_next;
reg        err_framing_reg, err_framing_next;
reg        err_preamble_reg, err_preamble_next;

`include "verinic_crc32.vh"

function [7:0] keep_bytes;
    input [3:0] count;
    begin
        keep_bytes = (count >= 4'd8) ? 8'hFF : ~(8'hFF << count);
    end
endfunction

// ---------------------------------------------------------------------------
// Close the frame whose last word (control at lane `at`) is in word_d:
// send what is left of it and raise the one stat pulse for `reason`.
task end_frame;
    input [2:0] reason;
    input [3:0] at;
    reg bad;
    begin
        bad = reason != END_GOOD;
        m_axis_tvalid_next = 1'b1;
        m_axis_tlast_next = 1'b1;
        m_axis_tuser_next = bad;
        if (!pend_valid_reg) begin
            // nothing held back: a frame this short is a runt or worse anyway
            m_axis_tdata_next = word_d;
            m_axis_tkeep_next = keep_bytes(at);
        end else begin
            m_axis_tdata_next = pend_d_reg;
            if (reason != END_GOOD && reason != END_FCS && reason != END_RUNT) begin
                m_axis_tkeep_next = 8'hFF;
            end else if (at >= 4'd5) begin
                // this word still holds packet bytes before the FCS
                m_axis_tkeep_next = 8'hFF;
                m_axis_tlast_next = 1'b0;
                m_axis_tuser_next = 1'b0;
                pend_d_next = word_d;
                tail_valid_next = 1'b1;
                tail_keep_next = keep_bytes(at - 4'd4);
                tail_user_next = bad;
            end else begin
                m_axis_tkeep_next = keep_bytes(at + 4'd4);
            end
        end
        pend_valid_next = 1'b0;
        pkt_good_next = !bad;
        pkt_len_next = len_reg + {12'd0, at};
        err_fcs_next = reason == END_FCS;
        err_runt_next = reason == END_RUNT;
        err_oversize_next = reason == END_OVERSIZE;
        err_char_next = reason == END_CHAR;
        err_framing_next = reason == END_FRAMING;
    end
endtask

task begin_frame;
    begin
        if (preamble_ok) begin
            crc_next = 32'hFFFFFFFF;
            len_next = 16'd0;
            vlan_next = 1'b0;
            state_next = STATE_PAYLOAD;
        end else begin
            // its own pulse: it can coincide with the framing error of the
            // frame this Start cut short
            err_preamble_next = 1'b1;
            state_next = STATE_DROP;
        end
    end
endtask

// Configuration is registered: it is quasi-static, and no logic should hang
// combinationally off an input port.
reg [15:0] cfg_rx_max_len_reg;

reg [15:0] max_len;
reg [15:0] end_len;
reg [31:0] residue;

always @* begin
    state_next = state_reg;
    crc_next = crc_reg;
    len_next = len_reg;
    vlan_next = vlan_reg;
    pend_d_next = pend_d_reg;
    pend_valid_next = pend_valid_reg;
    tail_keep_next = tail_keep_reg;
    tail_user_next = tail_user_reg;
    tail_valid_next = 1'b0;

    m_axis_tdata_next = m_axis_tdata_reg;
    m_axis_tkeep_next = m_axis_tkeep_reg;
    m_axis_tvalid_next = 1'b0;
    m_axis_tlast_next = 1'b0;
    m_axis_tuser_next = 1'b0;

    pkt_good_next = 1'b0;
    pkt_len_next = pkt_len_reg;
    err_fcs_next = 1'b0;
    err_runt_next = 1'b0;
    err_oversize_next = 1'b0;
    err_char_next = 1'b0;
    err_framing_next = 1'b0;
    err_preamble_next = 1'b0;

    // 802.1Q: TPID 0x8100 in frame bytes 12-13, seen in the second data word
    if (state_reg == STATE_PAYLOAD && len_reg == 16'd8 && ctrl_lane == 4'd8) begin
        vlan_next = word_d[39:32] == 8'h81 && word_d[47:40] == 8'h00;
    end
    max_len = cfg_rx_max_len_reg + (vlan_next ? 16'd4 : 16'd0);
    end_len = len_reg + {12'd0, ctrl_lane};
    residue = crc_reg;

    if (tail_valid_reg) begin
        m_axis_tdata_next = pend_d_reg;
        m_axis_tkeep_next = tail_keep_reg;
        m_axis_tvalid_next = 1'b1;
        m_axis_tlast_next = 1'b1;
        m_axis_tuser_next = tail_user_reg;
    end

    case (state_reg)
        STATE_IDLE: begin
            if (word_is_start) begin
                begin_frame;
            end
        end
        STATE_PAYLOAD: begin
            if (ctrl_lane == 4'd8) begin
                if (len_reg + 16'd8 > max_len) begin
                    end_frame(END_OVERSIZE, 4'd8);
                    state_next = STATE_DROP;
                end else begin
                    if (pend_valid_reg) begin
                        m_axis_tdata_next = pend_d_reg;
                        m_axis_tkeep_next = 8'hFF;
                        m_axis_tvalid_next = 1'b1;
                    end
                    pend_d_next = word_d;
                    pend_valid_next = 1'b1;
                    crc_next = crc32_bytes(crc_reg, word_d, 4'd8);
                    len_next = len_reg + 16'd8;
                end
            end else begin
                state_next = STATE_IDLE;
                if (ctrl_char == XGMII_TERM) begin
                    // the CRC over the frame's bytes before the Terminate, FCS included
                    residue = crc32_bytes(crc_reg, word_d, ctrl_lane);
                    if (end_len > max_len) begin
                        end_frame(END_OVERSIZE, ctrl_lane);
                    end else if (end_len < MIN_LEN) begin
                        end_frame(END_RUNT, ctrl_lane);
                    end else if (residue != CRC_RESIDUE) begin
                        end_frame(END_FCS, ctrl_lane);
                    end else begin
                        end_frame(END_GOOD, ctrl_lane);
                    end
                end else if (ctrl_char == XGMII_ERROR) begin
                    end_frame(END_CHAR, ctrl_lane);
                end else begin
                    end_frame(END_FRAMING, ctrl_lane);
                    if (word_is_start) begin
                        // the frame's successor begins in this very word
                        begin_frame;
                    end
                end
            end
        end
        STATE_DROP: begin
            if (word_is_start) begin
                begin_frame;
            end else if (ctrl_lane != 4'd8) begin
                state_next = STATE_IDLE;
            end
        end
        default: begin
            state_next = STATE_IDLE;
        end
    endcase
end

// ---------------------------------------------------------------------------
always @(posedge clk) begin
    cfg_rx_max_len_reg <= cfg_rx_max_len;
    in_d_reg <= xgmii_rxd;
    in_c_reg <= xgmii_rxc;
    prev_d_reg <= in_d_reg;
    prev_c_reg <= in_c_reg;
    swap_reg <= swap;

    state_reg <= state_next;
    crc_reg <= crc_next;
    len_reg <= len_next;
    vlan_reg <= vlan_next;
    pend_d_reg <= pend_d_next;
    pend_valid_reg <= pend_valid_next;
    tail_keep_reg <= tail_keep_next;
    tail_user_reg <= tail_user_next;
    tail_valid_reg <= tail_valid_next;

    m_axis_tdata_reg <= m_axis_tdata_next;
    m_axis_tkeep_reg <= m_axis_tkeep_next;
    m_axis_tvalid_reg <= m_axis_tvalid_next;
    m_axis_tlast_reg <= m_axis_tlast_next;
    m_axis_tuser_reg <= m_axis_tuser_next;

    pkt_good_reg <= pkt_good_next;
    pkt_len_reg <= pkt_len_next;
    err_fcs_reg <= err_fcs_next;
    err_runt_reg <= err_runt_next;
    err_oversize_reg <= err_oversize_next;
    err_char_reg <= err_char_next;
    err_framing_reg <= err_framing_next;
    err_preamble_reg <= err_preamble_next;

    if (rst) begin
        in_d_reg <= {8{XGMII_IDLE}};
        in_c_reg <= 8'hFF;
        prev_d_reg <= {8{XGMII_IDLE}};
        prev_c_reg <= 8'hFF;
        swap_reg <= 1'b0;
        state_reg <= STATE_IDLE;
        pend_valid_reg <= 1'b0;
        tail_valid_reg <= 1'b0;
        m_axis_tvalid_reg <= 1'b0;
        pkt_good_reg <= 1'b0;
        err_fcs_reg <= 1'b0;
        err_runt_reg <= 1'b0;
        err_oversize_reg <= 1'b0;
        err_char_reg <= 1'b0;
        err_framing_reg <= 1'b0;
        err_preamble_reg <= 1'b0;
    end
end

assign m_axis_tdata = m_axis_tdata_reg;
assign m_axis_tkeep = m_axis_tkeep_reg;
assign m_axis_tvalid = m_axis_tvalid_reg;
assign m_axis_tlast = m_axis_tlast_reg;
assign m_axis_tuser = m_axis_tuser_reg;

assign stat_rx_pkt_good = pkt_good_reg;
assign stat_rx_pkt_len = pkt_len_reg;
assign stat_rx_err_fcs = err_fcs_reg;
assign stat_rx_err_runt = err_runt_reg;
assign stat_rx_err_oversize = err_oversize_reg;
assign stat_rx_err_char = err_char_reg;
assign stat_rx_err_framing = err_framing_reg;
assign stat_rx_err_preamble = err_preamble_reg;

endmodule

`resetall
