// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_rx_head: the RX ring's head (RDH) and the RXDMT0 event.
//
// RDH moves when descriptor write-backs complete (the write-back block
// reports how many completed and the index after the last). RXDMT0 fires
// for one cycle when the descriptors the device still owns (RDT - RDH, mod
// the ring size) fall below RCTL.RDMTS's share of the ring: 1/2, 1/4 or 1/8.
// Moved out of verinic_nic.v unchanged, cycle for cycle.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_rx_head (
    input  wire        clk,
    input  wire        rst,

    input  wire        cfg_enable,        // RCTL.EN; clearing it resets RDH
    input  wire [12:0] cfg_ring_size,     // descriptors in the ring
    input  wire [1:0]  cfg_rdmts,         // RCTL.RDMTS
    input  wire [15:0] cfg_tail,          // RDT

    input  wire [3:0]  done_count,        // write-backs completed this cycle
    input  wire [15:0] done_next,         // ring index after the last of them

    output reg  [15:0] status_head,       // RDH
    output reg         stat_rxdmt0        // pulse: below the RDMTS threshold
);

wire [15:0] ring_size = {3'd0, cfg_ring_size};
wire [15:0] owned = (cfg_tail >= status_head) ? cfg_tail - status_head
                                              : cfg_tail + ring_size - status_head;
wire [15:0] owned_threshold = ring_size >> (cfg_rdmts + 2'd1);
reg         below_reg;

always @(posedge clk) begin
    if (done_count != 4'd0) begin
        status_head <= done_next;
    end
    below_reg <= owned < owned_threshold;
    stat_rxdmt0 <= cfg_enable && owned < owned_threshold && !below_reg;
    if (rst || !cfg_enable) begin
        status_head <= 16'd0;
        below_reg <= 1'b1;
        stat_rxdmt0 <= 1'b0;
    end
end

endmodule

`resetall
