// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_rx_dma: moves received frames from the frame FIFO into the buffers
// the driver posted on the RX ring.
//
// For each frame it takes the next cached descriptor, writes the frame into
// that buffer in 128-bit bursts (split at 4 KiB), and moves on to further
// descriptors when the frame is longer than one buffer (cfg_buf_size, from
// RCTL.BSIZE). A descriptor is handed to the write-back queue with its final
// length, DD and, on the frame's last one, EOP - but only once the write of
// its data was acknowledged, so the driver can never see DD before the data.
//
// A frame that finds the ring empty (head == tail, nothing cached) waits in
// the FIFO and is counted once on stat_rnbc (e1000's RNBC); while it waits,
// later frames fill the FIFO and are dropped there (MPC).

`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "verinic_desc.vh"

module verinic_rx_dma #(
    // log2 of the data bursts that may await their B at once
    parameter TRACK_LOG2 = 4
) (
    input  wire         clk,
    input  wire         rst,

    input  wire         cfg_enable,
    input  wire [12:0]  cfg_buf_size,     // bytes, a multiple of 16

    input  wire [15:0]  s_frame_len,
    input  wire [31:0]  s_frame_meta,     // {checksum, errors, status} for the EOP descriptor
    input  wire         s_frame_valid,
    output wire         s_frame_pop,
    input  wire [127:0] s_data,
    input  wire         s_data_valid,
    output wire         s_data_ready,

    input  wire [63:0]  desc_addr,
    input  wire [15:0]  desc_index,
    input  wire         desc_valid,
    output reg          desc_ready,
    input  wire         ring_empty,

    output wire [63:0]  aw_addr,
    output wire [7:0]   aw_len,
    output wire         aw_valid,
    input  wire         aw_ready,
    output wire [127:0] w_data,
    output wire [15:0]  w_strb,
    output wire         w_last,
    output wire         w_valid,
    input  wire         w_ready,
    input  wire         b_valid,

    output wire [127:0] wb_image,
    output wire [15:0]  wb_index,
    output wire         wb_valid,
    input  wire         wb_ready,

    output reg          stat_rnbc
);

localparam TRACK = 1 << TRACK_LOG2;

localparam [1:0]
    STATE_IDLE  = 2'd0,
    STATE_BURST = 2'd1,
    STATE_DATA  = 2'd2,
    STATE_NEXT  = 2'd3;

reg [1:0]  state_reg;
reg [15:0] frame_left_reg;    // frame bytes not yet covered by a burst
reg [63:0] buf_base_reg;      // buffer of the current descriptor
reg [15:0] buf_index_reg;
reg [63:0] buf_addr_reg;      // next address to write in it
reg [12:0] buf_left_reg;      // room left in it
reg [15:0] buf_len_reg;       // bytes written to it so far
reg [8:0]  beats_left_reg;    // W beats left in the current burst
reg [12:0] burst_bytes_left_reg;
reg        rnbc_counted_reg;  // the waiting frame was already counted
reg [31:0] frame_meta_reg;

reg [63:0] aw_addr_reg;
reg [7:0]  aw_len_reg;
reg        aw_valid_reg;

// Bursts awaiting their B; `done` ones complete a descriptor
reg          track_done_mem [0:TRACK-1];
reg [127:0]  track_image_mem [0:TRACK-1];
reg [15:0]   track_index_mem [0:TRACK-1];
reg [TRACK_LOG2:0] track_wr_reg;
reg [TRACK_LOG2:0] track_rd_reg;
reg [TRACK_LOG2:0] b_count_reg;   // B responses received, entries not yet retired

wire track_full = (track_wr_reg - track_rd_reg) == TRACK[TRACK_LOG2:0];

// Size of the next burst: to the frame's end, the buffer's end or 4 KiB
// The next burst and its descriptor image are needed in STATE_BURST only
// (`issue`): worked out there alone, so the Verilated model skips them otherwise.
reg  [12:0] to_page;
reg  [12:0] burst_bytes;
always @* begin
    to_page = 13'd0;
    burst_bytes = 13'd0;
    if (state_reg == STATE_BURST) begin
        to_page = 13'd4096 - {1'b0, buf_addr_reg[11:0]};
        burst_bytes = buf_left_reg;
        if ({3'd0, burst_bytes} > frame_left_reg) burst_bytes = frame_left_reg[12:0];
        if (burst_bytes > to_page) burst_bytes = to_page;
    end
end
wire [8:0] burst_beats = burst_bytes[12:4] + {8'd0, burst_bytes[3:0] != 4'd0};
wire burst_ends_frame = {3'd0, burst_bytes} == frame_left_reg;
wire burst_ends_buffer = burst_bytes == buf_left_reg || burst_ends_frame;
wire [15:0] buf_len_after = buf_len_reg + {3'd0, burst_bytes};

// The write-back image (fields in verinic_desc.vh): DD always; the checksum
// verdict and raw sum go on the frame's last descriptor, with EOP
reg [127:0] image;
always @* begin
    image = 128'd0;
    if (state_reg == STATE_BURST) begin
        image[`RXD_ADDR] = buf_base_reg;
        image[`RXD_LENGTH] = buf_len_after;
        if (burst_ends_frame) begin
            image[`RXD_CSUM] = frame_meta_reg[31:16];
            image[`RXD_STATUS] = frame_meta_reg[7:0];
            image[`RXD_ERRORS] = frame_meta_reg[15:8];
            image[`RXD_STA_EOP] = 1'b1;
        end
        image[`RXD_STA_DD] = 1'b1;
    end
