// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_rr_pick: round-robin choice among requesters (combinational).
//
// Picks the first requester after `last` in circular order, so every client
// gets its turn.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_rr_pick #(
    parameter CLIENTS = 3,
    parameter CL_W = 2
) (
    input  wire [CLIENTS-1:0] request,
    input  wire [CL_W-1:0]    last,
    output reg  [CL_W-1:0]    pick,
    output reg                pick_valid
);

// (last + i) mod CLIENTS without a divider: last < 2^CL_W < 2 * CLIENTS and
// i <= CLIENTS, so the sum is below 3 * CLIENTS and two conditional
// subtractions reduce it (a `%` here synthesized to a 32-bit divider per
// candidate: about 2k CARRY4 and 490 logic levels per arbiter).
localparam [CL_W+1:0] N = CLIENTS;

integer i;
reg [CL_W+1:0] c;

always @* begin
    pick = last;
    pick_valid = 1'b0;
    c = {(CL_W+2){1'b0}};
    i = 0;
    // with no request there is nothing to search (the Verilated model skips the loop)
    if (request != {CLIENTS{1'b0}}) begin
        for (i = CLIENTS; i >= 1; i = i - 1) begin
            c = {2'b00, last} + i[CL_W+1:0];
            if (c >= N) begin
                c = c - N;
            end
            if (c >= N) begin
                c = c - N;
            end
            if (request[c[CL_W-1:0]]) begin
                pick = c[CL_W-1:0];
                pick_valid = 1'b1;
            end
        end
    end
end

endmodule

`resetall
