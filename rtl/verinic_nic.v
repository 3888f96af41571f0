// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_nic: the NIC. e1000-style descriptor rings in host memory, a 10G
// MAC on XGMII, interrupt coalescing.
//
//   XGMII RX -> MAC RX -> frame FIFO -> RX DMA -> host buffers; RX descriptors
//   are prefetched and written back (verinic_desc_fetch / verinic_desc_wb).
//   TX descriptors -> TX DMA (reads buffers, store and forward) -> MAC TX ->
//   XGMII TX; descriptors with RS are written back.
//   Registers on AXI4-Lite (verinic_nic_regs), interrupts (verinic_nic_irq).
//   Host memory on one AXI4 master, 128-bit: reads shared by RX descriptor
//   fetch (ARID 0), TX descriptor fetch (1) and TX data (2); writes by RX data
//   (AWID 0), RX write-back (1) and TX write-back (2).
//
// One clock (the 156.25 MHz XGMII clock), synchronous active-high reset.
// Every output port is driven from a register.

`resetall
`timescale 1ns / 1ps
`default_nettype none

`include "verinic_desc.vh"

module verinic_nic #(
    // Largest good received frame with FCS, untagged
    parameter RX_MAX_LEN = 1518,
    // log2 of the RX frame FIFO in 128-bit words (10: 16 KiB)
    parameter RX_FIFO_LOG2 = 10,
    // log2 of the TX FIFO in 128-bit words
    parameter TX_FIFO_LOG2 = 10,
    // log2 of the descriptor caches (64: two descriptors per minimum-size frame,
    // with a context descriptor each, in flight across 1 us of memory latency)
    parameter DESC_CACHE_LOG2 = 6
) (
    input  wire         clk,
    input  wire         rst,

    // Registers (BAR0), AXI4-Lite
    input  wire [15:0]  s_axil_awaddr,
    input  wire         s_axil_awvalid,
    output wire         s_axil_awready,
    input  wire [31:0]  s_axil_wdata,
    input  wire [3:0]   s_axil_wstrb,
    input  wire         s_axil_wvalid,
    output wire         s_axil_wready,
    output wire [1:0]   s_axil_bresp,
    output wire         s_axil_bvalid,
    input  wire         s_axil_bready,
    input  wire [15:0]  s_axil_araddr,
    input  wire         s_axil_arvalid,
    output wire         s_axil_arready,
    output wire [31:0]  s_axil_rdata,
    output wire [1:0]   s_axil_rresp,
    output wire         s_axil_rvalid,
    input  wire         s_axil_rready,

    // Host memory, AXI4 master, 128-bit
    output wire [7:0]   m_axi_arid,
    output wire [63:0]  m_axi_araddr,
    output wire [7:0]   m_axi_arlen,
    output wire [2:0]   m_axi_arsize,
    output wire [1:0]   m_axi_arburst,
    output wire         m_axi_arvalid,
    input  wire         m_axi_arready,
    input  wire [7:0]   m_axi_rid,
    input  wire [127:0] m_axi_rdata,
    input  wire [1:0]   m_axi_rresp,
    input  wire         m_axi_rlast,
    input  wire         m_axi_rvalid,
    output wire         m_axi_rready,
    output wire [7:0]   m_axi_awid,
    output wire [63:0]  m_axi_awaddr,
    output wire [7:0]   m_axi_awlen,
    output wire [2:0]   m_axi_awsize,
    output wire [1:0]   m_axi_awburst,
    output wire         m_axi_awvalid,
    input  wire         m_axi_awready,
    output wire [127:0] m_axi_wdata,
    output wire [15:0]  m_axi_wstrb,
    output wire         m_axi_wlast,
    output wire         m_axi_wvalid,
    input  wire         m_axi_wready,
    input  wire [7:0]   m_axi_bid,
    input  wire [1:0]   m_axi_bresp,
    input  wire         m_axi_bvalid,
    output wire         m_axi_bready,

    // XGMII
    input  wire [63:0]  xgmii_rxd,
    input  wire [7:0]   xgmii_rxc,
    output wire [63:0]  xgmii_txd,
    output wire [7:0]   xgmii_txc,

    output wire         irq,

    // Observation: frames waiting in the RX FIFO (verinic_rx_fifo stat_frames)
    output wire [6:0]   rx_fifo_frames
);

