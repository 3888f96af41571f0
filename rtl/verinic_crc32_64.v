// SPDX-License-Identifier: MIT OR Apache-2.0
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
// Each byte step is the table form crc' = (crc >> 8) ^ T[(crc ^ byte) & 0xFF]
// with the table entry built as the XOR of the eight single-bit entries, so
// the logic is eight AND-XOR terms per byte: what synthesis would build from
// the bit-serial definition anyway. The simulator's C++ stays a few hundred
// lines, not the megabytes an unrolled 64x32 XOR matrix produces.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_crc32_64 (
    input  wire [31:0]  crc_in,
    input  wire [63:0]  data,
    // crc_out[32*j +: 32]: register after bytes 0..j (j = 0..7)
    output wire [255:0] crc_out
);

// T[1 << i] of the reflected CRC-32 table (T[0x80] is the polynomial itself)
localparam [31:0] T01 = 32'h77073096;
localparam [31:0] T02 = 32'hEE0E612C;
localparam [31:0] T04 = 32'h076DC419;
localparam [31:0] T08 = 32'h0EDB8832;
localparam [31:0] T10 = 32'h1DB71064;
localparam [31:0] T20 = 32'h3B6E20C8;
localparam [31:0] T40 = 32'h76DC4190;
localparam [31:0] T80 = 32'hEDB88320;

function [31:0] crc32_byte;
    input [31:0] crc;
    input [7:0]  byte_in;
    reg   [7:0]  x;
    begin
        x = crc[7:0] ^ byte_in;
        crc32_byte = {8'd0, crc[31:8]}
            ^ ({32{x[0]}} & T01) ^ ({32{x[1]}} & T02)
            ^ ({32{x[2]}} & T04) ^ ({32{x[3]}} & T08)
            ^ ({32{x[4]}} & T10) ^ ({32{x[5]}} & T20)
            ^ ({32{x[6]}} & T40) ^ ({32{x[7]}} & T80);
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
