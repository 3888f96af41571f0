// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_coalesce: decides when completed work raises its interrupt cause.
//
// Counts events (frames written back) not yet signalled and fires, raising
// the cause, at the first of:
//   - nothing configured (all three settings 0): at every event;
//   - cfg_frames != 0 and that many events pending;
//   - the packet timer: cfg_pkt x 1.024 us after the latest event (restarted
//     by every event);
//   - the absolute timer: cfg_abs x 1.024 us after the first pending event;
//   - flush, with events pending;
//   - ev_now: events that must not wait (e.g. TX descriptors without IDE).
// Firing clears the count and both timers. An event arriving on the firing
// cycle is covered by that firing.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_coalesce #(
    // Cycles per 1.024 us unit at 156.25 MHz
    parameter [7:0] CYCLES_PER_UNIT = 8'd160
) (
    input  wire        clk,
    input  wire        rst,

    input  wire [15:0] cfg_pkt,
    input  wire [15:0] cfg_abs,
    input  wire [15:0] cfg_frames,

    input  wire [3:0]  ev_count,
    input  wire        ev_now,
    input  wire        flush,

    output wire        fire
);

reg [15:0] pending_reg;
reg [23:0] pkt_timer_reg;
reg [23:0] abs_timer_reg;

function [23:0] cycles_of;
    input [15:0] units;
    begin
        cycles_of = units * CYCLES_PER_UNIT;
    end
endfunction

wire unmoderated = cfg_pkt == 16'd0 && cfg_abs == 16'd0 && cfg_frames == 16'd0;
wire [15:0] pending_now = pending_reg + {12'd0, ev_count};

assign fire = ev_now || (pending_now != 16'd0 && (
       unmoderated
    || (cfg_frames != 16'd0 && pending_now >= cfg_frames)
    || pkt_timer_reg == 24'd1
    || abs_timer_reg == 24'd1
    || flush));

always @(posedge clk) begin
    if (fire) begin
        pending_reg <= 16'd0;
        pkt_timer_reg <= 24'd0;
        abs_timer_reg <= 24'd0;
    end else begin
        pending_reg <= pending_now;
        if (ev_count != 4'd0 && cfg_pkt != 16'd0) begin
            pkt_timer_reg <= cycles_of(cfg_pkt);
        end else if (pkt_timer_reg != 24'd0) begin
            pkt_timer_reg <= pkt_timer_reg - 24'd1;
        end
        if (ev_count != 4'd0 && pending_reg == 16'd0 && cfg_abs != 16'd0) begin
            abs_timer_reg <= cycles_of(cfg_abs);
        end else if (abs_timer_reg != 24'd0) begin
            abs_timer_reg <= abs_timer_reg - 24'd1;
        end
    end
    if (rst) begin
        pending_reg <= 16'd0;
        pkt_timer_reg <= 24'd0;
        abs_timer_reg <= 24'd0;
    end
end

endmodule

`resetall