wire dev_rst;   // hard reset or CTRL.RST
wire bus_quiesce;  // CTRL.RST written: the host bus drains before the reset
wire bus_idle;
wire tx_in_frame;  // a frame is being handed to the MAC (verinic_dma_err)

// ---------------------------------------------------------------------------
// Registers and interrupts
wire        reg_wr;
wire [15:0] reg_wr_addr;
wire [31:0] reg_wr_data;
wire        icr_rd;
wire [31:0] icr_value;
wire [31:0] ims_value;

wire        cfg_rx_enable;
wire [12:0] cfg_rx_buf_size;
wire [1:0]  cfg_rx_rdmts;
wire [63:0] cfg_rx_ring_base;
wire [12:0] cfg_rx_ring_size;
wire [15:0] cfg_rx_tail;
wire        cfg_tx_enable;
wire        cfg_tx_pad;
wire [63:0] cfg_tx_ring_base;
wire [12:0] cfg_tx_ring_size;
wire [15:0] cfg_tx_tail;
wire [15:0] cfg_rdtr, cfg_radv, cfg_rx_frames, cfg_tidv, cfg_tadv, cfg_tx_frames, cfg_itr;
// RXCSUM: bits 7:0 PCSS, 8 IPOFLD, 9 TUOFLD (the rest reads back as 0)
/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] cfg_rxcsum;
/* verilator lint_on UNUSEDSIGNAL */
wire        rdtr_fpd;

wire [15:0] rx_head;
wire [15:0] tx_head;

wire        mac_rx_good, mac_rx_fcs, mac_rx_runt, mac_rx_oversize, mac_rx_char, mac_rx_framing, mac_rx_preamble;
wire [15:0] mac_rx_len;
wire        mac_tx_good, mac_tx_underrun, mac_tx_abort;
wire [15:0] mac_tx_len;
wire        fifo_drop;
reg         rx_in_frame_reg;   // a received frame's first beat has passed, not its last
reg         rx_discard_reg;    // the frame in progress is being discarded
wire        rx_discard;        // the MAC's beat (and good-frame pulse) this cycle is discarded
wire        tx_csum_bad;
wire        rx_no_buffer;

wire [3:0]  rx_wb_count, rx_wb_frames;
wire [15:0] rx_wb_next;
wire [3:0]  tx_wb_count, tx_wb_frames;
wire        tx_wb_ide;
wire        txqe;
wire        rxdmt0;
wire [31:0] dma_err_status;
wire        dma_err_event;

verinic_nic_regs regs_inst (
    .clk(clk),
    .rst(rst),
    .s_axil_awaddr(s_axil_awaddr),
    .s_axil_awvalid(s_axil_awvalid),
    .s_axil_awready(s_axil_awready),
    .s_axil_wdata(s_axil_wdata),
    .s_axil_wstrb(s_axil_wstrb),
    .s_axil_wvalid(s_axil_wvalid),
    .s_axil_wready(s_axil_wready),
    .s_axil_bresp(s_axil_bresp),
    .s_axil_bvalid(s_axil_bvalid),
    .s_axil_bready(s_axil_bready),
    .s_axil_araddr(s_axil_araddr),
    .s_axil_arvalid(s_axil_arvalid),
    .s_axil_arready(s_axil_arready),
    .s_axil_rdata(s_axil_rdata),
    .s_axil_rresp(s_axil_rresp),
    .s_axil_rvalid(s_axil_rvalid),
    .s_axil_rready(s_axil_rready),
    .soft_rst(dev_rst),
    .quiesce(bus_quiesce),
    .bus_idle(bus_idle),
    .reg_wr(reg_wr),
    .reg_wr_addr(reg_wr_addr),
    .reg_wr_data(reg_wr_data),
    .icr_rd(icr_rd),
    .icr_value(icr_value),
    .ims_value(ims_value),
    .cfg_rx_enable(cfg_rx_enable),
    .cfg_rx_buf_size(cfg_rx_buf_size),
    .cfg_rx_rdmts(cfg_rx_rdmts),
    .cfg_rx_ring_base(cfg_rx_ring_base),
    .cfg_rx_ring_size(cfg_rx_ring_size),
    .cfg_rx_tail(cfg_rx_tail),
    .cfg_tx_enable(cfg_tx_enable),
    .cfg_tx_pad(cfg_tx_pad),
    .cfg_tx_ring_base(cfg_tx_ring_base),
    .cfg_tx_ring_size(cfg_tx_ring_size),
    .cfg_tx_tail(cfg_tx_tail),
    .cfg_rdtr(cfg_rdtr),
    .cfg_radv(cfg_radv),
    .cfg_rx_frames(cfg_rx_frames),
    .cfg_tidv(cfg_tidv),
    .cfg_tadv(cfg_tadv),
    .cfg_tx_frames(cfg_tx_frames),
    .cfg_itr(cfg_itr),
    .cfg_rxcsum(cfg_rxcsum),
    .rdtr_fpd(rdtr_fpd),
    .status_rx_head(rx_head),
    .status_tx_head(tx_head),
    .stat_rx_good(mac_rx_good && !rx_discard),
    .stat_rx_good_len(mac_rx_len),
    .stat_tx_good(mac_tx_good),
    .stat_tx_good_len(mac_tx_len),
    .stat_crc_err(mac_rx_fcs),
    .stat_rx_err(mac_rx_char || mac_rx_framing || mac_rx_preamble),
    .stat_missed(fifo_drop),
    .stat_no_buffer(rx_no_buffer),
    .stat_rx_discard(mac_rx_good && rx_discard),
    .stat_runt(mac_rx_runt),
    .stat_oversize(mac_rx_oversize),
    .stat_tx_csum_bad(tx_csum_bad),
    .stat_axi_r_valid(rd_r_valid),
    .stat_axi_r_resp(rd_r_resp),
    .stat_axi_b_valid(wr_b_valid),
    .stat_axi_b_resp(wr_b_resp),
    .stat_dma_err(dma_err_status)
);

