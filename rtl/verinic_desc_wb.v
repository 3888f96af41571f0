// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_desc_wb: writes finished descriptors back to a ring in host memory.
//
// Takes descriptor images (with DD set by the caller) and their ring indices,
// and writes them back in bursts: every queued descriptor with consecutive
// indices, up to MAX_BURST, not wrapping the ring or crossing 4 KiB, goes
// out as one burst. When the write is acknowledged (B), done_count says how
// many descriptors it held and done_next is the index after the last one:
// only then is the descriptor visible to the driver.

`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "verinic_desc.vh"

module verinic_desc_wb #(
    parameter QUEUE_LOG2 = 5,
    parameter MAX_BURST = 8,
    // log2 of the write-back bursts that may await their B at once
    parameter TRACK_LOG2 = 3,
    // Bit of the descriptor image that marks a frame's last descriptor
    parameter EOP_BIT = `RXD_STA_EOP,
    // Bit reported as done_flag when any descriptor of a burst has it set
    parameter FLAG_BIT = `TXD_CMD_IDE
) (
    input  wire         clk,
    input  wire         rst,

    input  wire [63:0]  cfg_ring_base,
    input  wire [12:0]  cfg_ring_size,

    input  wire [127:0] s_image,
    input  wire [15:0]  s_index,
    input  wire         s_valid,
    output wire         s_ready,

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

    output reg  [3:0]   done_count,   // descriptors completed this cycle
    output reg  [3:0]   done_frames,  // of which frame ends (EOP_BIT set)
    output reg          done_flag,    // some of them had FLAG_BIT set
    output reg  [15:0]  done_next,    // ring index after the last completed one
    output wire         status_idle   // nothing queued, nothing in flight
);

localparam QUEUE = 1 << QUEUE_LOG2;
localparam TRACK = 1 << TRACK_LOG2;

reg [127:0] image_mem [0:QUEUE-1];
reg [15:0]  index_mem [0:QUEUE-1];
reg [QUEUE_LOG2:0] wr_ptr_reg;
reg [QUEUE_LOG2:0] rd_ptr_reg;

// Burst being written: descriptors left to send
reg [3:0]   beats_left_reg;
reg         aw_valid_reg;
reg [63:0]  aw_addr_reg;
reg [7:0]   aw_len_reg;

// Bursts awaiting B: (descriptor count, index after the last)
reg [3:0]   track_count_mem [0:TRACK-1];
reg [3:0]   track_frames_mem [0:TRACK-1];
reg         track_flag_mem [0:TRACK-1];
reg [15:0]  track_next_mem [0:TRACK-1];
reg [TRACK_LOG2:0] track_wr_reg;
reg [TRACK_LOG2:0] track_rd_reg;

wire [QUEUE_LOG2:0] queued = wr_ptr_reg - rd_ptr_reg;
wire track_full = (track_wr_reg - track_rd_reg) == TRACK[TRACK_LOG2:0];
wire [15:0] ring_size = {3'd0, cfg_ring_size};

assign s_ready = queued != QUEUE[QUEUE_LOG2:0];

// How many queued descriptors, from the head, form one burst
reg [3:0]  burst;
reg [3:0]  burst_frames;
reg        burst_flag;
reg [15:0] head_index;
reg [15:0] expect_index;
reg        run_open;
integer    i;
// Worked out only when a burst can start (`start` needs the same three
// conditions), so that the Verilated model does not run the eight-entry
// search on every edge.
always @* begin
    head_index = index_mem[rd_ptr_reg[QUEUE_LOG2-1:0]];
    burst = 4'd0;
    burst_frames = 4'd0;
    burst_flag = 1'b0;
    run_open = 1'b1;
    expect_index = head_index;
    i = 0;
    if (beats_left_reg == 4'd0 && !aw_valid_reg && !track_full) begin
        for (i = 0; i < MAX_BURST; i = i + 1) begin
            if (run_open && i < {{(31-QUEUE_LOG2){1'b0}}, queued}
                    && index_mem[(rd_ptr_reg[QUEUE_LOG2-1:0] + i[QUEUE_LOG2-1:0])] == expect_index
                    && expect_index < ring_size
                    && (i == 0 || cfg_ring_base[11:4] + expect_index[7:0] != 8'd0)) begin
                burst = burst + 4'd1;
                burst_frames = burst_frames
                    + {3'd0, image_mem[(rd_ptr_reg[QUEUE_LOG2-1:0] + i[QUEUE_LOG2-1:0])][EOP_BIT]};
                burst_flag = burst_flag | image_mem[(rd_ptr_reg[QUEUE_LOG2-1:0] + i[QUEUE_LOG2-1:0])][FLAG_BIT];
                expect_index = expect_index + 16'd1;
            end else begin
                run_open = 1'b0;
            end
        end
    end
end

wire start = beats_left_reg == 4'd0 && !aw_valid_reg && burst != 4'd0 && !track_full;
wire w_fire = w_valid && w_ready;

always @(posedge clk) begin
    done_count <= 4'd0;
    done_frames <= 4'd0;
    done_flag <= 1'b0;

    if (s_valid && s_ready) begin
        image_mem[wr_ptr_reg[QUEUE_LOG2-1:0]] <= s_image;
        index_mem[wr_ptr_reg[QUEUE_LOG2-1:0]] <= s_index;
        wr_ptr_reg <= wr_ptr_reg + 1'b1;
    end

    if (aw_valid_reg && aw_ready) begin
        aw_valid_reg <= 1'b0;
    end
    if (start) begin
        aw_addr_reg <= cfg_ring_base + {44'd0, head_index, 4'd0};
        aw_len_reg <= {4'd0, burst} - 8'd1;
        aw_valid_reg <= 1'b1;
        beats_left_reg <= burst;
        track_count_mem[track_wr_reg[TRACK_LOG2-1:0]] <= burst;
        track_frames_mem[track_wr_reg[TRACK_LOG2-1:0]] <= burst_frames;
        track_flag_mem[track_wr_reg[TRACK_LOG2-1:0]] <= burst_flag;
        track_next_mem[track_wr_reg[TRACK_LOG2-1:0]] <=
            (head_index + {12'd0, burst} == ring_size) ? 16'd0 : head_index + {12'd0, burst};
        track_wr_reg <= track_wr_reg + 1'b1;
    end
    if (w_fire) begin
        beats_left_reg <= beats_left_reg - 4'd1;
        rd_ptr_reg <= rd_ptr_reg + 1'b1;
    end

    if (b_valid) begin
        done_count <= track_count_mem[track_rd_reg[TRACK_LOG2-1:0]];
        done_frames <= track_frames_mem[track_rd_reg[TRACK_LOG2-1:0]];
        done_flag <= track_flag_mem[track_rd_reg[TRACK_LOG2-1:0]];
        done_next <= track_next_mem[track_rd_reg[TRACK_LOG2-1:0]];
        track_rd_reg <= track_rd_reg + 1'b1;
    end

    if (rst) begin
        wr_ptr_reg <= {(QUEUE_LOG2+1){1'b0}};
        rd_ptr_reg <= {(QUEUE_LOG2+1){1'b0}};
        beats_left_reg <= 4'd0;
        aw_valid_reg <= 1'b0;
        track_wr_reg <= {(TRACK_LOG2+1){1'b0}};
        track_rd_reg <= {(TRACK_LOG2+1){1'b0}};
        done_count <= 4'd0;
        done_frames <= 4'd0;
        done_flag <= 1'b0;
        done_next <= 16'd0;
    end
end

assign aw_addr = aw_addr_reg;
assign aw_len = aw_len_reg;
assign aw_valid = aw_valid_reg;
// W beats come straight from the queue head; the arbiter registers them.
assign w_data = image_mem[rd_ptr_reg[QUEUE_LOG2-1:0]];
assign w_strb = 16'hFFFF;
assign w_last = beats_left_reg == 4'd1;
assign w_valid = beats_left_reg != 4'd0;
assign status_idle = queued == {(QUEUE_LOG2+1){1'b0}} && track_wr_reg == track_rd_reg;

endmodule

`resetall
