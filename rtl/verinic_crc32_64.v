// verinic_crc32_64: Ethernet CRC-32 (IEEE 802.3 FCS) over one 64-bit word.
//
// Combinational. Takes the running CRC register and eight data bytes (lane 0 =
// bits 7:0 = first on the wire) and gives the register after each of the first
// 1..8 bytes, so one instance serves every final-word length of a frame.
//
// The register is the reflected form (polynomial 0xEDB88320, LSB first) with
// neither the initial 0xFFFFFFFF nor the final inversion applied here: the
// caller seeds 32'hFFFFFFFF at the start of a frame, transmits ~crc as the FCS
// (least significant byte first) and, on receive, checks that the register
// over frame + FCS equals the residue 32'hDEBB20E3.
//
// Written as a bit-serial loop rather than precomputed XOR matrices: synthesis
// flattens it into the same XOR trees, while Verilator emits a few hundred lines
// of C++ instead of the megabytes an unrolled matrix function produces.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_crc32_64 (
    input  wire [31:0]  crc_in,
    input  wire [63:0]  data,
    // crc_out[32*j +: 32]: register after bytes 0..j (j = 0..7)
    output wire [255:0] crc_out
);

function [31:0] crc32_byte;
    input [31:0] crc;
    input [7:0]  byte_in;
    integer      bit_idx;
    reg   [31:0] c;
    begin
        c = crc;
        for (bit_idx = 0; bit_idx < 8; bit_idx = bit_idx + 1) begin
            c = {1'b0, c[31:1]} ^ ((c[0] ^ byte_in[bit_idx]) ? 32'hEDB88320 : 32'h0);
        end
        crc32_byte = c;
    end
endfunction

// Separate wires, not an array: Verilator schedules an array whose elements
// feed each other as one circular signal (UNOPTFLAT).
wire [31:0] crc_after_0 = crc32_byte(crc_in,      data[7:0]);
wire [31:0] crc_after_1 = crc32_byte(crc_after_0, data[15:8]);
wire [31:0] crc_after_2 = crc32_byte(crc_after_1, data[23:16]);
wire [31:0] crc_after_3 = crc32_byte(crc_after_2, data[31:24]);
wire [31:0] crc_after_4 = crc32_byte(crc_after_3, data[39:32]);
wire [31:0] crc_after_5 = crc32_byte(crc_after_4, data[47:40]);
wire [31:0] crc_after_6 = crc32_byte(crc_after_5, data[55:48]);
wire [31:0] crc_after_7 = crc32_byte(crc_after_6, data[63:56]);

assign crc_out = {crc_after_7, crc_after_6, crc_after_5, crc_after_4,
                  crc_after_3, crc_after_2, crc_after_1, crc_after_0};

endmodule

`resetall