verinic_nic_irq irq_inst (
    .clk(clk),
    .rst(dev_rst),
    .reg_wr(reg_wr),
    .reg_wr_addr(reg_wr_addr),
    .reg_wr_data(reg_wr_data),
    .icr_rd(icr_rd),
    .icr_value(icr_value),
    .ims_value(ims_value),
    .cfg_rdtr(cfg_rdtr),
    .cfg_radv(cfg_radv),
    .cfg_rx_frames(cfg_rx_frames),
    .cfg_tidv(cfg_tidv),
    .cfg_tadv(cfg_tadv),
    .cfg_tx_frames(cfg_tx_frames),
    .cfg_itr(cfg_itr),
    .rdtr_fpd(rdtr_fpd),
    .ev_rx_frames(rx_wb_frames),
    .ev_tx_done(tx_wb_count),
    .ev_tx_ide(tx_wb_ide),
    .ev_txqe(txqe),
    .ev_rxdmt0(rxdmt0),
    .ev_rxo(fifo_drop),
    .ev_dmaerr(dma_err_event),
    .irq(irq)
);

// ---------------------------------------------------------------------------
// MAC
wire [63:0] mac_rx_tdata;
wire [7:0]  mac_rx_tkeep;
wire        mac_rx_tvalid, mac_rx_tlast, mac_rx_tuser;
wire [63:0] mac_tx_tdata;
wire [7:0]  mac_tx_tkeep;
wire        mac_tx_tvalid, mac_tx_tready, mac_tx_tlast;
wire        mac_tx_gated_tvalid, mac_tx_gated_tready;

// The receive MAC holds no configuration and is reset by the hard reset only:
// a frame on the wire during CTRL.RST is received whole and counted (below),
// never cut into a tail that nothing would count.
verinic_mac_rx mac_rx_inst (
    .clk(clk),
    .rst(rst),
    .xgmii_rxd(xgmii_rxd),
    .xgmii_rxc(xgmii_rxc),
    .m_axis_tdata(mac_rx_tdata),
    .m_axis_tkeep(mac_rx_tkeep),
    .m_axis_tvalid(mac_rx_tvalid),
    .m_axis_tlast(mac_rx_tlast),
    .m_axis_tuser(mac_rx_tuser),
    .cfg_rx_max_len(RX_MAX_LEN[15:0]),
    .stat_rx_pkt_good(mac_rx_good),
    .stat_rx_pkt_len(mac_rx_len),
    .stat_rx_err_fcs(mac_rx_fcs),
    .stat_rx_err_runt(mac_rx_runt),
    .stat_rx_err_oversize(mac_rx_oversize),
    .stat_rx_err_char(mac_rx_char),
    .stat_rx_err_framing(mac_rx_framing),
    .stat_rx_err_preamble(mac_rx_preamble)
);

