// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_tx_dma: fetches transmit data named by TX descriptors and feeds the
// MAC whole frames.
//
// Descriptors arrive from the fetch cache in ring order. For each one the
// engine reads its buffer in 128-bit bursts (split at 4 KiB), keeping up to
// 2^TRACK_LOG2 bursts in flight so that host memory latency is hidden; room
// in the TX FIFO is reserved before every read, so data is always accepted.
// When a descriptor's last beat arrives, TDH moves past it and, if it asked
// for status (RS), its image with DD set goes to the write-back queue.
//
// The MAC only ever gets a frame that is entirely in the FIFO (store and
// forward: the MAC cannot wait in the middle of a frame, and checksum insertion
// will need the whole frame). Frames spanning descriptors are joined; every
// descriptor but a frame's last must hold a multiple of 16 bytes, and buffers
// must be 16-byte aligned.
//
// Checksum insertion (verinic_tx_csum): a legacy descriptor with IC asks for
// one checksum (CSS, CSO); a context descriptor (DEXT, DTYP 0) sets IPCSS /
// IPCSO / IPCSE and TUCSS / TUCSO / TUCSE for the data descriptors (DEXT,
// DTYP 1) that follow, whose POPTS.IXSM / TXSM ask for the IPv4 header and
// the TCP/UDP checksum. A context descriptor moves no data; it is consumed
// when taken and has no write-back (DD is reported on data descriptors); so
// is a data descriptor of length 0.
// The checksums are computed as the data arrives and written into the frame
// as it leaves the FIFO for the MAC; offsets that do not fit leave the frame
// unmodified and pulse stat_csum_bad.

`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "verinic_desc.vh"

module verinic_tx_dma #(
    // log2 of the TX FIFO in 128-bit words (10: 16 KiB, ten 1518-byte frames)
    parameter FIFO_LOG2 = 10,
    // log2 of the read bursts in flight
    parameter TRACK_LOG2 = 5
) (
    input  wire         clk,
    input  wire         rst,

    input  wire         cfg_enable,
    input  wire [12:0]  cfg_ring_size,
    input  wire [15:0]  cfg_tail,

    input  wire [127:0] desc,
    input  wire [15:0]  desc_index,
    input  wire         desc_valid,
    output wire         desc_ready,

    output wire [63:0]  ar_addr,
    output wire [7:0]   ar_len,
    output wire         ar_valid,
    input  wire         ar_ready,
    input  wire [127:0] r_data,
    input  wire         r_valid,

    // Write-back queue: it must take every entry (see rs_outstanding)
    output reg  [127:0] wb_image,
    output reg  [15:0]  wb_index,
    output reg          wb_valid,
    input  wire [3:0]   wb_done_count,

    output wire [63:0]  m_axis_tdata,
    output wire [7:0]   m_axis_tkeep,
    output wire         m_axis_tvalid,
    input  wire         m_axis_tready,
    output wire         m_axis_tlast,

    output reg  [15:0]  status_head,     // TDH
    output reg          stat_txqe,       // pulse: the queue ran empty
    output wire         stat_csum_bad    // pulse: checksum offsets did not fit a frame
);

localparam FIFO = 1 << FIFO_LOG2;
localparam TRACK = 1 << TRACK_LOG2;

// Descriptor fields
wire [63:0] desc_addr = desc[`TXD_ADDR];
wire [15:0] desc_len = desc[`TXD_LENGTH];
wire        desc_eop = desc[`TXD_CMD_EOP];
wire        desc_rs = desc[`TXD_CMD_RS];
wire        desc_dext = desc[`TXD_CMD_DEXT];
wire        desc_is_context = desc_dext && desc[`CTXD_DTYP] == 4'd0;
// A data descriptor of length 0 moves no data (8254x SDM 3.3.3): it is
// consumed when taken, like a context descriptor (no DD, EOP ignored).
// Read as a burst it would ask for 256 beats (length - 1 wraps).
wire        desc_is_empty = !desc_is_context && desc_len == 16'd0;

// Offload context, from the last context descriptor taken
reg [7:0]  ctx_ipcss_reg, ctx_ipcso_reg, ctx_tucss_reg, ctx_tucso_reg;
reg [15:0] ctx_ipcse_reg, ctx_tucse_reg;
reg        ctx_udp_reg;    // TUCMD.TCP = 0

// Checksum request of a data descriptor:
// {l4_udp, l4_en, l4_start, l4_offset, l4_end, ip_en, ip_start, ip_offset, ip_end}
// (a legacy descriptor says nothing of the protocol: l4_udp = 0)
// (a function of the descriptor, called when a data descriptor is taken)
localparam CSUM_W = 67;
function [CSUM_W-1:0] desc_csum;
    /* verilator lint_off UNUSEDSIGNAL */
    input [127:0] d;    // the descriptor: its command and option bits
    /* verilator lint_on UNUSEDSIGNAL */
    begin
        desc_csum = d[`TXD_CMD_DEXT]
            ? {ctx_udp_reg, d[`DATD_POPTS_TXSM], ctx_tucss_reg, ctx_tucso_reg, ctx_tucse_reg,
               d[`DATD_POPTS_IXSM], ctx_ipcss_reg, ctx_ipcso_reg, ctx_ipcse_reg}
            : {1'b0, d[`TXD_CMD_IC], d[`TXD_CSS], d[`TXD_CSO], 16'd0, 1'b0, 8'd0, 8'd0, 16'd0};
    end
