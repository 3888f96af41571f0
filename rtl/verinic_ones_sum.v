// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_ones_sum: part of a ones' complement sum over one data beat.
//
// Adds up the beat's bytes that lie inside the frame range [start, stop) as
// big-endian 16-bit words at even frame offsets (a byte at an even offset is
// the high half of its word). Callers accumulate the parts and fold the carry
// at the end (verinic_csum_fold). Combinational.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_ones_sum #(
    // Bytes per beat
    parameter BYTES = 8
) (
    input  wire [8*BYTES-1:0] data,
    input  wire [15:0]        offset,   // frame offset of the beat's byte 0 (even)
    input  wire [15:0]        start,
    input  wire [15:0]        stop,
    output reg  [19:0]        sum
);

integer j;
reg [15:0] at;
reg [7:0]  b;

always @* begin
    sum = 20'd0;
    for (j = 0; j < BYTES; j = j + 1) begin
        at = offset + j[15:0];
        b = (at >= start && at < stop) ? data[8*j +: 8] : 8'd0;
        sum = sum + (j[0] ? {12'd0, b} : {4'd0, b, 8'd0});
    end
end

endmodule

`resetall
