// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_rx_fifo: store-and-forward receive frame FIFO.
//
// Takes packets from the MAC (which cannot wait) and keeps whole good frames
// until the DMA engine takes them. A packet the MAC flagged bad is dropped
// (the MAC counted it). A good frame that does not fit - data memory full or
// 2^FRAMES_LOG2 frames already waiting - is dropped and reported on
// stat_drop_full (e1000's MPC and ICR.RXO). Space is reclaimed only at a
// frame's end, so a dropped frame never leaves a fragment behind.
//
// Frames are stored as 128-bit words (two MAC beats each, every frame starting
// on a word), so the DMA side can take 16 bytes per cycle: twice line rate.
//
// Read side: m_frame_len is the byte length of the oldest frame; its 128-bit
// words follow on m_data (byte 0 in bits 7:0), and m_frame_pop retires the
// frame once all of them were taken.
//
// stat_frames: whole frames waiting (committed, not yet popped), one cycle
// late; an observation port for the timeline, not used inside the NIC.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_rx_fifo #(
    // log2 of the data memory in 128-bit words (10: 16 KiB)
    parameter ADDR_LOG2 = 10,
    // log2 of the number of frames that can wait
    parameter FRAMES_LOG2 = 6
) (
    input  wire        clk,
    input  wire        rst,

    input  wire [63:0] s_axis_tdata,
    input  wire [7:0]  s_axis_tkeep,
    input  wire        s_axis_tvalid,
    input  wire        s_axis_tlast,
    input  wire        s_axis_tuser,

    // Per-frame metadata, taken with the frame's last beat
    input  wire [31:0] s_meta,

    output wire [15:0] m_frame_len,
    output wire [31:0] m_frame_meta,
    output wire        m_frame_valid,
    input  wire        m_frame_pop,

    output wire [127:0] m_data,
    output wire        m_data_valid,
    input  wire        m_data_ready,

    output reg         stat_drop_full,
    output reg  [FRAMES_LOG2:0] stat_frames
);

localparam WORDS = 1 << ADDR_LOG2;
localparam FRAMES = 1 << FRAMES_LOG2;

reg [127:0] mem [0:WORDS-1];
reg [63:0] half_reg;              // first MAC beat of a word being assembled
reg        half_valid_reg;
reg [ADDR_LOG2:0] wr_ptr_reg;     // next word to write (tentative)
reg [ADDR_LOG2:0] commit_ptr_reg; // end of the last committed frame
reg [ADDR_LOG2:0] rd_ptr_reg;     // next word to read into the output register
reg [15:0] frame_len_reg;         // bytes of the frame being written
reg        overflow_reg;          // the frame being written did not fit

reg [15:0] len_mem [0:FRAMES-1];
reg [31:0] meta_mem [0:FRAMES-1];
reg [FRAMES_LOG2:0] len_wr_reg;
reg [FRAMES_LOG2:0] len_rd_reg;

reg [127:0] out_data_reg;
reg        out_valid_reg;

wire space = (wr_ptr_reg - rd_ptr_reg) != WORDS[ADDR_LOG2:0];
wire frames_full = (len_wr_reg - len_rd_reg) == FRAMES[FRAMES_LOG2:0];
wire [3:0] beat_bytes = s_axis_tkeep[7] ? 4'd8 : s_axis_tkeep[6] ? 4'd7 :
                        s_axis_tkeep[5] ? 4'd6 : s_axis_tkeep[4] ? 4'd5 :
                        s_axis_tkeep[3] ? 4'd4 : s_axis_tkeep[2] ? 4'd3 :
                        s_axis_tkeep[1] ? 4'd2 : s_axis_tkeep[0] ? 4'd1 : 4'd0;

wire load = rd_ptr_reg != commit_ptr_reg && (!out_valid_reg || m_data_ready);

always @(posedge clk) begin
    stat_drop_full <= 1'b0;
    stat_frames <= len_wr_reg - len_rd_reg;

    if (s_axis_tvalid) begin
        if (!half_valid_reg && !s_axis_tlast) begin
            half_reg <= s_axis_tdata;
            half_valid_reg <= 1'b1;
        end else begin
            half_valid_reg <= 1'b0;
            if (space && !overflow_reg) begin
                mem[wr_ptr_reg[ADDR_LOG2-1:0]] <= half_valid_reg ? {s_axis_tdata, half_reg}
                                                                 : {64'd0, s_axis_tdata};
                wr_ptr_reg <= wr_ptr_reg + 1'b1;
            end else begin
                overflow_reg <= 1'b1;
            end
        end
        frame_len_reg <= frame_len_reg + {12'd0, beat_bytes};
        if (s_axis_tlast) begin
            frame_len_reg <= 16'd0;
            overflow_reg <= 1'b0;
            if (s_axis_tuser || overflow_reg || !space || frames_full) begin
                wr_ptr_reg <= commit_ptr_reg;
                stat_drop_full <= !s_axis_tuser;
            end else begin
                commit_ptr_reg <= wr_ptr_reg + 1'b1;
                len_mem[len_wr_reg[FRAMES_LOG2-1:0]] <= frame_len_reg + {12'd0, beat_bytes};
                meta_mem[len_wr_reg[FRAMES_LOG2-1:0]] <= s_meta;
                len_wr_reg <= len_wr_reg + 1'b1;
            end
        end
    end

    if (load) begin
        out_data_reg <= mem[rd_ptr_reg[ADDR_LOG2-1:0]];
        out_valid_reg <= 1'b1;
        rd_ptr_reg <= rd_ptr_reg + 1'b1;
    end else if (m_data_ready) begin
        out_valid_reg <= 1'b0;
    end

    if (m_frame_pop) begin
        len_rd_reg <= len_rd_reg + 1'b1;
    end

    if (rst) begin
        wr_ptr_reg <= {(ADDR_LOG2+1){1'b0}};
        commit_ptr_reg <= {(ADDR_LOG2+1){1'b0}};
        rd_ptr_reg <= {(ADDR_LOG2+1){1'b0}};
        frame_len_reg <= 16'd0;
        overflow_reg <= 1'b0;
        half_valid_reg <= 1'b0;
        len_wr_reg <= {(FRAMES_LOG2+1){1'b0}};
        len_rd_reg <= {(FRAMES_LOG2+1){1'b0}};
        out_valid_reg <= 1'b0;
        stat_drop_full <= 1'b0;
        stat_frames <= {(FRAMES_LOG2+1){1'b0}};
    end
end

assign m_frame_len = len_mem[len_rd_reg[FRAMES_LOG2-1:0]];
assign m_frame_meta = meta_mem[len_rd_reg[FRAMES_LOG2-1:0]];
assign m_frame_valid = len_wr_reg != len_rd_reg;
assign m_data = out_data_reg;
assign m_data_valid = out_valid_reg;

endmodule

`resetall
