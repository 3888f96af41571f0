// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_mac_tx: 10G Ethernet MAC transmitter, AXI-Stream in, 64-bit XGMII out.
//
// For each packet on s_axis it sends Start + preamble + SFD, the packet bytes,
// zero padding up to 60 bytes (cfg_tx_pad_en), the FCS (CRC-32, LSB first) and
// Terminate, then idles until the next Start may go out.
//
// Start goes in lane 0 or lane 4, whichever the gap allows first; with
// ENABLE_DIC the deficit idle count of IEEE 802.3 clause 46.3.1.4 shortens a
// gap by up to 3 bytes to reach a Start lane and pays it back later, so the
// average gap is exactly 12 bytes and 64-byte frames go out at 14.88 Mpps.
// Without DIC every gap is rounded up. With START_LANE4 = 0 Start is only ever
// placed in lane 0.
//
// Internally frames are generated lane-0 aligned; a Start in lane 4 is made by
// delaying the aligned stream by four bytes for the whole frame (lam_reg). The
// delay only changes at a Start, when the bytes it skips or repeats are idles.
//
// Beats pass through one input register (full throughput: a beat is accepted
// in the cycle the one before it is used), so that no logic depends on the
// input ports combinationally.
//
// The wire cannot wait: if s_axis_tvalid drops inside a packet (underrun), an
// Error character and Terminate go out at once and the rest of the packet is
// read and discarded. A packet ending with tuser = 1 (abort) is cut the same
// way. Both are counted through the stat_ pulses.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_mac_tx #(
    // Allow Start in lane 4 (needed for full line rate with short frames)
    parameter START_LANE4 = 1,
    // Deficit idle count: average IFG of exactly 12 bytes (needs START_LANE4)
    parameter ENABLE_DIC = 1
) (
    input  wire        clk,
    input  wire        rst,

    // Packets to send: lane 0 first; tkeep contiguous from lane 0, all ones
    // except on the last beat; tuser on the last beat aborts the packet.
    input  wire [63:0] s_axis_tdata,
    input  wire [7:0]  s_axis_tkeep,
    input  wire        s_axis_tvalid,
    output wire        s_axis_tready,
    input  wire        s_axis_tlast,
    input  wire        s_axis_tuser,

    output wire [63:0] xgmii_txd,
    output wire [7:0]  xgmii_txc,

    // Pad packets shorter than 60 bytes with zeros
    input  wire        cfg_tx_pad_en,

    // One-cycle event pulses
    output wire        stat_tx_pkt_good,
    output wire [15:0] stat_tx_pkt_len,       // with FCS, valid with stat_tx_pkt_good
    output wire        stat_tx_err_underrun,
    output wire        stat_tx_err_abort
);

localparam [7:0] XGMII_IDLE  = 8'h07;
localparam [7:0] XGMII_START = 8'hFB;
localparam [7:0] XGMII_TERM  = 8'hFD;
localparam [7:0] XGMII_ERROR = 8'hFE;

localparam [63:0] IDLE_D     = {8{XGMII_IDLE}};
localparam [7:0]  IDLE_C     = 8'hFF;
localparam [63:0] PREAMBLE_D = {8'hD5, {6{8'h55}}, XGMII_START};
localparam [7:0]  PREAMBLE_C = 8'h01;
// Error in lane 0, Terminate in lane 1: what the MAC sends to kill a frame
localparam [63:0] KILL_D     = {{6{XGMII_IDLE}}, XGMII_TERM, XGMII_ERROR};
localparam [3:0]  KILL_TERM_LANE = 4'd1;

localparam [15:0] MIN_LEN_NO_FCS = 16'd60;

localparam [1:0]
    STATE_IDLE    = 2'd0,
    STATE_PAYLOAD = 2'd1,
    STATE_PAD     = 2'd2,
    STATE_FCS     = 2'd3;

reg [1:0]  state_reg, state_next;

reg [15:0] len_reg, len_next;          // packet bytes sent so far
reg [31:0] crc_reg, crc_next;
reg [31:0] fcs_reg, fcs_next;          // FCS held for the spill word
reg [2:0]  spill_reg, spill_next;       // FCS bytes left for the spill word
reg        drain_reg, drain_next;       // discarding the rest of a killed packet

