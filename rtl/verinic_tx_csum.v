// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_tx_csum: transmit checksum insertion, computed as frame data
// arrives from host memory (128-bit beats, byte 0 of the frame first).
//
// Two checksums per frame, as e1000 offers them:
//   - L4: ones' complement sum from `l4_start` to `l4_end` (inclusive; 0 =
//     to the end of the frame), stored complemented at `l4_offset`. With a
//     legacy descriptor this is CSS / CSO (IC set); with a context descriptor
//     TUCSS / TUCSE / TUCSO (TXSM set). The driver seeds the pseudo-header sum
//     into the checksum field first (Linux's CHECKSUM_PARTIAL).
//   - IP: the same over IPCSS..IPCSE, stored at IPCSO (IXSM set): the IPv4
//     header checksum, with the field zeroed by the driver.
// On the frame's last beat `result_valid` pulses with what to write where.
// A UDP checksum that comes out as 0x0000 is sent as 0xFFFF (`l4_udp`, from
// a context descriptor's TUCMD.TCP = 0): 0 means "no checksum" to UDP over
// IPv4 and is invalid over IPv6 (RFC 768; RFC 8200 section 8.1). Both
// represent zero in ones' complement, so the receiver's sum is unchanged.
// Offsets that do not fit the frame - a checksum field past its end, a start
// after the field, an end before the start or past the frame - cancel both
// insertions: the frame goes out unmodified and `result_bad` says so.
//
// Frame data is summed as 16-bit big-endian words at even frame offsets, each
// byte masked by whether it lies inside the range; an odd start is handled by
// swapping the bytes of the folded sum.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_tx_csum (
    input  wire         clk,
    input  wire         rst,

    input  wire [127:0] beat_data,
    input  wire         beat_valid,
    input  wire         beat_first,    // first beat of a frame: parameters valid
    input  wire         beat_last,     // last beat of a frame
    input  wire [4:0]   beat_bytes,    // valid bytes in this beat (1..16)

    input  wire         l4_en,
    input  wire         l4_udp,        // the L4 checksum is UDP's: 0x0000 is sent as 0xFFFF
    input  wire [7:0]   l4_start,
    input  wire [7:0]   l4_offset,
    input  wire [15:0]  l4_end,
    input  wire         ip_en,
    input  wire [7:0]   ip_start,
    input  wire [7:0]   ip_offset,
    input  wire [15:0]  ip_end,

    output reg          result_valid,
    output reg          result_bad,
    output reg          result_l4,
    output reg  [15:0]  result_l4_offset,
    output reg  [15:0]  result_l4_value,
    output reg          result_ip,
    output reg  [15:0]  result_ip_offset,
    output reg  [15:0]  result_ip_value
);

