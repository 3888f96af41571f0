// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_nic_irq: interrupt causes, mask, coalescing timers and throttling.
//
// ICR collects causes; the interrupt line is asserted while (ICR & IMS) != 0,
// no sooner than ITR x 256 ns after its previous rising edge. Reading ICR
// returns the causes and clears exactly those (a cause set in the same cycle
// survives); writing 1s to ICR clears them, to ICS sets them, to IMS enables
// and to IMC disables them.
//
// RXT0 and TXDW are moderated by verinic_coalesce: RX with RDTR (packet
// timer), RADV (absolute timer), VN_RXFRAMES and RDTR.FPD; TX with TIDV, TADV
// and VN_TXFRAMES for descriptors with IDE, at once for the others.
// 1.024 us is exactly 160 cycles and 256 ns exactly 40 cycles at 156.25 MHz.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_nic_irq (
    input  wire        clk,
    input  wire        rst,

    // Register access (from verinic_nic_regs)
    input  wire        reg_wr,
    input  wire [15:0] reg_wr_addr,
    input  wire [31:0] reg_wr_data,
    input  wire        icr_rd,          // ICR is being read (clear on read)
    output wire [31:0] icr_value,
    output wire [31:0] ims_value,

    input  wire [15:0] cfg_rdtr,
    input  wire [15:0] cfg_radv,
    input  wire [15:0] cfg_rx_frames,
    input  wire [15:0] cfg_tidv,
    input  wire [15:0] cfg_tadv,
    input  wire [15:0] cfg_tx_frames,
    input  wire [15:0] cfg_itr,
    input  wire        rdtr_fpd,

    input  wire [3:0]  ev_rx_frames,    // frames written back this cycle
    input  wire [3:0]  ev_tx_done,      // TX descriptors written back this cycle
    input  wire        ev_tx_ide,       // ... of which some had IDE
    input  wire        ev_txqe,
    input  wire        ev_rxdmt0,
    input  wire        ev_rxo,
    input  wire        ev_dmaerr,       // a DMA transfer got SLVERR/DECERR (verinic_dma_err)

    output wire        irq
);

localparam [15:0] REG_ICR = 16'h00C0;
localparam [15:0] REG_ICS = 16'h00C8;
localparam [15:0] REG_IMS = 16'h00D0;
localparam [15:0] REG_IMC = 16'h00D8;

localparam [31:0] ICR_TXDW   = 32'h0000_0001;
localparam [31:0] ICR_TXQE   = 32'h0000_0002;
localparam [31:0] ICR_RXDMT0 = 32'h0000_0010;
localparam [31:0] ICR_RXO    = 32'h0000_0040;
localparam [31:0] ICR_RXT0   = 32'h0000_0080;
localparam [31:0] ICR_DMAERR = 32'h0040_0000;   // verinic: bit 22, DMA or bus error
localparam [31:0] ICR_ALL    = 32'h0040_00D7;   // the causes above and LSC (2)

localparam [7:0] CYCLES_PER_DELAY_UNIT = 8'd160;  // 1.024 us
localparam [7:0] CYCLES_PER_ITR_UNIT = 8'd40;     // 256 ns

reg [31:0] icr_reg;
reg [31:0] ims_reg;
reg        irq_reg;
reg [23:0] itr_timer_reg;

wire [23:0] itr_cycles = {8'd0, cfg_itr} * {16'd0, CYCLES_PER_ITR_UNIT};
wire rx_fire;
wire tx_fire;

verinic_coalesce #(.CYCLES_PER_UNIT(CYCLES_PER_DELAY_UNIT)) rx_coalesce_inst (
    .clk(clk),
    .rst(rst),
    .cfg_pkt(cfg_rdtr),
    .cfg_abs(cfg_radv),
    .cfg_frames(cfg_rx_frames),
    .ev_count(ev_rx_frames),
    .ev_now(1'b0),
    .flush(rdtr_fpd),
    .fire(rx_fire)
);

// Descriptors without IDE are not delayed
verinic_coalesce #(.CYCLES_PER_UNIT(CYCLES_PER_DELAY_UNIT)) tx_coalesce_inst (
    .clk(clk),
    .rst(rst),
    .cfg_pkt(cfg_tidv),
    .cfg_abs(cfg_tadv),
    .cfg_frames(cfg_tx_frames),
    .ev_count(ev_tx_ide ? ev_tx_done : 4'd0),
    .ev_now(ev_tx_done != 4'd0 && !ev_tx_ide),
    .flush(1'b0),
    .fire(tx_fire)
);

wire [31:0] cause_set = (rx_fire ? ICR_RXT0 : 32'd0)
                      | (tx_fire ? ICR_TXDW : 32'd0)
                      | (ev_txqe ? ICR_TXQE : 32'd0)
                      | (ev_rxdmt0 ? ICR_RXDMT0 : 32'd0)
                      | (ev_rxo ? ICR_RXO : 32'd0)
                      | (ev_dmaerr ? ICR_DMAERR : 32'd0)
                      | ((reg_wr && reg_wr_addr == REG_ICS) ? reg_wr_data & ICR_ALL : 32'd0);
wire [31:0] cause_clear = (icr_rd ? icr_reg : 32'd0)
                        | ((reg_wr && reg_wr_addr == REG_ICR) ? reg_wr_data : 32'd0);
wire [31:0] icr_next = (icr_reg & ~cause_clear) | cause_set;

reg [31:0] ims_next;
always @* begin
    ims_next = ims_reg;
    if (reg_wr && reg_wr_addr == REG_IMS) ims_next = ims_reg | (reg_wr_data & ICR_ALL);
    if (reg_wr && reg_wr_addr == REG_IMC) ims_next = ims_reg & ~reg_wr_data;
end

wire want_irq = (icr_next & ims_next) != 32'd0;
wire irq_next = want_irq && (irq_reg || itr_timer_reg == 24'd0);

always @(posedge clk) begin
    icr_reg <= icr_next;
    ims_reg <= ims_next;
    irq_reg <= irq_next;

    // Throttle: the next rising edge comes ITR x 256 ns after this one at the
    // earliest (the timer is seen as 0 one cycle after it gets there)
    if (irq_next && !irq_reg) begin
        itr_timer_reg <= (cfg_itr == 16'd0) ? 24'd0 : itr_cycles - 24'd1;
    end else if (itr_timer_reg != 24'd0) begin
        itr_timer_reg <= itr_timer_reg - 24'd1;
    end

    if (rst) begin
        icr_reg <= 32'd0;
        ims_reg <= 32'd0;
        irq_reg <= 1'b0;
        itr_timer_reg <= 24'd0;
    end
end

assign icr_value = icr_reg;
assign ims_value = ims_reg;
assign irq = irq_reg;

endmodule

`resetall
