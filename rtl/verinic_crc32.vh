// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_crc32.vh: Ethernet CRC-32 (IEEE 802.3 FCS) functions, included
// inside the modules that use them (verinic_mac_tx, verinic_mac_rx). No
// include guard: each module needs its own copy of the functions.
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
// the bit-serial definition anyway. Functions rather than a combinational
// module (the former verinic_crc32_64): called inside the branch that needs
// the CRC, the Verilated model computes it only on the words of a frame.

// One byte (lane 0 = bits 7:0 = first on the wire)
function [31:0] crc32_byte;
    input [31:0] crc;
    input [7:0]  byte_in;
    reg   [7:0]  x;
    begin
        x = crc[7:0] ^ byte_in;
        crc32_byte = {8'd0, crc[31:8]}
            ^ ({32{x[0]}} & 32'h77073096) ^ ({32{x[1]}} & 32'hEE0E612C)
            ^ ({32{x[2]}} & 32'h076DC419) ^ ({32{x[3]}} & 32'h0EDB8832)
            ^ ({32{x[4]}} & 32'h1DB71064) ^ ({32{x[5]}} & 32'h3B6E20C8)
            ^ ({32{x[6]}} & 32'h76DC4190) ^ ({32{x[7]}} & 32'hEDB88320);
    end
endfunction

// The register after the first `count` bytes of `data` (0..8; 0 = unchanged).
// All eight byte steps, then a choice by `count`: in hardware the same
// structure as a CRC unit that gives the register after every byte length (no
// chain of muxes between the steps, so no longer path); in the model it is
// evaluated only where it is called.
function [31:0] crc32_bytes;
    input [31:0] crc;
    input [63:0] data;
    input [3:0]  count;
    integer k;
    reg [31:0] c;
    begin
        c = crc;
        crc32_bytes = crc;
        for (k = 0; k < 8; k = k + 1) begin
            c = crc32_byte(c, data[8*k +: 8]);
            if ({28'd0, count} == k + 1) begin
                crc32_bytes = c;
            end
        end
    end
endfunction
