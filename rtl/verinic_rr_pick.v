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

integer i;
// a client number held in an integer: only its low bits are ever set
/* verilator lint_off UNUSEDSIGNAL */
integer c;
/* verilator lint_on UNUSEDSIGNAL */

always @* begin
    pick = last;
    pick_valid = 1'b0;
    for (i = CLIENTS; i >= 1; i = i - 1) begin
        c = ({{(32-CL_W){1'b0}}, last} + i) % CLIENTS;
        if (request[c]) begin
            pick = c[CL_W-1:0];
            pick_valid = 1'b1;
        end
    end
end

endmodule

`resetall