verinic_mac_tx mac_tx_inst (
    .clk(clk),
    .rst(dev_rst),
    .s_axis_tdata(mac_tx_tdata),
    .s_axis_tkeep(mac_tx_tkeep),
    .s_axis_tvalid(mac_tx_gated_tvalid),
    .s_axis_tready(mac_tx_gated_tready),
    .s_axis_tlast(mac_tx_tlast),
    .s_axis_tuser(1'b0),
    .xgmii_txd(xgmii_txd),
    .xgmii_txc(xgmii_txc),
    .cfg_tx_pad_en(cfg_tx_pad),
    .stat_tx_pkt_good(mac_tx_good),
    .stat_tx_pkt_len(mac_tx_len),
    .stat_tx_err_underrun(mac_tx_underrun),
    .stat_tx_err_abort(mac_tx_abort)
);

// Store and forward makes these impossible; kept visible for waveforms.
/* verilator lint_off UNUSEDSIGNAL */
wire mac_tx_errors = mac_tx_underrun || mac_tx_abort;
/* verilator lint_on UNUSEDSIGNAL */

// ---------------------------------------------------------------------------
// AXI arbitration
localparam RD_RX_DESC = 0, RD_TX_DESC = 1, RD_TX_DATA = 2;
localparam WR_RX_DATA = 0, WR_RX_WB = 1, WR_TX_WB = 2;

wire [3*64-1:0]  rd_ar_addr;
wire [3*8-1:0]   rd_ar_len;
wire [2:0]       rd_ar_valid;
wire [2:0]       rd_ar_ready;
wire [127:0]     rd_r_data;
wire [1:0]       rd_r_resp;
wire             rd_r_last;
wire [2:0]       rd_r_valid;

wire [3*64-1:0]  wr_aw_addr;
wire [3*8-1:0]   wr_aw_len;
wire [2:0]       wr_aw_valid;
wire [2:0]       wr_aw_ready;
wire [3*128-1:0] wr_w_data;
wire [3*16-1:0]  wr_w_strb;
wire [2:0]       wr_w_last;
wire [2:0]       wr_w_valid;
wire [2:0]       wr_w_ready;
wire [2:0]       wr_b_valid;
wire [1:0]       wr_b_resp;

// Before a soft reset the bus drains: no new burst is granted while
// quiescing, and the reset waits until every burst on the bus has its last
// R beat or its B (a write's B comes after all its W beats). Counted on the
// master port, reset by the hard reset only.
wire [2:0] rd_ar_ready_arb, wr_aw_ready_arb;
assign rd_ar_ready = rd_ar_ready_arb & {3{!bus_quiesce}};
assign wr_aw_ready = wr_aw_ready_arb & {3{!bus_quiesce}};
reg [8:0] bus_reads_reg, bus_writes_reg;
always @(posedge clk) begin
    bus_reads_reg <= bus_reads_reg + {8'd0, m_axi_arvalid && m_axi_arready}
                                   - {8'd0, m_axi_rvalid && m_axi_rready && m_axi_rlast};
    bus_writes_reg <= bus_writes_reg + {8'd0, m_axi_awvalid && m_axi_awready}
                                     - {8'd0, m_axi_bvalid && m_axi_bready};
    if (rst) begin
        bus_reads_reg <= 9'd0;
        bus_writes_reg <= 9'd0;
    end
end
assign bus_idle = bus_reads_reg == 9'd0 && bus_writes_reg == 9'd0 && !m_axi_arvalid && !m_axi_awvalid
                  && !m_axi_wvalid && !tx_in_frame;

// Response codes go to VN_AXIERR (verinic_nic_regs); RLAST is not needed
/* verilator lint_off UNUSEDSIGNAL */
wire unused_last = rd_r_last;
/* verilator lint_on UNUSEDSIGNAL */

verinic_axi_rd_arb #(.CLIENTS(3)) rd_arb_inst (
    .clk(clk),
    .rst(dev_rst),
    .s_ar_addr(rd_ar_addr),
    .s_ar_len(rd_ar_len),
    .s_ar_valid(rd_ar_valid & {3{!bus_quiesce}}),
    .s_ar_ready(rd_ar_ready_arb),
    .s_r_data(rd_r_data),
    .s_r_resp(rd_r_resp),
    .s_r_last(rd_r_last),
    .s_r_valid(rd_r_valid),
    .m_axi_arid(m_axi_arid),
    .m_axi_araddr(m_axi_araddr),
    .m_axi_arlen(m_axi_arlen),
    .m_axi_arsize(m_axi_arsize),
    .m_axi_arburst(m_axi_arburst),
    .m_axi_arvalid(m_axi_arvalid),
    .m_axi_arready(m_axi_arready),
    .m_axi_rid(m_axi_rid),
    .m_axi_rdata(m_axi_rdata),
    .m_axi_rresp(m_axi_rresp),
    .m_axi_rlast(m_axi_rlast),
    .m_axi_rvalid(m_axi_rvalid),
    .m_axi_rready(m_axi_rready)
);

verinic_axi_wr_arb #(.CLIENTS(3)) wr_arb_inst (
    .clk(clk),
    .rst(dev_rst),
    .s_aw_addr(wr_aw_addr),
    .s_aw_len(wr_aw_len),
    .s_aw_valid(wr_aw_valid & {3{!bus_quiesce}}),
    .s_aw_ready(wr_aw_ready_arb),
    .s_w_data(wr_w_data),
    .s_w_strb(wr_w_strb),
    .s_w_last(wr_w_last),
    .s_w_valid(wr_w_valid),
    .s_w_ready(wr_w_ready),
    .s_b_valid(wr_b_valid),
    .s_b_resp(wr_b_resp),
    .m_axi_awid(m_axi_awid),
    .m_axi_awaddr(m_axi_awaddr),
    .m_axi_awlen(m_axi_awlen),
    .m_axi_awsize(m_axi_awsize),
    .m_axi_awburst(m_axi_awburst),
    .m_axi_awvalid(m_axi_awvalid),
    .m_axi_awready(m_axi_awready),
    .m_axi_wdata(m_axi_wdata),
    .m_axi_wstrb(m_axi_wstrb),
    .m_axi_wlast(m_axi_wlast),
    .m_axi_wvalid(m_axi_wvalid),
    .m_axi_wready(m_axi_wready),
    .m_axi_bid(m_axi_bid),
    .m_axi_bresp(m_axi_bresp),
    .m_axi_bvalid(m_axi_bvalid),
    .m_axi_bready(m_axi_bready)
);

// ---------------------------------------------------------------------------
// DMA and bus errors: per-kind status, ICR cause, the affected path halted
wire rx_halt, tx_halt;

verinic_dma_err dma_err_inst (
    .clk(clk),
    .rst(dev_rst),
    .r_valid(rd_r_valid),
    .r_err(rd_r_resp[1]),
    .b_valid(wr_b_valid),
    .b_err(wr_b_resp[1]),
    .s_tx_tvalid(mac_tx_tvalid),
    .s_tx_tready(mac_tx_tready),
    .s_tx_tlast(mac_tx_tlast),
    .m_tx_tvalid(mac_tx_gated_tvalid),
    .m_tx_tready(mac_tx_gated_tready),
    .quiesce(bus_quiesce),
    .tx_in_frame(tx_in_frame),
    .rx_halt(rx_halt),
    .tx_halt(tx_halt),
    .status(dma_err_status),
    .event_err(dma_err_event)
);

// ---------------------------------------------------------------------------
// Receive

// Admission: a frame is discarded - kept from the checksum engine and the FIFO
// - when the receiver is disabled (RCTL.EN = 0) at its first beat or the
// device is in reset at any of its beats (the FIFO forgets what it had of it).
// A discarded frame the MAC found good is counted in VN_RXDISC, not in GPRC
// (the MAC's good pulse comes with one of the frame's beats); a bad one is
// counted by the MAC's error counters as always. So every frame on the wire is
// counted once, across a reset too, and GPRC - MPC stays the frames the FIFO
// took.
assign rx_discard = rx_in_frame_reg ? (rx_discard_reg || dev_rst) : (dev_rst || !cfg_rx_enable);
wire rx_admit_tvalid = mac_rx_tvalid && !rx_discard;

always @(posedge clk) begin
    if (mac_rx_tvalid) begin
        rx_in_frame_reg <= !mac_rx_tlast;
        rx_discard_reg <= rx_discard && !mac_rx_tlast;
    end
    if (rst) begin
        rx_in_frame_reg <= 1'b0;
        rx_discard_reg <= 1'b0;
    end
end

wire [15:0]  rx_frame_len;
wire [31:0]  rx_frame_meta;
wire         rx_frame_valid, rx_frame_pop;
wire [7:0]   rx_csum_status, rx_csum_errors;
wire [15:0]  rx_csum_sum;

verinic_rx_csum rx_csum_inst (
    .clk(clk),
    .rst(dev_rst),
    .s_axis_tdata(mac_rx_tdata),
    .s_axis_tkeep(mac_rx_tkeep),
    .s_axis_tvalid(rx_admit_tvalid),
    .s_axis_tlast(mac_rx_tlast),
    .cfg_pcss(cfg_rxcsum[7:0]),
    .cfg_ipofld(cfg_rxcsum[8]),
    .cfg_tuofld(cfg_rxcsum[9]),
    .result_status(rx_csum_status),
    .result_errors(rx_csum_errors),
    .result_csum(rx_csum_sum)
);
wire [127:0] rx_fifo_data;
wire         rx_fifo_valid, rx_fifo_ready;

verinic_rx_fifo #(.ADDR_LOG2(RX_FIFO_LOG2)) rx_fifo_inst (
    .clk(clk),
    .rst(dev_rst),
    .s_axis_tdata(mac_rx_tdata),
    .s_axis_tkeep(mac_rx_tkeep),
    .s_axis_tvalid(rx_admit_tvalid),
    .s_axis_tlast(mac_rx_tlast),
    .s_axis_tuser(mac_rx_tuser),
    .s_meta({rx_csum_sum, rx_csum_errors, rx_csum_status}),
    .m_frame_len(rx_frame_len),
    .m_frame_meta(rx_frame_meta),
    .m_frame_valid(rx_frame_valid),
    .m_frame_pop(rx_frame_pop),
    .m_data(rx_fifo_data),
    .m_data_valid(rx_fifo_valid),
    .m_data_ready(rx_fifo_ready),
    .stat_drop_full(fifo_drop),
    .stat_frames(rx_fifo_frames)
);

wire [127:0] rx_desc;
wire [15:0]  rx_desc_index;
wire         rx_desc_valid, rx_desc_ready, rx_ring_empty;

verinic_desc_fetch #(.CACHE_LOG2(DESC_CACHE_LOG2)) rx_fetch_inst (
    .clk(clk),
    .rst(dev_rst),
    .cfg_enable(cfg_rx_enable),
    .cfg_ring_base(cfg_rx_ring_base),
    .cfg_ring_size(cfg_rx_ring_size),
    .cfg_tail(cfg_rx_tail),
    .ar_addr(rd_ar_addr[RD_RX_DESC*64 +: 64]),
    .ar_len(rd_ar_len[RD_RX_DESC*8 +: 8]),
    .ar_valid(rd_ar_valid[RD_RX_DESC]),
    .ar_ready(rd_ar_ready[RD_RX_DESC]),
    .r_data(rd_r_data),
    .r_valid(rd_r_valid[RD_RX_DESC]),
    .m_desc(rx_desc),
    .m_index(rx_desc_index),
    .m_valid(rx_desc_valid),
    .m_ready(rx_desc_ready && !rx_halt),
    .status_ring_empty(rx_ring_empty)
);

// Only the buffer address of a posted RX descriptor matters
/* verilator lint_off UNUSEDSIGNAL */
wire [63:0] rx_desc_unused = {rx_desc[`RXD_SPECIAL], rx_desc[`RXD_ERRORS], rx_desc[`RXD_STATUS],
                              rx_desc[`RXD_CSUM], rx_desc[`RXD_LENGTH]};
/* verilator lint_on UNUSEDSIGNAL */

wire [127:0] rx_wb_image;
wire [15:0]  rx_wb_index;
wire         rx_wb_valid, rx_wb_ready;

verinic_rx_dma rx_dma_inst (
    .clk(clk),
    .rst(dev_rst),
    .cfg_enable(cfg_rx_enable),
    .cfg_buf_size(cfg_rx_buf_size),
    .s_frame_len(rx_frame_len),
    .s_frame_meta(rx_frame_meta),
    .s_frame_valid(rx_frame_valid),
    .s_frame_pop(rx_frame_pop),
    .s_data(rx_fifo_data),
    .s_data_valid(rx_fifo_valid),
    .s_data_ready(rx_fifo_ready),
    .desc_addr(rx_desc[`RXD_ADDR]),
    .desc_index(rx_desc_index),
    .desc_valid(rx_desc_valid && !rx_halt),
    .desc_ready(rx_desc_ready),
    .ring_empty(rx_ring_empty),
    .aw_addr(wr_aw_addr[WR_RX_DATA*64 +: 64]),
    .aw_len(wr_aw_len[WR_RX_DATA*8 +: 8]),
    .aw_valid(wr_aw_valid[WR_RX_DATA]),
    .aw_ready(wr_aw_ready[WR_RX_DATA]),
    .w_data(wr_w_data[WR_RX_DATA*128 +: 128]),
    .w_strb(wr_w_strb[WR_RX_DATA*16 +: 16]),
    .w_last(wr_w_last[WR_RX_DATA]),
    .w_valid(wr_w_valid[WR_RX_DATA]),
    .w_ready(wr_w_ready[WR_RX_DATA]),
    .b_valid(wr_b_valid[WR_RX_DATA]),
    .wb_image(rx_wb_image),
    .wb_index(rx_wb_index),
    .wb_valid(rx_wb_valid),
    .wb_ready(rx_wb_ready && !rx_halt),
    .stat_rnbc(rx_no_buffer)
);

