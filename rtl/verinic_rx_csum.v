// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_rx_csum: receive checksum offload, computed as the frame streams in.
//
// Watches the MAC's receive stream (64-bit beats, lane 0 first) and, on the
// frame's last beat, reports in the form of e1000's legacy RX descriptor:
//   - IPCS / IPE: the IPv4 header checksum was checked / is wrong;
//   - TCPCS or UDPCS / TCPE: the TCP or UDP checksum, with its pseudo-header,
//     was checked / is wrong (IPv4 and IPv6);
//   - IXSM when nothing was checked;
//   - the raw ones' complement sum of the frame from byte cfg_pcss to its end
//     (Linux's CHECKSUM_COMPLETE), as a 16-bit number (big-endian words).
// Parsed: Ethernet with an optional 802.1Q tag, IPv4 (IHL 5..15, options
// summed as part of the header) and IPv6 (fixed header only), TCP and UDP.
// Not checked (and never reported good): non-IP frames, IPv6 with another
// next header (extension headers), IPv4 fragments (L4 only), UDP over IPv4
// with checksum 0 (L4 only), headers cut short by the frame, and IHL or
// length fields that disagree with the frame.
//
// All sums run over 16-bit words at even frame offsets, each byte masked by
// whether it lies inside the region; header fields are captured from the beats
// as they pass, and the header of each region is always known before the
// region's first byte arrives (the earliest, the IPv4 header at byte 14, is
// located from the EtherType in the same beat).

`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "verinic_desc.vh"

module verinic_rx_csum (
    input  wire        clk,
    input  wire        rst,

    input  wire [63:0] s_axis_tdata,
    input  wire [7:0]  s_axis_tkeep,
    input  wire        s_axis_tvalid,
    input  wire        s_axis_tlast,

    input  wire [7:0]  cfg_pcss,
    input  wire        cfg_ipofld,
    input  wire        cfg_tuofld,

    // Valid with the frame's last beat
    output reg  [7:0]  result_status,
    output reg  [7:0]  result_errors,
    output reg  [15:0] result_csum
);

// Bits of the RX descriptor's status and errors bytes (verinic_desc.vh)
localparam [7:0] STA_IXSM  = 8'd1 << (`RXD_STA_IXSM - `RXD_STA_DD);
localparam [7:0] STA_UDPCS = 8'd1 << (`RXD_STA_UDPCS - `RXD_STA_DD);
localparam [7:0] STA_TCPCS = 8'd1 << (`RXD_STA_TCPCS - `RXD_STA_DD);
localparam [7:0] STA_IPCS  = 8'd1 << (`RXD_STA_IPCS - `RXD_STA_DD);
localparam [7:0] ERR_TCPE  = 8'd1 << (`RXD_ERR_TCPE - `RXD_ERR_CE);
localparam [7:0] ERR_IPE   = 8'd1 << (`RXD_ERR_IPE - `RXD_ERR_CE);

reg [15:0] offset_reg;        // frame byte offset of this beat
reg        vlan_reg;
reg [15:0] ethertype_reg;
reg [7:0]  ip_vh_reg;         // IPv4: version/IHL; IPv6: version/traffic class
reg [15:0] ip_len_reg;        // IPv4 total length / IPv6 payload length
reg [13:0] ip_frag_reg;       // IPv4 MF flag and fragment offset
reg [7:0]  ip_proto_reg;      // IPv4 protocol / IPv6 next header
reg [15:0] udp_csum_reg;      // the UDP checksum field (0 = none, IPv4)
reg [31:0] raw_sum_reg;
reg [31:0] ip_sum_reg;
reg [31:0] l4_sum_reg;

// The byte at frame offset `at`, if this beat holds it (else 0)
function [7:0] byte_at;
    input [63:0] data;
    input [15:0] offset;
    input [15:0] at;
    reg   [15:0] rel;
    begin
        rel = at - offset;
        byte_at = (at >= offset && rel < 16'd8) ? data[8*rel[2:0] +: 8] : 8'd0;
    end
endfunction

function has_byte;
    input [15:0] offset;
    input [15:0] at;
    begin
        has_byte = at >= offset && at < offset + 16'd8;
    end
endfunction

`include "verinic_csum.vh"

