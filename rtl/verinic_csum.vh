// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_csum.vh: ones' complement sum functions, included inside the
// modules that use them (verinic_rx_csum, verinic_tx_csum). No include guard:
// each module needs its own copy of the functions.
//
// They replace the combinational modules verinic_ones_sum and
// verinic_csum_fold (same arithmetic, bit for bit) so that the sums are
// computed inside the clocked process, only when a beat is valid: a Verilated
// model evaluates a module instance's logic on every clock edge, busy or not.

// Part of a ones' complement sum over one 64-bit beat: the bytes at frame
// offsets in [start, stop) as big-endian 16-bit words at even frame offsets
// (a byte at an even offset is the high half of its word). `offset` is the
// frame offset of byte 0 (even). Callers accumulate the parts and fold.
function [19:0] ones_sum8;
    input [63:0] data;
    input [15:0] offset;
    input [15:0] start;
    input [15:0] stop;
    integer j;
    reg [15:0] at;
    reg [7:0]  b;
    begin
        ones_sum8 = 20'd0;
        for (j = 0; j < 8; j = j + 1) begin
            at = offset + j[15:0];
            b = (at >= start && at < stop) ? data[8*j +: 8] : 8'd0;
            ones_sum8 = ones_sum8 + (j[0] ? {12'd0, b} : {4'd0, b, 8'd0});
        end
    end
endfunction

// A 32-bit accumulator folded to 16 bits (end-around carry, twice: the first
// addition can carry once more, the second cannot). Not complemented.
function [15:0] csum_fold;
    input [31:0] sum;
    reg [16:0] once;
    begin
        once = {1'b0, sum[15:0]} + {1'b0, sum[31:16]};
        csum_fold = once[15:0] + {15'd0, once[16]};
    end
endfunction