reg [1:0]  ifg_words_reg, ifg_words_next; // idle words still owed
reg [1:0]  dic_reg, dic_next;   // bytes of gap owed (deficit idle count)
reg        lam_reg, lam_next;             // frame delayed by 4 bytes
reg        lam_pending_reg, lam_pending_next;

reg [31:0] gen_hi_d_reg;
reg [3:0]  gen_hi_c_reg;
reg [63:0] txd_reg;
reg [7:0]  txc_reg;

reg        pkt_good_reg, pkt_good_next;
reg [15:0] pkt_len_reg, pkt_len_next;
reg        err_underrun_reg, err_underrun_next;
reg        err_abort_reg, err_abort_next;

// Aligned word generated this cycle
reg [63:0] gen_d;
reg [7:0]  gen_c;

integer    lane;          // loop index of the FCS spill word (set before use)
integer    spill_lanes;

// Input register
reg [63:0] beat_d_reg;
reg [7:0]  beat_keep_reg;
reg        beat_last_reg;
reg        beat_user_reg;
reg        beat_valid_reg;

reg        consume;       // the generator uses the registered beat this cycle

// Configuration is registered: quasi-static, and kept off combinational paths
reg        cfg_tx_pad_en_reg;
reg        term_now;      // gen word carries Terminate at term_lane
reg [3:0]  term_lane;

// ---------------------------------------------------------------------------
// Data of this beat with bytes beyond tkeep zeroed (they become padding) and
// its byte count: set in STATE_PAYLOAD, the only state that sends the beat
// (zero otherwise; STATE_PAD sends zeros), so the Verilated model does not
// compute them while idle.
reg [63:0] beat_data;
reg [3:0]  beat_bytes;

assign s_axis_tready = !beat_valid_reg || consume;