endfunction

// ---------------------------------------------------------------------------
// Read issue
reg [63:0]  rd_addr_reg;       // next address of the current descriptor
reg [15:0]  rd_left_reg;       // its bytes not yet requested
reg         rd_active_reg;     // a descriptor is being requested
reg [127:0] rd_desc_reg;
reg [15:0]  rd_index_reg;
reg [CSUM_W-1:0] rd_csum_reg;

reg [63:0]  ar_addr_reg;
reg [7:0]   ar_len_reg;
reg         ar_valid_reg;

// Per burst in flight: beats, bytes in its last beat, and what its end means
reg [8:0]   track_beats_mem [0:TRACK-1];
reg [4:0]   track_tail_mem [0:TRACK-1];
reg         track_desc_end_mem [0:TRACK-1];
reg [127:0] track_desc_mem [0:TRACK-1];
reg [CSUM_W-1:0] track_csum_mem [0:TRACK-1];
reg [15:0]  track_index_mem [0:TRACK-1];
reg [TRACK_LOG2:0] track_wr_reg;
reg [TRACK_LOG2:0] track_rd_reg;
reg [8:0]   beat_reg;          // beats of the head burst already arrived

// FIFO: data, valid bytes (1..16) and end-of-frame
reg [127:0] fifo_data_mem [0:FIFO-1];
reg [4:0]   fifo_bytes_mem [0:FIFO-1];
reg         fifo_eop_mem [0:FIFO-1];
reg [FIFO_LOG2:0] fifo_wr_reg;
reg [FIFO_LOG2:0] fifo_rd_reg;
reg [FIFO_LOG2:0] reserved_reg;   // words written or requested, not yet read out
reg [15:0]  frames_ready_reg;     // complete frames in the FIFO

wire track_full = (track_wr_reg - track_rd_reg) == TRACK[TRACK_LOG2:0];
reg  idle_reg;
wire queue_idle;

// The next burst of the current descriptor (split at 4 KiB), worked out only
// while a descriptor is being requested: `issue` needs rd_active_reg.
reg  [12:0] to_page;
reg  [16:0] burst_bytes;
reg  [8:0]  burst_beats;
reg         burst_ends_desc;
always @* begin
    to_page = 13'd0;
    burst_bytes = 17'd0;
    burst_beats = 9'd0;
    burst_ends_desc = 1'b0;
    if (rd_active_reg) begin
        to_page = 13'd4096 - {1'b0, rd_addr_reg[11:0]};
        burst_bytes = ({1'b0, rd_left_reg} > {4'd0, to_page}) ? {4'd0, to_page} : {1'b0, rd_left_reg};
        burst_beats = burst_bytes[12:4] + {8'd0, burst_bytes[3:0] != 4'd0};
        burst_ends_desc = burst_bytes[15:0] == rd_left_reg;
    end
end
wire [FIFO_LOG2:0] fifo_room = FIFO[FIFO_LOG2:0] - reserved_reg;