/* verilator lint_off UNUSEDSIGNAL */
wire rx_wb_idle, rx_wb_flag;
/* verilator lint_on UNUSEDSIGNAL */

verinic_desc_wb #(.EOP_BIT(`RXD_STA_EOP)) rx_wb_inst (
    .clk(clk),
    .rst(dev_rst),
    .cfg_ring_base(cfg_rx_ring_base),
    .cfg_ring_size(cfg_rx_ring_size),
    .s_image(rx_wb_image),
    .s_index(rx_wb_index),
    .s_valid(rx_wb_valid && !rx_halt),
    .s_ready(rx_wb_ready),
    .aw_addr(wr_aw_addr[WR_RX_WB*64 +: 64]),
    .aw_len(wr_aw_len[WR_RX_WB*8 +: 8]),
    .aw_valid(wr_aw_valid[WR_RX_WB]),
    .aw_ready(wr_aw_ready[WR_RX_WB]),
    .w_data(wr_w_data[WR_RX_WB*128 +: 128]),
    .w_strb(wr_w_strb[WR_RX_WB*16 +: 16]),
    .w_last(wr_w_last[WR_RX_WB]),
    .w_valid(wr_w_valid[WR_RX_WB]),
    .w_ready(wr_w_ready[WR_RX_WB]),
    .b_valid(wr_b_valid[WR_RX_WB]),
    .done_count(rx_wb_count),
    .done_frames(rx_wb_frames),
    .done_flag(rx_wb_flag),
    .done_next(rx_wb_next),
    .status_idle(rx_wb_idle)
);