`include "verinic_crc32.vh"

// ---------------------------------------------------------------------------
// Last data word of a frame: `bytes` data lanes, then FCS, Terminate, idles.
// Lanes past 7 spill into the next word (STATE_FCS).
task finish_frame;
    input [3:0] bytes;
    input [15:0] total_len;
    integer data_lanes;
    integer l;          // the task's own loop index: no state shared with the caller
    reg [31:0] fcs;
    begin
        data_lanes = {28'd0, bytes};
        fcs = ~crc32_bytes(crc_reg, beat_data, bytes);
        for (l = 0; l < 8; l = l + 1) begin
            if (l < data_lanes) begin
                gen_d[8*l +: 8] = beat_data[8*l +: 8];
                gen_c[l] = 1'b0;
            end else if (l < data_lanes + 4) begin
                gen_d[8*l +: 8] = fcs[8*(l-data_lanes) +: 8];
                gen_c[l] = 1'b0;
            end else if (l == data_lanes + 4) begin
                gen_d[8*l +: 8] = XGMII_TERM;
                gen_c[l] = 1'b1;
            end else begin
                gen_d[8*l +: 8] = XGMII_IDLE;
                gen_c[l] = 1'b1;
            end
        end
        pkt_good_next = 1'b1;
        pkt_len_next = total_len + 16'd4;
        if (bytes + 4 < 8) begin
            term_now = 1'b1;
            term_lane = bytes + 4'd4;
            state_next = STATE_IDLE;
        end else begin
            fcs_next = fcs;
            spill_next = bytes[2:0] + 3'd4;  // bytes + 4 - 8, mod 8
            state_next = STATE_FCS;
        end
    end
endtask

// Gap after a Terminate at gen lane `term_at`: how many idle words, and which
// Start lane, so that the gap is 12 bytes give or take DIC.
task schedule_gap;
    input [3:0] term_at;
    reg [4:0] pos;      // Terminate position from the gen word start, delay included
    reg [2:0] extra;    // bytes to round the next Start up to a Start lane
    reg [4:0] gap;
    // Start lanes are 4-byte aligned, so bits 1:0 are always zero
    /* verilator lint_off UNUSEDSIGNAL */
    reg [4:0] next_start;
    /* verilator lint_on UNUSEDSIGNAL */
    begin
        pos = {1'b0, term_at} + (lam_reg ? 5'd4 : 5'd0);
        if (START_LANE4 != 0) begin
            extra = {1'b0, 2'd0 - pos[1:0]};
            if (ENABLE_DIC != 0 && extra != 3'd0 &&
                    {1'b0, dic_reg} + (3'd4 - extra) <= 3'd3) begin
                gap = 5'd8 + {2'b0, extra};
                dic_next = dic_reg + (2'd0 - extra[1:0]);
            end else begin
                gap = 5'd12 + {2'b0, extra};
                dic_next = (dic_reg > extra[1:0]) ? dic_reg - extra[1:0] : 2'd0;
            end
        end else begin
            extra = 3'd0 - pos[2:0] - 3'd4;     // (8 - (pos + 12) % 8) % 8
            gap = 5'd12 + {2'b0, extra};
        end
        next_start = pos + gap;
        ifg_words_next = next_start[4:3] - 2'd1;
        lam_pending_next = next_start[2];
    end
endtask

// ---------------------------------------------------------------------------
always @* begin
    state_next = state_reg;
    len_next = len_reg;
    crc_next = crc_reg;
    fcs_next = fcs_reg;
    spill_next = spill_reg;
    drain_next = drain_reg;
    ifg_words_next = ifg_words_reg;
    lam_next = lam_reg;
    lam_pending_next = lam_pending_reg;
    dic_next = dic_reg;

    pkt_good_next = 1'b0;
    pkt_len_next = pkt_len_reg;
    err_underrun_next = 1'b0;
    err_abort_next = 1'b0;

    gen_d = IDLE_D;
    gen_c = IDLE_C;
    spill_lanes = {29'd0, spill_reg};
    lane = 0;       // assigned on every path: no latch for the loop index
    consume = 1'b0;
    term_now = 1'b0;
    term_lane = 4'd0;
    beat_data = 64'd0;
    beat_bytes = 4'd0;
    if (state_reg == STATE_PAYLOAD) begin
        beat_data = beat_d_reg & {{8{beat_keep_reg[7]}}, {8{beat_keep_reg[6]}},
                                  {8{beat_keep_reg[5]}}, {8{beat_keep_reg[4]}},
                                  {8{beat_keep_reg[3]}}, {8{beat_keep_reg[2]}},
                                  {8{beat_keep_reg[1]}}, {8{beat_keep_reg[0]}}};
        beat_bytes = beat_keep_reg[7] ? 4'd8 : beat_keep_reg[6] ? 4'd7 :
                     beat_keep_reg[5] ? 4'd6 : beat_keep_reg[4] ? 4'd5 :
                     beat_keep_reg[3] ? 4'd4 : beat_keep_reg[2] ? 4'd3 :
                     beat_keep_reg[1] ? 4'd2 : beat_keep_reg[0] ? 4'd1 : 4'd0;
    end

    if (drain_reg && beat_valid_reg) begin
        consume = 1'b1;
        if (beat_last_reg) begin
            drain_next = 1'b0;
        end
    end

    case (state_reg)
        STATE_IDLE: begin
            if (ifg_words_reg != 2'd0) begin
                ifg_words_next = ifg_words_reg - 2'd1;
            end else if (beat_valid_reg && !drain_reg) begin
                gen_d = PREAMBLE_D;
                gen_c = PREAMBLE_C;
                lam_next = lam_pending_reg;
                crc_next = 32'hFFFFFFFF;
                len_next = 16'd0;
                state_next = STATE_PAYLOAD;
            end
        end
        STATE_PAYLOAD: begin
            consume = beat_valid_reg;
            if (!beat_valid_reg || (beat_last_reg && beat_user_reg)) begin
                gen_d = KILL_D;
                gen_c = IDLE_C;
                term_now = 1'b1;
                term_lane = KILL_TERM_LANE;
                err_underrun_next = !beat_valid_reg;
                err_abort_next = beat_valid_reg;
                // an underrun leaves the rest of the packet to be thrown away
                drain_next = !beat_valid_reg;
                state_next = STATE_IDLE;
            end else if (!beat_last_reg) begin
                gen_d = beat_data;
                gen_c = 8'h00;
                crc_next = crc32_bytes(crc_reg, beat_data, 4'd8);
                len_next = len_reg + 16'd8;
            end else if (cfg_tx_pad_en_reg && len_reg + {12'd0, beat_bytes} < MIN_LEN_NO_FCS) begin
                if (len_reg + 16'd8 >= MIN_LEN_NO_FCS) begin
                    finish_frame(MIN_LEN_NO_FCS[3:0] - len_reg[3:0], MIN_LEN_NO_FCS);
                end else begin
                    gen_d = beat_data;
                    gen_c = 8'h00;
                    crc_next = crc32_bytes(crc_reg, beat_data, 4'd8);
                    len_next = len_reg + 16'd8;
                    state_next = STATE_PAD;
                end
            end else begin
                finish_frame(beat_bytes, len_reg + {12'd0, beat_bytes});
            end
        end
        STATE_PAD: begin
            if (len_reg + 16'd8 >= MIN_LEN_NO_FCS) begin
                finish_frame(MIN_LEN_NO_FCS[3:0] - len_reg[3:0], MIN_LEN_NO_FCS);
            end else begin
                gen_d = 64'd0;
                gen_c = 8'h00;
                crc_next = crc32_bytes(crc_reg, beat_data, 4'd8);
                len_next = len_reg + 16'd8;
            end
        end
        STATE_FCS: begin
            for (lane = 0; lane < 8; lane = lane + 1) begin
                if (lane < spill_lanes) begin
                    gen_d[8*lane +: 8] = fcs_reg[8*(lane + 4 - spill_lanes) +: 8];
                    gen_c[lane] = 1'b0;
                end else if (lane == spill_lanes) begin
                    gen_d[8*lane +: 8] = XGMII_TERM;
                    gen_c[lane] = 1'b1;
                end
            end
            term_now = 1'b1;
            term_lane = {1'b0, spill_reg};
            state_next = STATE_IDLE;
        end
        default: begin
            state_next = STATE_IDLE;
        end
    endcase

    if (term_now) begin
        schedule_gap(term_lane);
    end
end

// ---------------------------------------------------------------------------
always @(posedge clk) begin
    cfg_tx_pad_en_reg <= cfg_tx_pad_en;
    if (s_axis_tready && s_axis_tvalid) begin
        beat_d_reg <= s_axis_tdata;
        beat_keep_reg <= s_axis_tkeep;
        beat_last_reg <= s_axis_tlast;
        beat_user_reg <= s_axis_tuser;
        beat_valid_reg <= 1'b1;
    end else if (consume) begin
        beat_valid_reg <= 1'b0;
    end

    state_reg <= state_next;
    len_reg <= len_next;
    crc_reg <= crc_next;
    fcs_reg <= fcs_next;
    spill_reg <= spill_next;
    drain_reg <= drain_next;
    ifg_words_reg <= ifg_words_next;
    lam_reg <= lam_next;
    lam_pending_reg <= lam_pending_next;

    // A long wait for data pays back any deficit
    if (term_now) begin
        dic_reg <= dic_next;
    end else if (state_reg == STATE_IDLE && ifg_words_reg == 2'd0 && !beat_valid_reg) begin
        dic_reg <= 2'd0;
    end

    gen_hi_d_reg <= gen_d[63:32];
    gen_hi_c_reg <= gen_c[7:4];
    if (lam_next) begin
        txd_reg <= {gen_d[31:0], gen_hi_d_reg};
        txc_reg <= {gen_c[3:0], gen_hi_c_reg};
    end else begin
        txd_reg <= gen_d;
        txc_reg <= gen_c;
    end

    pkt_good_reg <= pkt_good_next;
    pkt_len_reg <= pkt_len_next;
    err_underrun_reg <= err_underrun_next;
    err_abort_reg <= err_abort_next;

    if (rst) begin
        beat_valid_reg <= 1'b0;
        state_reg <= STATE_IDLE;
        len_reg <= 16'd0;
        crc_reg <= 32'hFFFFFFFF;
        drain_reg <= 1'b0;
        ifg_words_reg <= 2'd0;
        dic_reg <= 2'd0;
        lam_reg <= 1'b0;
        lam_pending_reg <= 1'b0;
        gen_hi_d_reg <= {4{XGMII_IDLE}};
        gen_hi_c_reg <= 4'hF;
        txd_reg <= IDLE_D;
        txc_reg <= IDLE_C;
        pkt_good_reg <= 1'b0;
        err_underrun_reg <= 1'b0;
        err_abort_reg <= 1'b0;
    end
end

assign xgmii_txd = txd_reg;
assign xgmii_txc = txc_reg;

assign stat_tx_pkt_good = pkt_good_reg;
assign stat_tx_pkt_len = pkt_len_reg;
assign stat_tx_err_underrun = err_underrun_reg;
assign stat_tx_err_abort = err_abort_reg;

endmodule

`resetall
