// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_axi_wr_arb: shares one AXI4 write channel among CLIENTS writers.
//
// AW requests are granted round-robin into a registered AW output with AWID =
// client number; each grant is queued, and W beats are then taken from the
// clients in grant order, so a client may stream its data while the next
// burst's address is already out. B responses are routed back by BID
// (bready = 1: clients keep room for their own completions).
//
// Every output comes from a register (the co-simulation contract).

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_axi_wr_arb #(
    parameter CLIENTS = 3,
    parameter ID_W = 8,
    // log2 of the number of granted bursts whose data may be outstanding
    parameter GRANT_LOG2 = 2
) (
    input  wire                    clk,
    input  wire                    rst,

    input  wire [CLIENTS*64-1:0]   s_aw_addr,
    input  wire [CLIENTS*8-1:0]    s_aw_len,
    input  wire [CLIENTS-1:0]      s_aw_valid,
    output reg  [CLIENTS-1:0]      s_aw_ready,
    input  wire [CLIENTS*128-1:0]  s_w_data,
    input  wire [CLIENTS*16-1:0]   s_w_strb,
    input  wire [CLIENTS-1:0]      s_w_last,
    input  wire [CLIENTS-1:0]      s_w_valid,
    output reg  [CLIENTS-1:0]      s_w_ready,
    output wire [CLIENTS-1:0]      s_b_valid,
    output wire [1:0]              s_b_resp,

    output wire [ID_W-1:0]         m_axi_awid,
    output wire [63:0]             m_axi_awaddr,
    output wire [7:0]              m_axi_awlen,
    output wire [2:0]              m_axi_awsize,
    output wire [1:0]              m_axi_awburst,
    output wire                    m_axi_awvalid,
    input  wire                    m_axi_awready,
    output wire [127:0]            m_axi_wdata,
    output wire [15:0]             m_axi_wstrb,
    output wire                    m_axi_wlast,
    output wire                    m_axi_wvalid,
    input  wire                    m_axi_wready,
    input  wire [ID_W-1:0]         m_axi_bid,
    input  wire [1:0]              m_axi_bresp,
    input  wire                    m_axi_bvalid,
    output wire                    m_axi_bready
);

localparam CL_W = (CLIENTS > 1) ? $clog2(CLIENTS) : 1;
localparam GRANTS = 1 << GRANT_LOG2;

reg [ID_W-1:0]   awid_reg;
reg [63:0]       awaddr_reg;
reg [7:0]        awlen_reg;
reg              awvalid_reg;
reg [CL_W-1:0]   last_grant_reg;

reg [127:0]      wdata_reg;
reg [15:0]       wstrb_reg;
reg              wlast_reg;
reg              wvalid_reg;

// Grants whose W beats are still to be passed, oldest first
reg [CL_W-1:0]   grant_mem [0:GRANTS-1];
reg [GRANT_LOG2:0] grant_wr_reg;
reg [GRANT_LOG2:0] grant_rd_reg;

wire grants_full = (grant_wr_reg - grant_rd_reg) == GRANTS[GRANT_LOG2:0];
wire grants_empty = grant_wr_reg == grant_rd_reg;
wire [CL_W-1:0] w_owner = grant_mem[grant_rd_reg[GRANT_LOG2-1:0]];

wire [CL_W-1:0] pick;
wire            pick_valid;

verinic_rr_pick #(.CLIENTS(CLIENTS), .CL_W(CL_W)) pick_inst (
    .request(s_aw_valid),
    .last(last_grant_reg),
    .pick(pick),
    .pick_valid(pick_valid)
);
reg            aw_take;
reg            w_take;

always @* begin
    aw_take = (!awvalid_reg || m_axi_awready) && pick_valid && !grants_full;
    s_aw_ready = {CLIENTS{1'b0}};
    if (aw_take) begin
        s_aw_ready[pick] = 1'b1;
    end

    w_take = (!wvalid_reg || m_axi_wready) && !grants_empty && s_w_valid[w_owner];
    s_w_ready = {CLIENTS{1'b0}};
    if (w_take) begin
        s_w_ready[w_owner] = 1'b1;
    end
end

always @(posedge clk) begin
    if (awvalid_reg && m_axi_awready) begin
        awvalid_reg <= 1'b0;
    end
    if (aw_take) begin
        awid_reg <= {{(ID_W-CL_W){1'b0}}, pick};
        awaddr_reg <= s_aw_addr[pick*64 +: 64];
        awlen_reg <= s_aw_len[pick*8 +: 8];
        awvalid_reg <= 1'b1;
        last_grant_reg <= pick;
        grant_mem[grant_wr_reg[GRANT_LOG2-1:0]] <= pick;
        grant_wr_reg <= grant_wr_reg + 1'b1;
    end

    if (wvalid_reg && m_axi_wready) begin
        wvalid_reg <= 1'b0;
    end
    if (w_take) begin
        wdata_reg <= s_w_data[w_owner*128 +: 128];
        wstrb_reg <= s_w_strb[w_owner*16 +: 16];
        wlast_reg <= s_w_last[w_owner];
        wvalid_reg <= 1'b1;
        if (s_w_last[w_owner]) begin
            grant_rd_reg <= grant_rd_reg + 1'b1;
        end
    end

    if (rst) begin
        awvalid_reg <= 1'b0;
        wvalid_reg <= 1'b0;
        last_grant_reg <= {CL_W{1'b0}};
        grant_wr_reg <= {(GRANT_LOG2+1){1'b0}};
        grant_rd_reg <= {(GRANT_LOG2+1){1'b0}};
    end
end

assign m_axi_awid = awid_reg;
assign m_axi_awaddr = awaddr_reg;
assign m_axi_awlen = awlen_reg;
assign m_axi_awsize = 3'd4;
assign m_axi_awburst = 2'b01;
assign m_axi_awvalid = awvalid_reg;
assign m_axi_wdata = wdata_reg;
assign m_axi_wstrb = wstrb_reg;
assign m_axi_wlast = wlast_reg;
assign m_axi_wvalid = wvalid_reg;
assign m_axi_bready = 1'b1;

genvar g;
generate
    for (g = 0; g < CLIENTS; g = g + 1) begin : route
        assign s_b_valid[g] = m_axi_bvalid && m_axi_bid == g;
    end
endgenerate
assign s_b_resp = m_axi_bresp;

endmodule

`resetall
