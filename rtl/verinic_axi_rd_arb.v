// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_axi_rd_arb: shares one AXI4 read channel among CLIENTS requesters.
//
// Each client presents a read burst on its own AR port; the arbiter grants
// them round-robin into one registered AR output, tagging ARID with the client
// number. Read data is registered and routed back by RID. Clients must reserve room for
// every beat before they request, so R is always accepted (rready = 1): no
// client can stall another's data.
//
// Outputs depend on registers only (the co-simulation contract of this
// project: nothing combinational from an input port to an output port).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_axi_rd_arb #(
    parameter CLIENTS = 3,
    parameter ID_W = 8
) (
    input  wire                    clk,
    input  wire                    rst,

    // Client AR ports, packed: client i at [i*W +: W]
    input  wire [CLIENTS*64-1:0]   s_ar_addr,
    input  wire [CLIENTS*8-1:0]    s_ar_len,
    input  wire [CLIENTS-1:0]      s_ar_valid,
    output reg  [CLIENTS-1:0]      s_ar_ready,

    // R beats, broadcast; r_valid says which client a beat belongs to
    output wire [127:0]            s_r_data,
    output wire [1:0]              s_r_resp,
    output wire                    s_r_last,
    output wire [CLIENTS-1:0]      s_r_valid,

    output wire [ID_W-1:0]         m_axi_arid,
    output wire [63:0]             m_axi_araddr,
    output wire [7:0]              m_axi_arlen,
    output wire [2:0]              m_axi_arsize,
    output wire [1:0]              m_axi_arburst,
    output wire                    m_axi_arvalid,
    input  wire                    m_axi_arready,
    input  wire [ID_W-1:0]         m_axi_rid,
    input  wire [127:0]            m_axi_rdata,
    input  wire [1:0]              m_axi_rresp,
    input  wire                    m_axi_rlast,
    input  wire                    m_axi_rvalid,
    output wire                    m_axi_rready
);

localparam CL_W = (CLIENTS > 1) ? $clog2(CLIENTS) : 1;

reg [ID_W-1:0] arid_reg;
reg [63:0]     araddr_reg;
reg [7:0]      arlen_reg;
reg            arvalid_reg;
reg [CL_W-1:0] last_grant_reg;

wire [CL_W-1:0] pick;
wire            pick_valid;

verinic_rr_pick #(.CLIENTS(CLIENTS), .CL_W(CL_W)) pick_inst (
    .request(s_ar_valid),
    .last(last_grant_reg),
    .pick(pick),
    .pick_valid(pick_valid)
);

always @* begin
    s_ar_ready = {CLIENTS{1'b0}};
    if ((!arvalid_reg || m_axi_arready) && pick_valid) begin
        s_ar_ready[pick] = 1'b1;
    end
end

always @(posedge clk) begin
    if (arvalid_reg && m_axi_arready) begin
        arvalid_reg <= 1'b0;
    end
    if ((!arvalid_reg || m_axi_arready) && pick_valid) begin
        arid_reg <= {{(ID_W-CL_W){1'b0}}, pick};
        araddr_reg <= s_ar_addr[pick*64 +: 64];
        arlen_reg <= s_ar_len[pick*8 +: 8];
        arvalid_reg <= 1'b1;
        last_grant_reg <= pick;
    end
    if (rst) begin
        arvalid_reg <= 1'b0;
        last_grant_reg <= {CL_W{1'b0}};
    end
end

assign m_axi_arid = arid_reg;
assign m_axi_araddr = araddr_reg;
assign m_axi_arlen = arlen_reg;
assign m_axi_arsize = 3'd4;      // 16 bytes per beat
assign m_axi_arburst = 2'b01;    // INCR
assign m_axi_arvalid = arvalid_reg;
assign m_axi_rready = 1'b1;

// R is registered once on the way in, so that no client logic (the TX
// checksum sums every beat) hangs combinationally off the input port.
reg [127:0]      r_data_reg;
reg [1:0]        r_resp_reg;
reg              r_last_reg;
reg [CLIENTS-1:0] r_valid_reg;

integer k;
always @(posedge clk) begin
    r_data_reg <= m_axi_rdata;
    r_resp_reg <= m_axi_rresp;
    r_last_reg <= m_axi_rlast;
    for (k = 0; k < CLIENTS; k = k + 1) begin
        r_valid_reg[k] <= m_axi_rvalid && m_axi_rid == k[ID_W-1:0];
    end
    if (rst) begin
        r_valid_reg <= {CLIENTS{1'b0}};
    end
end

assign s_r_valid = r_valid_reg;
assign s_r_data = r_data_reg;
assign s_r_resp = r_resp_reg;
assign s_r_last = r_last_reg;

endmodule

`resetall