// RDH moves when write-backs complete; RXDMT0 (verinic_rx_head)
verinic_rx_head rx_head_inst (
    .clk(clk),
    .rst(dev_rst),
    .cfg_enable(cfg_rx_enable),
    .cfg_ring_size(cfg_rx_ring_size),
    .cfg_rdmts(cfg_rx_rdmts),
    .cfg_tail(cfg_rx_tail),
    .done_count(rx_wb_count),
    .done_next(rx_wb_next),
    .status_head(rx_head),
    .stat_rxdmt0(rxdmt0)
);

// ---------------------------------------------------------------------------
// Transmit
wire [127:0] tx_desc;
wire [15:0]  tx_desc_index;
wire         tx_desc_valid, tx_desc_ready;
/* verilator lint_off UNUSEDSIGNAL */
wire         tx_ring_empty;
/* verilator lint_on UNUSEDSIGNAL */

verinic_desc_fetch #(.CACHE_LOG2(DESC_CACHE_LOG2)) tx_fetch_inst (
    .clk(clk),
    .rst(dev_rst),
    .cfg_enable(cfg_tx_enable),
    .cfg_ring_base(cfg_tx_ring_base),
    .cfg_ring_size(cfg_tx_ring_size),
    .cfg_tail(cfg_tx_tail),
    .ar_addr(rd_ar_addr[RD_TX_DESC*64 +: 64]),
    .ar_len(rd_ar_len[RD_TX_DESC*8 +: 8]),
    .ar_valid(rd_ar_valid[RD_TX_DESC]),
    .ar_ready(rd_ar_ready[RD_TX_DESC]),
    .r_data(rd_r_data),
    .r_valid(rd_r_valid[RD_TX_DESC]),
    .m_desc(tx_desc),
    .m_index(tx_desc_index),
    .m_valid(tx_desc_valid),
    .m_ready(tx_desc_ready && !tx_halt),
    .status_ring_empty(tx_ring_empty)
);