// ---------------------------------------------------------------------------
// Header fields as known at this beat (captured ones, or from this beat), the
// sums and, on the last beat, the verdict: evaluated for a valid beat only (a
// Verilated model would otherwise compute the four sums on every clock edge).
// The results are meaningful with the last beat only, as the contract says.
reg [3:0]  beat_bytes;
reg [15:0] frame_end;
reg        vlan;
reg [15:0] l3;
reg [7:0]  vh;                // tentative: the version byte decides the layout
reg        is_v4_layout, is_v6_layout;
reg [15:0] ihl_bytes;
reg [15:0] ip_hdr_end, l4_start, l4_len, l4_end, addr_start, addr_end;
reg [31:0] raw_sum, ip_sum, l4_sum;
reg [15:0] raw_folded, l4_folded, ip_folded;
reg        ipv4, ipv6, tcp, udp, l4_long_enough, l4_checkable;
reg [15:0] udp_csum;          // the UDP checksum field, this beat's bytes included
// flags byte: bit 5 is MF (bits 7:6, reserved and DF, do not matter)
/* verilator lint_off UNUSEDSIGNAL */
reg [7:0]  frag_hi;
/* verilator lint_on UNUSEDSIGNAL */

always @* begin
    beat_bytes = 4'd0;
    frame_end = offset_reg;
    vlan = vlan_reg;
    l3 = 16'd14;
    vh = ip_vh_reg;
    is_v4_layout = 1'b0;
    is_v6_layout = 1'b0;
    ihl_bytes = 16'd0;
    ip_hdr_end = 16'd0;
    l4_start = 16'd0;
    l4_len = 16'd0;
    l4_end = 16'd0;
    addr_start = 16'd0;
    addr_end = 16'd0;
    raw_sum = raw_sum_reg;
    ip_sum = ip_sum_reg;
    l4_sum = l4_sum_reg;
    raw_folded = 16'd0;
    l4_folded = 16'd0;
    ip_folded = 16'd0;
    ipv4 = 1'b0;
    ipv6 = 1'b0;
    tcp = 1'b0;
    udp = 1'b0;
    l4_long_enough = 1'b0;
    l4_checkable = 1'b0;
    result_status = 8'd0;
    result_errors = 8'd0;
    result_csum = 16'd0;
    frag_hi = 8'd0;
    udp_csum = udp_csum_reg;
    if (s_axis_tvalid) begin
        beat_bytes = s_axis_tkeep[7] ? 4'd8 : s_axis_tkeep[6] ? 4'd7 :
                     s_axis_tkeep[5] ? 4'd6 : s_axis_tkeep[4] ? 4'd5 :
                     s_axis_tkeep[3] ? 4'd4 : s_axis_tkeep[2] ? 4'd3 :
                     s_axis_tkeep[1] ? 4'd2 : s_axis_tkeep[0] ? 4'd1 : 4'd0;
        frame_end = offset_reg + {12'd0, beat_bytes};
        if (offset_reg == 16'd8) begin
            vlan = s_axis_tdata[39:32] == 8'h81 && s_axis_tdata[47:40] == 8'h00;
        end
        l3 = vlan ? 16'd18 : 16'd14;
        if (has_byte(offset_reg, l3)) begin
            vh = byte_at(s_axis_tdata, offset_reg, l3);
        end
        is_v4_layout = vh[7:4] == 4'd4;
        is_v6_layout = vh[7:4] == 4'd6;
        ihl_bytes = {10'd0, vh[3:0], 2'd0};

        ip_hdr_end = is_v4_layout ? l3 + ((ihl_bytes < 16'd20) ? 16'd20 : ihl_bytes) : l3;
        l4_start = is_v6_layout ? l3 + 16'd40 : l3 + ihl_bytes;
        l4_len = is_v6_layout ? ip_len_reg : ip_len_reg - ihl_bytes;
        l4_end = l4_start + l4_len;
        addr_start = is_v6_layout ? l3 + 16'd8 : l3 + 16'd12;
        addr_end = is_v6_layout ? l3 + 16'd40 : l3 + 16'd20;
        frag_hi = byte_at(s_axis_tdata, offset_reg, l3 + 16'd6);
        // The field may lie in this very beat (the frame's last one): take
        // its bytes from the data, not from the register captured after it.
        if (has_byte(offset_reg, l4_start + 16'd6)) udp_csum[15:8] = byte_at(s_axis_tdata, offset_reg, l4_start + 16'd6);
        if (has_byte(offset_reg, l4_start + 16'd7)) udp_csum[7:0] = byte_at(s_axis_tdata, offset_reg, l4_start + 16'd7);

        raw_sum = raw_sum_reg + {12'd0, ones_sum8(s_axis_tdata, offset_reg, {8'd0, cfg_pcss}, frame_end)};
        ip_sum = ip_sum_reg + {12'd0, ones_sum8(s_axis_tdata, offset_reg, l3, ip_hdr_end)};
        l4_sum = l4_sum_reg + {12'd0, ones_sum8(s_axis_tdata, offset_reg, l4_start, l4_end)}
                 + {12'd0, ones_sum8(s_axis_tdata, offset_reg, addr_start, addr_end)};

        // Verdict on the last beat
        if (s_axis_tlast) begin
            raw_folded = csum_fold(raw_sum);
            result_csum = cfg_pcss[0] ? {raw_folded[7:0], raw_folded[15:8]} : raw_folded;
            ipv4 = ethertype_reg == 16'h0800 && is_v4_layout && ihl_bytes >= 16'd20
                   && ip_len_reg >= ihl_bytes && l3 + ip_len_reg <= frame_end;
            ipv6 = ethertype_reg == 16'h86DD && is_v6_layout && l3 + 16'd40 + ip_len_reg <= frame_end;
            tcp = ip_proto_reg == 8'd6;
            udp = ip_proto_reg == 8'd17;
            l4_long_enough = tcp ? l4_len >= 16'd20 : l4_len >= 16'd8;
            // ip_frag_reg: MF or an offset
            l4_checkable = (ipv4 && ip_frag_reg == 14'd0 && (tcp || (udp && udp_csum != 16'd0))
                            && l4_long_enough)
                           || (ipv6 && (tcp || udp) && l4_long_enough);
            l4_folded = csum_fold(l4_sum + {24'd0, ip_proto_reg} + {16'd0, l4_len});
            ip_folded = csum_fold(ip_sum);
            if (cfg_ipofld && ipv4) begin
                result_status = result_status | STA_IPCS;
                if (ip_folded != 16'hFFFF) result_errors = result_errors | ERR_IPE;
            end
            if (cfg_tuofld && l4_checkable) begin
                result_status = result_status | (tcp ? STA_TCPCS : STA_UDPCS);
                if (l4_folded != 16'hFFFF) result_errors = result_errors | ERR_TCPE;
            end
            if ((result_status & (STA_IPCS | STA_TCPCS | STA_UDPCS)) == 8'd0) begin
                result_status = STA_IXSM;
            end
        end
    end
end

// ---------------------------------------------------------------------------
always @(posedge clk) begin
    if (s_axis_tvalid) begin
        offset_reg <= offset_reg + 16'd8;
        raw_sum_reg <= raw_sum;
        ip_sum_reg <= ip_sum;
        l4_sum_reg <= l4_sum;
        if (offset_reg == 16'd8) begin
            vlan_reg <= vlan;
        end
        if (has_byte(offset_reg, l3 - 16'd2)) ethertype_reg[15:8] <= byte_at(s_axis_tdata, offset_reg, l3 - 16'd2);
        if (has_byte(offset_reg, l3 - 16'd1)) ethertype_reg[7:0] <= byte_at(s_axis_tdata, offset_reg, l3 - 16'd1);
        if (has_byte(offset_reg, l3)) ip_vh_reg <= vh;
        if (is_v6_layout) begin
            if (has_byte(offset_reg, l3 + 16'd4)) ip_len_reg[15:8] <= byte_at(s_axis_tdata, offset_reg, l3 + 16'd4);
            if (has_byte(offset_reg, l3 + 16'd5)) ip_len_reg[7:0] <= byte_at(s_axis_tdata, offset_reg, l3 + 16'd5);
            if (has_byte(offset_reg, l3 + 16'd6)) ip_proto_reg <= byte_at(s_axis_tdata, offset_reg, l3 + 16'd6);
        end else begin
            if (has_byte(offset_reg, l3 + 16'd2)) ip_len_reg[15:8] <= byte_at(s_axis_tdata, offset_reg, l3 + 16'd2);
            if (has_byte(offset_reg, l3 + 16'd3)) ip_len_reg[7:0] <= byte_at(s_axis_tdata, offset_reg, l3 + 16'd3);
            if (has_byte(offset_reg, l3 + 16'd6)) ip_frag_reg[13:8] <= frag_hi[5:0];
            if (has_byte(offset_reg, l3 + 16'd7)) ip_frag_reg[7:0] <= byte_at(s_axis_tdata, offset_reg, l3 + 16'd7);
            if (has_byte(offset_reg, l3 + 16'd9)) ip_proto_reg <= byte_at(s_axis_tdata, offset_reg, l3 + 16'd9);
        end
        udp_csum_reg <= udp_csum;
    end
    // a new frame starts from nothing, after reset or after a last beat
    if (rst || (s_axis_tvalid && s_axis_tlast)) begin
        offset_reg <= 16'd0;
        raw_sum_reg <= 32'd0;
        ip_sum_reg <= 32'd0;
        l4_sum_reg <= 32'd0;
        vlan_reg <= 1'b0;
        ethertype_reg <= 16'd0;
        ip_vh_reg <= 8'd0;
        ip_len_reg <= 16'd0;
        ip_frag_reg <= 14'd0;
        ip_proto_reg <= 8'd0;
        udp_csum_reg <= 16'd0;
    end
end

endmodule

`resetall