wire issue = rd_active_reg && !ar_valid_reg && !track_full
             && {{(FIFO_LOG2-8){1'b0}}, burst_beats} <= fifo_room;

// Descriptors with RS taken and not yet written back. Bounded by the
// write-back queue's depth, so a write-back entry never finds it full.
reg [5:0]   rs_outstanding_reg;

// Frames whose last descriptor was taken and whose checksum result the
// MAC feed has not used yet: bounded by the result FIFO's depth.
localparam RESULTS_LOG2 = 6;
reg [RESULTS_LOG2:0] frames_open_reg;

assign desc_ready = !rd_active_reg && cfg_enable && rs_outstanding_reg < 6'd32
                    && frames_open_reg < (1 << RESULTS_LOG2) - 1;
wire take_desc = desc_valid && desc_ready;
wire take_data = take_desc && !desc_is_context && !desc_is_empty;

// ---------------------------------------------------------------------------
// Read data
wire [TRACK_LOG2-1:0] track_head = track_rd_reg[TRACK_LOG2-1:0];
wire head_last_beat = beat_reg + 9'd1 == track_beats_mem[track_head];
wire head_desc_end = track_desc_end_mem[track_head];
// the descriptor image itself is read only when it is written back (desc_done)
wire head_eop_cmd = track_desc_mem[track_head][`TXD_CMD_EOP];
wire desc_done = r_valid && head_last_beat && head_desc_end;

assign queue_idle = cfg_enable && !rd_active_reg && !desc_valid && track_wr_reg == track_rd_reg
                    && status_head == cfg_tail;

// ---------------------------------------------------------------------------
// Checksums, computed as the data arrives
reg r_first_reg;     // the next R beat starts a frame
wire [CSUM_W-1:0] head_csum = track_csum_mem[track_head];
wire csum_valid;
wire csum_bad;
wire csum_l4, csum_ip;
wire [15:0] csum_l4_offset, csum_l4_value, csum_ip_offset, csum_ip_value;

verinic_tx_csum csum_inst (
    .clk(clk),
    .rst(rst),
    .beat_data(r_data),
    .beat_valid(r_valid),
    .beat_first(r_first_reg),
    .beat_last(head_last_beat && head_desc_end && head_eop_cmd),
    .beat_bytes((head_last_beat && head_desc_end) ? track_tail_mem[track_head] : 5'd16),
    .l4_en(head_csum[65]),
    .l4_udp(head_csum[66]),
    .l4_start(head_csum[64:57]),
    .l4_offset(head_csum[56:49]),
    .l4_end(head_csum[48:33]),
    .ip_en(head_csum[32]),
    .ip_start(head_csum[31:24]),
    .ip_offset(head_csum[23:16]),
    .ip_end(head_csum[15:0]),
    .result_valid(csum_valid),
    .result_bad(csum_bad),
    .result_l4(csum_l4),
    .result_l4_offset(csum_l4_offset),
    .result_l4_value(csum_l4_value),
    .result_ip(csum_ip),
    .result_ip_offset(csum_ip_offset),
    .result_ip_value(csum_ip_value)
);

assign stat_csum_bad = csum_valid && csum_bad;

// Results wait in order of frames: {l4, offset, value, ip, offset, value}
localparam RESULT_W = 66;
wire [RESULT_W-1:0] csum_result = {csum_l4, csum_l4_offset, csum_l4_value, csum_ip, csum_ip_offset, csum_ip_value};
reg [RESULT_W-1:0] result_mem [0:(1 << RESULTS_LOG2)-1];
reg [RESULTS_LOG2:0] result_wr_reg;
reg [RESULTS_LOG2:0] result_rd_reg;
reg [RESULT_W-1:0] frame_csum_reg;   // result of the frame being fed
reg [15:0] feed_off_reg;             // frame offset of the next half

// ---------------------------------------------------------------------------
// MAC feed: each FIFO word leaves as one or two 64-bit beats
reg [63:0] tdata_reg;
reg [7:0]  tkeep_reg;
reg        tvalid_reg;
reg        tlast_reg;
reg        in_frame_reg;
reg        upper_reg;         // next beat is the upper half of the head word

wire [4:0]   head_bytes = fifo_bytes_mem[fifo_rd_reg[FIFO_LOG2-1:0]];
wire         head_eop = fifo_eop_mem[fifo_rd_reg[FIFO_LOG2-1:0]];
wire         fifo_empty = fifo_wr_reg == fifo_rd_reg;
wire         out_free = !tvalid_reg || m_axis_tready;
wire         frame_start = !in_frame_reg && frames_ready_reg != 16'd0;
wire         feed = out_free && !fifo_empty && (in_frame_reg || frame_start);
// this beat finishes the head word: it is the upper half, or the word has no upper half
wire         word_done = upper_reg || head_bytes <= 5'd8;
wire [4:0]   half_bytes = upper_reg ? head_bytes - 5'd8 : (head_bytes > 5'd8 ? 5'd8 : head_bytes);

// The half about to leave, with checksum bytes written in (big-endian): the
// head FIFO word's upper or lower half, the frame's checksum result (the head
// of the result queue when the frame starts) and the half's frame offset.
// A function called under `feed` in the clocked process, with the FIFO word and
// the result read there: the Verilated model reads them and compares the 32
// lane offsets only when a beat leaves, not on every edge.
function [63:0] patch_half;
    input [127:0]        word;
    input                upper;
    input [RESULT_W-1:0] result;
    input [15:0]         at;       // frame offset of the half's byte 0
    integer l;
    begin
        patch_half = upper ? word[127:64] : word[63:0];
        for (l = 0; l < 8; l = l + 1) begin
            if (result[65] && at + l[15:0] == result[64:49])
                patch_half[8*l +: 8] = result[48:41];
            if (result[65] && at + l[15:0] == result[64:49] + 16'd1)
                patch_half[8*l +: 8] = result[40:33];
            if (result[32] && at + l[15:0] == result[31:16])
                patch_half[8*l +: 8] = result[15:8];
            if (result[32] && at + l[15:0] == result[31:16] + 16'd1)
                patch_half[8*l +: 8] = result[7:0];
        end
    end
endfunction

function [7:0] keep_of;
    input [4:0] n;
    begin
        keep_of = (n >= 5'd8) ? 8'hFF : ~(8'hFF << n[2:0]);
    end
endfunction

always @(posedge clk) begin
    wb_valid <= 1'b0;
    stat_txqe <= 1'b0;

    if (take_desc && desc_is_context) begin
        ctx_ipcss_reg <= desc[`CTXD_IPCSS];
        ctx_ipcso_reg <= desc[`CTXD_IPCSO];
        ctx_ipcse_reg <= desc[`CTXD_IPCSE];
        ctx_tucss_reg <= desc[`CTXD_TUCSS];
        ctx_tucso_reg <= desc[`CTXD_TUCSO];
        ctx_tucse_reg <= desc[`CTXD_TUCSE];
        ctx_udp_reg <= !desc[`CTXD_TUCMD_TCP];
    end
    if (take_data) begin
        rd_active_reg <= 1'b1;
        rd_addr_reg <= desc_addr;
        rd_left_reg <= desc_len;
        rd_desc_reg <= desc;
        rd_index_reg <= desc_index;
        rd_csum_reg <= desc_csum(desc);
    end

    if (ar_valid_reg && ar_ready) begin
        ar_valid_reg <= 1'b0;
    end
    if (issue) begin
        ar_addr_reg <= rd_addr_reg;
        ar_len_reg <= burst_beats[7:0] - 8'd1;
        ar_valid_reg <= 1'b1;
        rd_addr_reg <= rd_addr_reg + {47'd0, burst_bytes};
        rd_left_reg <= rd_left_reg - burst_bytes[15:0];
        if (burst_ends_desc) begin
            rd_active_reg <= 1'b0;
        end
        track_beats_mem[track_wr_reg[TRACK_LOG2-1:0]] <= burst_beats;
        track_tail_mem[track_wr_reg[TRACK_LOG2-1:0]] <=
            (burst_bytes[3:0] == 4'd0) ? 5'd16 : {1'b0, burst_bytes[3:0]};
        track_desc_end_mem[track_wr_reg[TRACK_LOG2-1:0]] <= burst_ends_desc;
        track_desc_mem[track_wr_reg[TRACK_LOG2-1:0]] <= rd_desc_reg;
        track_csum_mem[track_wr_reg[TRACK_LOG2-1:0]] <= rd_csum_reg;
        track_index_mem[track_wr_reg[TRACK_LOG2-1:0]] <= rd_index_reg;
        track_wr_reg <= track_wr_reg + 1'b1;
    end

    if (r_valid) begin
        fifo_data_mem[fifo_wr_reg[FIFO_LOG2-1:0]] <= r_data;
        fifo_bytes_mem[fifo_wr_reg[FIFO_LOG2-1:0]] <=
            (head_last_beat && head_desc_end) ? track_tail_mem[track_head] : 5'd16;
        fifo_eop_mem[fifo_wr_reg[FIFO_LOG2-1:0]] <= head_last_beat && head_desc_end && head_eop_cmd;
        fifo_wr_reg <= fifo_wr_reg + 1'b1;
        if (head_last_beat) begin
            beat_reg <= 9'd0;
            track_rd_reg <= track_rd_reg + 1'b1;
        end else begin
            beat_reg <= beat_reg + 9'd1;
        end
    end
    if (desc_done) begin
        status_head <= (track_index_mem[track_head] + 16'd1 == {3'd0, cfg_ring_size})
                       ? 16'd0 : track_index_mem[track_head] + 16'd1;
        wb_image <= track_desc_mem[track_head] | (128'd1 << `TXD_STA_DD);
        wb_index <= track_index_mem[track_head];
        wb_valid <= track_desc_mem[track_head][`TXD_CMD_RS];
    end
    rs_outstanding_reg <= rs_outstanding_reg + {5'd0, take_data && desc_rs} - {2'd0, wb_done_count};
    frames_open_reg <= frames_open_reg + {{RESULTS_LOG2{1'b0}}, take_data && desc_eop}
                                       - {{RESULTS_LOG2{1'b0}}, feed && frame_start};
    if (r_valid) begin
        r_first_reg <= head_last_beat && head_desc_end && head_eop_cmd;
    end
    if (csum_valid) begin
        result_mem[result_wr_reg[RESULTS_LOG2-1:0]] <= csum_result;
        result_wr_reg <= result_wr_reg + 1'b1;
    end
    if (feed && frame_start) begin
        result_rd_reg <= result_rd_reg + 1'b1;
        frame_csum_reg <= result_mem[result_rd_reg[RESULTS_LOG2-1:0]];
    end
    if (feed) begin
        feed_off_reg <= frame_start ? 16'd8 : feed_off_reg + 16'd8;
    end

    // TXQE: the ring is drained (head == tail) with nothing left in flight
    idle_reg <= queue_idle;
    if (queue_idle && !idle_reg) begin
        stat_txqe <= 1'b1;
    end

    if (tvalid_reg && m_axis_tready) begin
        tvalid_reg <= 1'b0;
    end
    if (feed) begin
        tdata_reg <= patch_half(fifo_data_mem[fifo_rd_reg[FIFO_LOG2-1:0]], upper_reg,
                                frame_start ? result_mem[result_rd_reg[RESULTS_LOG2-1:0]] : frame_csum_reg,
                                frame_start ? 16'd0 : feed_off_reg);
        tkeep_reg <= keep_of(half_bytes);
        tlast_reg <= word_done && head_eop;
        tvalid_reg <= 1'b1;
        in_frame_reg <= !(word_done && head_eop);
        upper_reg <= !word_done;
        if (word_done) begin
            fifo_rd_reg <= fifo_rd_reg + 1'b1;
        end
    end

    reserved_reg <= reserved_reg
        + (issue ? {{(FIFO_LOG2-8){1'b0}}, burst_beats} : {(FIFO_LOG2+1){1'b0}})
        - {{FIFO_LOG2{1'b0}}, feed && word_done};
    // A frame is ready once its checksum result is in (the cycle after its last beat)
    frames_ready_reg <= frames_ready_reg + {15'd0, csum_valid} - {15'd0, feed && frame_start};

    if (rst || !cfg_enable) begin
        rd_active_reg <= 1'b0;
    end
    if (rst) begin
        ar_valid_reg <= 1'b0;
        track_wr_reg <= {(TRACK_LOG2+1){1'b0}};
        track_rd_reg <= {(TRACK_LOG2+1){1'b0}};
        beat_reg <= 9'd0;
        fifo_wr_reg <= {(FIFO_LOG2+1){1'b0}};
        fifo_rd_reg <= {(FIFO_LOG2+1){1'b0}};
        reserved_reg <= {(FIFO_LOG2+1){1'b0}};
        frames_ready_reg <= 16'd0;
        tvalid_reg <= 1'b0;
        in_frame_reg <= 1'b0;
        upper_reg <= 1'b0;
        wb_valid <= 1'b0;
        stat_txqe <= 1'b0;
        status_head <= 16'd0;
        rs_outstanding_reg <= 6'd0;
        idle_reg <= 1'b1;
        frames_open_reg <= {(RESULTS_LOG2+1){1'b0}};
        r_first_reg <= 1'b1;
        result_wr_reg <= {(RESULTS_LOG2+1){1'b0}};
        result_rd_reg <= {(RESULTS_LOG2+1){1'b0}};
        ctx_ipcss_reg <= 8'd0;
        ctx_ipcso_reg <= 8'd0;
        ctx_ipcse_reg <= 16'd0;
        ctx_tucss_reg <= 8'd0;
        ctx_tucso_reg <= 8'd0;
        ctx_tucse_reg <= 16'd0;
        ctx_udp_reg <= 1'b0;
    end
    if (!cfg_enable) begin
        status_head <= 16'd0;
    end
end

assign ar_addr = ar_addr_reg;
assign ar_len = ar_len_reg;
assign ar_valid = ar_valid_reg;
assign m_axis_tdata = tdata_reg;
assign m_axis_tkeep = tkeep_reg;
assign m_axis_tvalid = tvalid_reg;
assign m_axis_tlast = tlast_reg;

endmodule

`resetall