wire [127:0] tx_wb_image;
wire [15:0]  tx_wb_index;
wire         tx_wb_valid;
/* verilator lint_off UNUSEDSIGNAL */
wire         tx_wb_ready;
wire         tx_wb_idle;
wire [15:0]  tx_wb_next;
wire [3:0]   tx_wb_frames_unused = tx_wb_frames;
/* verilator lint_on UNUSEDSIGNAL */

verinic_tx_dma #(.FIFO_LOG2(TX_FIFO_LOG2)) tx_dma_inst (
    .clk(clk),
    .rst(dev_rst),
    .cfg_enable(cfg_tx_enable),
    .cfg_ring_size(cfg_tx_ring_size),
    .cfg_tail(cfg_tx_tail),
    .desc(tx_desc),
    .desc_index(tx_desc_index),
    .desc_valid(tx_desc_valid && !tx_halt),
    .desc_ready(tx_desc_ready),
    .ar_addr(rd_ar_addr[RD_TX_DATA*64 +: 64]),
    .ar_len(rd_ar_len[RD_TX_DATA*8 +: 8]),
    .ar_valid(rd_ar_valid[RD_TX_DATA]),
    .ar_ready(rd_ar_ready[RD_TX_DATA]),
    .r_data(rd_r_data),
    .r_valid(rd_r_valid[RD_TX_DATA]),
    .wb_image(tx_wb_image),
    .wb_index(tx_wb_index),
    .wb_valid(tx_wb_valid),
    .wb_done_count(tx_wb_count),
    .m_axis_tdata(mac_tx_tdata),
    .m_axis_tkeep(mac_tx_tkeep),
    .m_axis_tvalid(mac_tx_tvalid),
    .m_axis_tready(mac_tx_tready),
    .m_axis_tlast(mac_tx_tlast),
    .status_head(tx_head),
    .stat_txqe(txqe),
    .stat_csum_bad(tx_csum_bad)
);