end

wire w_fire = w_valid && w_ready;
wire issue = state_reg == STATE_BURST && !aw_valid_reg && !track_full;
wire take_first = state_reg == STATE_IDLE && s_frame_valid && desc_valid;
wire take_next = state_reg == STATE_NEXT && desc_valid;

always @* begin
    desc_ready = take_first || take_next;
end

wire retire = b_count_reg != {(TRACK_LOG2+1){1'b0}}
              && (!track_done_mem[track_rd_reg[TRACK_LOG2-1:0]] || wb_ready);

always @(posedge clk) begin
    stat_rnbc <= 1'b0;

    if (aw_valid_reg && aw_ready) begin
        aw_valid_reg <= 1'b0;
    end

    case (state_reg)
        STATE_IDLE: begin
            if (take_first) begin
                frame_left_reg <= s_frame_len;
                frame_meta_reg <= s_frame_meta;
                rnbc_counted_reg <= 1'b0;
            end else if (s_frame_valid && ring_empty && !rnbc_counted_reg) begin
                stat_rnbc <= 1'b1;
                rnbc_counted_reg <= 1'b1;
            end
        end
        STATE_BURST: begin
            if (issue) begin
                aw_addr_reg <= buf_addr_reg;
                aw_len_reg <= burst_beats[7:0] - 8'd1;
                aw_valid_reg <= 1'b1;
                beats_left_reg <= burst_beats;
                burst_bytes_left_reg <= burst_bytes;
                buf_addr_reg <= buf_addr_reg + {51'd0, burst_bytes};
                buf_left_reg <= buf_left_reg - burst_bytes;
                buf_len_reg <= buf_len_after;
                frame_left_reg <= frame_left_reg - {3'd0, burst_bytes};
                track_done_mem[track_wr_reg[TRACK_LOG2-1:0]] <= burst_ends_buffer;
                track_image_mem[track_wr_reg[TRACK_LOG2-1:0]] <= image;
                track_index_mem[track_wr_reg[TRACK_LOG2-1:0]] <= buf_index_reg;
                track_wr_reg <= track_wr_reg + 1'b1;
                state_reg <= STATE_DATA;
            end
        end
        STATE_DATA: begin
            if (w_fire) begin
                beats_left_reg <= beats_left_reg - 9'd1;
                burst_bytes_left_reg <= burst_bytes_left_reg - 13'd16;
                if (beats_left_reg == 9'd1) begin
                    if (frame_left_reg == 16'd0) begin
                        state_reg <= STATE_IDLE;
                    end else if (buf_left_reg == 13'd0) begin
                        state_reg <= STATE_NEXT;
                    end else begin
                        state_reg <= STATE_BURST;
                    end
                end
            end
        end
        default: ; // STATE_NEXT: waits for take_next below
    endcase

    if (take_first || take_next) begin
        buf_base_reg <= desc_addr;
        buf_addr_reg <= desc_addr;
        buf_index_reg <= desc_index;
        buf_left_reg <= cfg_buf_size;
        buf_len_reg <= 16'd0;
        state_reg <= STATE_BURST;
    end

    b_count_reg <= b_count_reg + {{TRACK_LOG2{1'b0}}, b_valid} - {{TRACK_LOG2{1'b0}}, retire};
    if (retire) begin
        track_rd_reg <= track_rd_reg + 1'b1;
    end

    if (rst || !cfg_enable) begin
        state_reg <= STATE_IDLE;
        rnbc_counted_reg <= 1'b0;
    end
    if (rst) begin
        aw_valid_reg <= 1'b0;
        track_wr_reg <= {(TRACK_LOG2+1){1'b0}};
        track_rd_reg <= {(TRACK_LOG2+1){1'b0}};
        b_count_reg <= {(TRACK_LOG2+1){1'b0}};
        stat_rnbc <= 1'b0;
    end
end

// Retire the frame with its last beat, so IDLE never sees it again
assign s_frame_pop = state_reg == STATE_DATA && w_fire && beats_left_reg == 9'd1 && frame_left_reg == 16'd0;

assign aw_addr = aw_addr_reg;
assign aw_len = aw_len_reg;
assign aw_valid = aw_valid_reg;
assign w_data = s_data;
assign w_strb = (burst_bytes_left_reg >= 13'd16) ? 16'hFFFF
                                                 : ~(16'hFFFF << burst_bytes_left_reg[3:0]);
assign w_last = beats_left_reg == 9'd1;
assign w_valid = state_reg == STATE_DATA && s_data_valid;
assign s_data_ready = state_reg == STATE_DATA && w_ready;

assign wb_valid = b_count_reg != {(TRACK_LOG2+1){1'b0}} && track_done_mem[track_rd_reg[TRACK_LOG2-1:0]];
assign wb_image = track_image_mem[track_rd_reg[TRACK_LOG2-1:0]];
assign wb_index = track_index_mem[track_rd_reg[TRACK_LOG2-1:0]];

endmodule

`resetall
