// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_desc_fetch: reads descriptors ahead from a ring in host memory.
//
// Keeps a cache of up to 2^CACHE_LOG2 descriptors fetched from the ring
// between its own fetch pointer and the tail the driver wrote. It asks for
// bursts of up to MAX_BURST descriptors (one 128-bit beat each) as soon as
// cache room and ring entries allow, several at a time, so that host memory
// latency is hidden; bursts never wrap the ring or cross a 4 KiB boundary.
// Room is reserved before each request, so read data is always accepted.
// Descriptors leave in ring order with their ring index.
//
// cfg_enable low empties the cache and rewinds to index 0 (the ring is being
// set up); a request already in flight is still absorbed.
//
// Misprogramming is contained to the ring (docs/nic.md, "Misprogramming"):
// a tail at or beyond the ring's end is ignored (nothing is fetched until a
// valid tail is written), and a fetch pointer left beyond the end by a ring
// shrunk while enabled wraps to 0, so no descriptor is ever read from (or
// written back to) outside [base, base + size).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_desc_fetch #(
    parameter CACHE_LOG2 = 5,
    parameter MAX_BURST = 8
) (
    input  wire         clk,
    input  wire         rst,

    input  wire         cfg_enable,
    input  wire [63:0]  cfg_ring_base,
    input  wire [12:0]  cfg_ring_size,     // descriptors, 8..4096
    input  wire [15:0]  cfg_tail,

    output wire [63:0]  ar_addr,
    output wire [7:0]   ar_len,
    output wire         ar_valid,
    input  wire         ar_ready,
    input  wire [127:0] r_data,
    input  wire         r_valid,

    output wire [127:0] m_desc,
    output wire [15:0]  m_index,
    output wire         m_valid,
    input  wire         m_ready,

    // Nothing cached, nothing in flight and fetch pointer == tail
    output wire         status_ring_empty
);

localparam CACHE = 1 << CACHE_LOG2;

reg [127:0] cache_mem [0:CACHE-1];
reg [CACHE_LOG2:0] wr_ptr_reg;
reg [CACHE_LOG2:0] rd_ptr_reg;
reg [15:0] out_index_reg;      // ring index of the cache head
reg [15:0] fetch_index_reg;    // next ring index to request
reg [CACHE_LOG2:0] inflight_reg;  // descriptors requested, not yet arrived
reg [63:0] ar_addr_reg;
reg [7:0]  ar_len_reg;
reg        ar_valid_reg;
reg        enabled_reg;

wire [CACHE_LOG2:0] cached = wr_ptr_reg - rd_ptr_reg;
wire [CACHE_LOG2:0] room = CACHE[CACHE_LOG2:0] - cached - inflight_reg;

wire [15:0] ring_size = {3'd0, cfg_ring_size};
// A tail or a fetch index past the ring (misprogramming, or a ring shrunk
// under the fetch pointer) makes nothing available.
wire        tail_ok = cfg_tail < ring_size;
wire        index_ok = fetch_index_reg < ring_size;

// The next read burst, worked out only when one can be issued (the Verilated
// model skips it otherwise)
wire can_issue = enabled_reg && cfg_enable && !ar_valid_reg;
reg [15:0] avail;
reg [15:0] to_ring_end;
reg [63:0] next_addr;
reg [15:0] to_page_end;    // descriptors to the 4 KiB boundary
reg [15:0] burst;
always @* begin
    avail = 16'd0;
    to_ring_end = 16'd0;
    next_addr = 64'd0;
    to_page_end = 16'd0;
    burst = 16'd0;
    if (can_issue) begin
        avail = (!tail_ok || !index_ok) ? 16'd0
              : (cfg_tail >= fetch_index_reg) ? cfg_tail - fetch_index_reg
                                              : cfg_tail + ring_size - fetch_index_reg;
        to_ring_end = ring_size - fetch_index_reg;
        next_addr = cfg_ring_base + {44'd0, fetch_index_reg, 4'd0};
        to_page_end = 16'd256 - {8'd0, next_addr[11:4]};
        burst = avail;
        if (to_ring_end < burst) burst = to_ring_end;
        if (to_page_end < burst) burst = to_page_end;
        if ({{(15-CACHE_LOG2){1'b0}}, room} < burst) burst = {{(15-CACHE_LOG2){1'b0}}, room};
        if (MAX_BURST < burst) burst = MAX_BURST;
    end
end

wire issue = can_issue && burst != 16'd0;
wire pop = m_valid && m_ready;

always @(posedge clk) begin
    enabled_reg <= cfg_enable;
    if (ar_valid_reg && ar_ready) begin
        ar_valid_reg <= 1'b0;
    end
    if (!index_ok) begin
        fetch_index_reg <= 16'd0;
    end
    if (issue) begin
        ar_addr_reg <= next_addr;
        ar_len_reg <= burst[7:0] - 8'd1;
        ar_valid_reg <= 1'b1;
        fetch_index_reg <= (fetch_index_reg + burst == ring_size) ? 16'd0 : fetch_index_reg + burst;
    end
    inflight_reg <= inflight_reg + (issue ? burst[CACHE_LOG2:0] : {(CACHE_LOG2+1){1'b0}})
                                 - {{CACHE_LOG2{1'b0}}, r_valid};
    if (r_valid) begin
        cache_mem[wr_ptr_reg[CACHE_LOG2-1:0]] <= r_data;
        wr_ptr_reg <= wr_ptr_reg + 1'b1;
    end
    if (pop) begin
        rd_ptr_reg <= rd_ptr_reg + 1'b1;
        out_index_reg <= (out_index_reg + 16'd1 >= ring_size) ? 16'd0 : out_index_reg + 16'd1;
    end

    // Disabled: forget the ring, but keep counting data still in flight
    if (rst || !cfg_enable) begin
        wr_ptr_reg <= {(CACHE_LOG2+1){1'b0}};
        rd_ptr_reg <= {(CACHE_LOG2+1){1'b0}};
        out_index_reg <= 16'd0;
        fetch_index_reg <= 16'd0;
    end
    if (rst) begin
        inflight_reg <= {(CACHE_LOG2+1){1'b0}};
        ar_valid_reg <= 1'b0;
        enabled_reg <= 1'b0;
    end
end

assign ar_addr = ar_addr_reg;
assign ar_len = ar_len_reg;
assign ar_valid = ar_valid_reg;
assign m_desc = cache_mem[rd_ptr_reg[CACHE_LOG2-1:0]];
assign m_index = out_index_reg;
assign m_valid = cached != {(CACHE_LOG2+1){1'b0}};
assign status_ring_empty = cached == {(CACHE_LOG2+1){1'b0}} && inflight_reg == {(CACHE_LOG2+1){1'b0}}
                           && fetch_index_reg == cfg_tail;

endmodule

`resetall