verinic_desc_wb #(.EOP_BIT(`TXD_CMD_EOP), .FLAG_BIT(`TXD_CMD_IDE)) tx_wb_inst (
    .clk(clk),
    .rst(dev_rst),
    .cfg_ring_base(cfg_tx_ring_base),
    .cfg_ring_size(cfg_tx_ring_size),
    .s_image(tx_wb_image),
    .s_index(tx_wb_index),
    .s_valid(tx_wb_valid && !tx_halt),
    .s_ready(tx_wb_ready),
    .aw_addr(wr_aw_addr[WR_TX_WB*64 +: 64]),
    .aw_len(wr_aw_len[WR_TX_WB*8 +: 8]),
    .aw_valid(wr_aw_valid[WR_TX_WB]),
    .aw_ready(wr_aw_ready[WR_TX_WB]),
    .w_data(wr_w_data[WR_TX_WB*128 +: 128]),
    .w_strb(wr_w_strb[WR_TX_WB*16 +: 16]),
    .w_last(wr_w_last[WR_TX_WB]),
    .w_valid(wr_w_valid[WR_TX_WB]),
    .w_ready(wr_w_ready[WR_TX_WB]),
    .b_valid(wr_b_valid[WR_TX_WB]),
    .done_count(tx_wb_count),
    .done_frames(tx_wb_frames),
    .done_flag(tx_wb_ide),
    .done_next(tx_wb_next),
    .status_idle(tx_wb_idle)
);

endmodule

`resetall
