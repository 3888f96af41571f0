// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_dma_err: what the NIC does when host memory answers a DMA
// transfer with SLVERR or DECERR (docs/nic.md, "DMA and bus errors").
//
// The error responses are seen on the arbiters' client side, so each is
// known by kind: RX descriptor fetch (read client 0), TX descriptor fetch
// (1), TX packet read (2), RX packet write (write client 0), RX descriptor
// write-back (1), TX descriptor write-back (2).
//
// An error of an RX kind halts RX, of a TX kind halts TX, until the next
// reset (CTRL.RST or the hard reset):
//   - no further descriptor is handed from the fetch cache to the DMA engine
//     (a descriptor read with an error reads as zeros and must not be used);
//   - no further descriptor write-back is started (a frame whose data write
//     failed, or whose data read failed, is never reported done: no DD);
//   - TX: no further frame is started toward the MAC (a frame already on the
//     wire is finished, so the wire never sees a cut frame). The same holds
//     while a soft reset waits (quiesce), so CTRL.RST never cuts a frame.
// Transfers already on the bus complete as they are; nothing is aborted
// mid-burst. The halted path backs up: RX frames then overflow the FIFO and
// are counted in MPC, TX descriptors stay pending. The driver resets.
//
// status: bits 5:0 the kinds seen since reset (sticky), bits 31:16 the
// error responses since reset (saturating). event: one cycle per error
// response, for ICR.
//
// Halting is combinational on this cycle's error as well as registered, so
// the very handshake that would pass a bad descriptor or write-back on the
// cycle of the error is already blocked.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_dma_err (
    input  wire        clk,
    input  wire        rst,

    // Read clients' R beats and write clients' B responses
    input  wire [2:0]  r_valid,          // 0 RX desc fetch, 1 TX desc fetch, 2 TX data
    input  wire        r_err,            // RRESP[1]: SLVERR or DECERR
    input  wire [2:0]  b_valid,          // 0 RX data, 1 RX write-back, 2 TX write-back
    input  wire        b_err,            // BRESP[1]

    // The TX stream from the DMA engine to the MAC, to gate between frames
    input  wire        s_tx_tvalid,
    output wire        s_tx_tready,
    input  wire        s_tx_tlast,
    output wire        m_tx_tvalid,
    input  wire        m_tx_tready,
    input  wire        quiesce,          // CTRL.RST pending: no new frame starts either
    output wire        tx_in_frame,      // a frame has started toward the MAC and not ended

    output wire        rx_halt,
    output wire        tx_halt,
    output wire [31:0] status,
    output reg         event_err
);

// Kinds, in status bit order
localparam K_RX_FETCH = 0, K_RX_DATA = 1, K_RX_WB = 2, K_TX_FETCH = 3, K_TX_DATA = 4, K_TX_WB = 5;

wire [5:0] err_now;
assign err_now[K_RX_FETCH] = r_valid[0] && r_err;
assign err_now[K_TX_FETCH] = r_valid[1] && r_err;
assign err_now[K_TX_DATA]  = r_valid[2] && r_err;
assign err_now[K_RX_DATA]  = b_valid[0] && b_err;
assign err_now[K_RX_WB]    = b_valid[1] && b_err;
assign err_now[K_TX_WB]    = b_valid[2] && b_err;

reg [5:0]  kinds_reg;
reg [15:0] count_reg;
reg        tx_in_frame_reg;

wire [5:0] kinds = kinds_reg | err_now;
assign rx_halt = kinds[K_RX_FETCH] || kinds[K_RX_DATA] || kinds[K_RX_WB];
assign tx_halt = kinds[K_TX_FETCH] || kinds[K_TX_DATA] || kinds[K_TX_WB];

// A frame already started goes on to its end; no new one starts once halted
wire tx_pass = !(tx_halt || quiesce) || tx_in_frame_reg;
assign tx_in_frame = tx_in_frame_reg;
assign m_tx_tvalid = s_tx_tvalid && tx_pass;
assign s_tx_tready = m_tx_tready && tx_pass;

// Error responses this cycle: at most one R beat and one B response
wire [1:0] n_now = {1'b0, r_valid != 3'd0 && r_err} + {1'b0, b_valid != 3'd0 && b_err};
wire [16:0] count_sum = {1'b0, count_reg} + {15'd0, n_now};

always @(posedge clk) begin
    kinds_reg <= kinds;
    count_reg <= count_sum[16] ? 16'hFFFF : count_sum[15:0];
    event_err <= err_now != 6'd0;
    if (s_tx_tvalid && s_tx_tready) begin
        tx_in_frame_reg <= !s_tx_tlast;
    end
    if (rst) begin
        kinds_reg <= 6'd0;
        count_reg <= 16'd0;
        event_err <= 1'b0;
        tx_in_frame_reg <= 1'b0;
    end
end

assign status = {count_reg, 10'd0, kinds_reg};

endmodule

`resetall
