// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_csum_fold: folds a 32-bit ones' complement accumulator to 16 bits.
//
// Adds the carries above bit 15 back in (end-around carry), twice: the first
// addition can carry once more, the second cannot (its high operand is at
// most 1, and when it is 1 the low half is at most 0xFFFE). The result is the
// ones' complement sum of the 16-bit words the accumulator holds, not yet
// complemented. Combinational. Used by verinic_rx_csum and verinic_tx_csum on
// the partial sums of verinic_ones_sum.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_csum_fold (
    input  wire [31:0] sum,
    output wire [15:0] folded
);

wire [16:0] once = {1'b0, sum[15:0]} + {1'b0, sum[31:16]};

assign folded = once[15:0] + {15'd0, once[16]};

endmodule

`resetall