`include "verinic_csum.vh"

// The L4 checksum field from the folded sum: its complement, but for UDP
// never 0x0000.
function [15:0] l4_value;
    input [15:0] folded;
    input        udp;
    begin
        l4_value = (udp && folded == 16'hFFFF) ? 16'hFFFF : ~folded;
    end
endfunction

reg [15:0] offset_reg;      // frame offset of this beat
reg [31:0] l4_sum_reg;
reg [31:0] ip_sum_reg;
reg        l4_en_reg, ip_en_reg;
reg        l4_udp_reg;
reg [15:0] l4_start_reg, l4_offset_reg, l4_stop_reg;
reg [15:0] ip_start_reg, ip_offset_reg, ip_stop_reg;

// Next-state logic, evaluated for a valid beat only (in a Verilated model the
// sums would otherwise be computed on every clock edge). Parameters of this
// frame: from the inputs on its first beat.
reg [15:0] off;
reg        l4_on, ip_on;
reg [15:0] l4_from, l4_to, l4_at, ip_from, ip_to, ip_at;
reg [31:0] l4_sum, ip_sum;
reg [15:0] frame_len, l4_stop, ip_stop;
reg [15:0] l4_folded, ip_folded;
reg        l4_fits, ip_fits;    // does each insertion fit the frame?

always @* begin
    off = offset_reg;
    l4_on = l4_en_reg;
    ip_on = ip_en_reg;
    l4_from = l4_start_reg;
    l4_to = l4_stop_reg;
    l4_at = l4_offset_reg;
    ip_from = ip_start_reg;
    ip_to = ip_stop_reg;
    ip_at = ip_offset_reg;
    l4_sum = l4_sum_reg;
    ip_sum = ip_sum_reg;
    frame_len = 16'd0;
    l4_folded = 16'd0;
    ip_folded = 16'd0;
    l4_fits = 1'b0;
    ip_fits = 1'b0;
    l4_stop = 16'd0;
    ip_stop = 16'd0;
    if (beat_valid) begin
        if (beat_first) begin
            off = 16'd0;
            l4_on = l4_en;
            ip_on = ip_en;
            l4_from = {8'd0, l4_start};
            l4_to = (l4_end == 16'd0) ? 16'hFFFF : l4_end + 16'd1;
            l4_at = {8'd0, l4_offset};
            ip_from = {8'd0, ip_start};
            ip_to = ip_end + 16'd1;
            ip_at = {8'd0, ip_offset};
            l4_sum = 32'd0;
            ip_sum = 32'd0;
        end
        // The frame so far ends after this beat's valid bytes: lanes past
        // them (the rest of a last beat, read from the buffer beyond the
        // frame) are never summed, whatever the buffer held there.
        frame_len = off + {11'd0, beat_bytes};
        l4_stop = (l4_to > frame_len) ? frame_len : l4_to;
        ip_stop = (ip_to > frame_len) ? frame_len : ip_to;
        l4_sum = l4_sum + {12'd0, ones_sum8(beat_data[63:0], off, l4_from, l4_stop)
                                  + ones_sum8(beat_data[127:64], off + 16'd8, l4_from, l4_stop)};
        ip_sum = ip_sum + {12'd0, ones_sum8(beat_data[63:0], off, ip_from, ip_stop)
                                  + ones_sum8(beat_data[127:64], off + 16'd8, ip_from, ip_stop)};
        if (beat_last) begin
            l4_folded = csum_fold(l4_sum);
            ip_folded = csum_fold(ip_sum);
            l4_fits = {16'd0, l4_at} + 32'd2 <= {16'd0, frame_len} && l4_from <= l4_at
                      && (l4_to == 16'hFFFF || (l4_to > l4_from && l4_to <= frame_len));
            ip_fits = {16'd0, ip_at} + 32'd2 <= {16'd0, ip_to} && ip_from <= ip_at
                      && ip_to > ip_from && ip_to <= frame_len;
        end
    end
end

always @(posedge clk) begin
    result_valid <= 1'b0;
    if (beat_valid) begin
        offset_reg <= off + 16'd16;
        l4_sum_reg <= l4_sum;
        ip_sum_reg <= ip_sum;
        if (beat_first) begin
            l4_en_reg <= l4_en;
            l4_udp_reg <= l4_udp;
            ip_en_reg <= ip_en;
            l4_start_reg <= l4_from;
            l4_stop_reg <= l4_to;
            l4_offset_reg <= l4_at;
            ip_start_reg <= ip_from;
            ip_stop_reg <= ip_to;
            ip_offset_reg <= ip_at;
        end
        if (beat_last) begin
            result_valid <= 1'b1;
            result_bad <= (l4_on && !l4_fits) || (ip_on && !ip_fits);
            // a request that does not fit cancels the frame's other one too
            result_l4 <= l4_on && l4_fits && !(ip_on && !ip_fits);
            result_l4_offset <= l4_at;
            result_l4_value <= l4_value(l4_from[0] ? {l4_folded[7:0], l4_folded[15:8]} : l4_folded,
                                        beat_first ? l4_udp : l4_udp_reg);
            result_ip <= ip_on && ip_fits && !(l4_on && !l4_fits);
            result_ip_offset <= ip_at;
            result_ip_value <= ~(ip_from[0] ? {ip_folded[7:0], ip_folded[15:8]} : ip_folded);
        end
    end
    if (rst) begin
        offset_reg <= 16'd0;
        result_valid <= 1'b0;
    end
end

endmodule

`resetall
