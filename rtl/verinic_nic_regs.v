// SPDX-License-Identifier: MIT OR Apache-2.0
// verinic_nic_regs: the register file behind the AXI4-Lite slave.
//
// e1000 legacy registers at e1000's offsets (host-driver/src/regs.rs is the
// Rust copy of the REG_ list below; tests/regs_agree.rs compares them), plus
// verinic's extensions at 0xF000. Registers are whole dwords: a write with
// WSTRB other than 4'hF is refused with SLVERR. Unknown offsets read 0 and
// ignore writes. Statistics registers
// count event pulses and clear on read; GORC and GOTC are 64-bit and clear
// when their high half is read. They are cleared by the hard reset only, not by
// CTRL.RST: e1000 software reads them after a reset to clear them
// (e1000_init_hw -> e1000_clear_hw_cntrs), and keeping them lets a driver count
// every frame the device saw around a reset, the ones during the reset too.
//
// CTRL.RST starts a soft reset of the whole device (this register file
// included, the bus handshake excepted) for SOFT_RESET_CYCLES; CTRL reads RST
// as 1 until it is over. First the host memory bus drains (quiesce: no new
// burst starts; those on the bus complete, their W data included; no new TX
// frame starts and one being sent is finished), so no read data or write
// response of a burst from before the reset can reach the device after it,
// no write burst is left without its data and no frame is cut on the wire.
// The reset starts after 32 idle cycles in a row (the MAC's last frame has
// left by then).
//
// Bus side: AW and W are taken independently, a write is done when both are
// held, and B follows; a read answers on the cycle after AR. Every ready and
// valid output comes from a register.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module verinic_nic_regs #(
    parameter SOFT_RESET_CYCLES = 8
) (
    input  wire        clk,
    input  wire        rst,

    input  wire [15:0] s_axil_awaddr,
    input  wire        s_axil_awvalid,
    output wire        s_axil_awready,
    input  wire [31:0] s_axil_wdata,
    input  wire [3:0]  s_axil_wstrb,
    input  wire        s_axil_wvalid,
    output wire        s_axil_wready,
    output wire [1:0]  s_axil_bresp,
    output wire        s_axil_bvalid,
    input  wire        s_axil_bready,
    input  wire [15:0] s_axil_araddr,
    input  wire        s_axil_arvalid,
    output wire        s_axil_arready,
    output wire [31:0] s_axil_rdata,
    output wire [1:0]  s_axil_rresp,
    output wire        s_axil_rvalid,
    input  wire        s_axil_rready,

    output wire        soft_rst,
    output wire        quiesce,          // CTRL.RST: no new DMA bursts until the reset
    input  wire        bus_idle,         // no DMA burst outstanding on the host bus

    // Register access seen by verinic_nic_irq
    output reg         reg_wr,
    output reg  [15:0] reg_wr_addr,
    output reg  [31:0] reg_wr_data,
    output reg         icr_rd,
    input  wire [31:0] icr_value,
    input  wire [31:0] ims_value,

    output wire        cfg_rx_enable,
    output reg  [12:0] cfg_rx_buf_size,
    output wire [1:0]  cfg_rx_rdmts,
    output wire [63:0] cfg_rx_ring_base,
    output wire [12:0] cfg_rx_ring_size,
    output wire [15:0] cfg_rx_tail,
    output wire        cfg_tx_enable,
    output wire        cfg_tx_pad,
    output wire [63:0] cfg_tx_ring_base,
    output wire [12:0] cfg_tx_ring_size,
    output wire [15:0] cfg_tx_tail,
    output wire [15:0] cfg_rdtr,
    output wire [15:0] cfg_radv,
    output wire [15:0] cfg_rx_frames,
    output wire [15:0] cfg_tidv,
    output wire [15:0] cfg_tadv,
    output wire [15:0] cfg_tx_frames,
    output wire [15:0] cfg_itr,
    output wire [31:0] cfg_rxcsum,
    output reg         rdtr_fpd,

    input  wire [15:0] status_rx_head,
    input  wire [15:0] status_tx_head,

    // Statistics event pulses
    input  wire        stat_rx_good,
    input  wire [15:0] stat_rx_good_len,
    input  wire        stat_tx_good,
    input  wire [15:0] stat_tx_good_len,
    input  wire        stat_crc_err,
    input  wire        stat_rx_err,
    input  wire        stat_missed,
    input  wire        stat_no_buffer,
    input  wire        stat_rx_discard,   // a good frame discarded on admission (VN_RXDISC)
    input  wire        stat_runt,
    input  wire        stat_oversize,
    input  wire        stat_tx_csum_bad,

    // Host memory bus responses (the arbiters' client side): R beats and B
    // responses with their RRESP / BRESP, for VN_AXIERR
    input  wire [2:0]  stat_axi_r_valid,
    input  wire [1:0]  stat_axi_r_resp,
    input  wire [2:0]  stat_axi_b_valid,
    input  wire [1:0]  stat_axi_b_resp,
    // VN_DMAERR: the DMA error kinds seen and their count (verinic_dma_err)
    input  wire [31:0] stat_dma_err
);

// Register map: must match host-driver/src/regs.rs
localparam [15:0] REG_CTRL        = 16'h0000;
localparam [15:0] REG_STATUS      = 16'h0008;
localparam [15:0] REG_ICR         = 16'h00C0;
localparam [15:0] REG_ITR         = 16'h00C4;
localparam [15:0] REG_ICS         = 16'h00C8;
localparam [15:0] REG_IMS         = 16'h00D0;
localparam [15:0] REG_IMC         = 16'h00D8;
localparam [15:0] REG_RCTL        = 16'h0100;
localparam [15:0] REG_TCTL        = 16'h0400;
localparam [15:0] REG_RDBAL       = 16'h2800;
localparam [15:0] REG_RDBAH       = 16'h2804;
localparam [15:0] REG_RDLEN       = 16'h2808;
localparam [15:0] REG_RDH         = 16'h2810;
localparam [15:0] REG_RDT         = 16'h2818;
localparam [15:0] REG_RDTR        = 16'h2820;
localparam [15:0] REG_RADV        = 16'h282C;
localparam [15:0] REG_TDBAL       = 16'h3800;
localparam [15:0] REG_TDBAH       = 16'h3804;
localparam [15:0] REG_TDLEN       = 16'h3808;
localparam [15:0] REG_TDH         = 16'h3810;
localparam [15:0] REG_TDT         = 16'h3818;
localparam [15:0] REG_TIDV        = 16'h3820;
localparam [15:0] REG_TADV        = 16'h382C;
localparam [15:0] REG_RXCSUM      = 16'h5000;
localparam [15:0] REG_CRCERRS     = 16'h4000;
localparam [15:0] REG_RXERRC      = 16'h400C;
localparam [15:0] REG_MPC         = 16'h4010;
localparam [15:0] REG_GPRC        = 16'h4074;
localparam [15:0] REG_GPTC        = 16'h4080;
localparam [15:0] REG_GORCL       = 16'h4088;
localparam [15:0] REG_GORCH       = 16'h408C;
localparam [15:0] REG_GOTCL       = 16'h4090;
localparam [15:0] REG_GOTCH       = 16'h4094;
localparam [15:0] REG_RNBC        = 16'h40A0;
localparam [15:0] REG_RUC         = 16'h40A4;
localparam [15:0] REG_ROC         = 16'h40AC;
localparam [15:0] REG_VN_RXFRAMES = 16'hF000;
localparam [15:0] REG_VN_TXFRAMES = 16'hF004;
localparam [15:0] REG_VN_ID       = 16'hF010;
localparam [15:0] REG_VN_TXCSUMERR = 16'hF020;
localparam [15:0] REG_VN_AXIERR   = 16'hF024;
localparam [15:0] REG_VN_DMAERR   = 16'hF028;
localparam [15:0] REG_VN_RXDISC   = 16'hF02C;

localparam [31:0] VN_ID_VALUE = 32'h564E4943;   // "VNIC"
localparam        CTRL_RST_BIT = 26;
localparam [31:0] STATUS_VALUE = 32'h0000_0002; // LU: the XGMII link is always up

// ---------------------------------------------------------------------------
// Bus handshake (not reset by CTRL.RST: the write that starts it completes)
reg        aw_full_reg;
reg [15:0] aw_addr_reg;
reg        w_full_reg;
reg [31:0] w_data_reg;
reg        w_whole_reg;     // all four strobes set: partial writes are refused
reg [1:0]  bresp_reg;
reg        bvalid_reg;
reg        rvalid_reg;
reg [31:0] rdata_reg;

wire do_write = aw_full_reg && w_full_reg && !bvalid_reg;
wire write_en = do_write && w_whole_reg;
wire do_read = s_axil_arvalid && !rvalid_reg;

// ---------------------------------------------------------------------------
reg [7:0]  soft_rst_count_reg;
reg        drain_reg;
reg [4:0]  idle_count_reg;   // cycles the device has been idle while draining
reg [31:0] ctrl_reg;
reg [31:0] rctl_reg;
reg [31:0] tctl_reg;
reg [31:0] rdbal_reg, rdbah_reg, rdlen_reg, rdt_reg, rdtr_reg, radv_reg;
reg [31:0] tdbal_reg, tdbah_reg, tdlen_reg, tdt_reg, tidv_reg, tadv_reg;
reg [31:0] itr_reg, rxcsum_reg, rx_frames_reg, tx_frames_reg;

reg [31:0] crcerrs_reg, rxerrc_reg, mpc_reg, gprc_reg, gptc_reg, rnbc_reg, ruc_reg, roc_reg;
reg [31:0] txcsumerr_reg;
reg [31:0] rxdisc_reg;
// VN_AXIERR: 15:0 error responses (SLVERR or DECERR, saturating); sticky
// 16 RRESP SLVERR, 17 RRESP DECERR, 18 BRESP SLVERR, 19 BRESP DECERR
reg [15:0] axierr_count_reg;
reg [3:0]  axierr_seen_reg;
wire       axi_r_err = stat_axi_r_valid != 3'd0 && stat_axi_r_resp[1];
wire       axi_b_err = stat_axi_b_valid != 3'd0 && stat_axi_b_resp[1];
// the error count plus this cycle's errors, saturating
function [15:0] axierr_add;
    input [15:0] base;
    input        r_err;
    input        b_err;
    reg   [16:0] sum;
    begin
        sum = {1'b0, base} + {16'd0, r_err} + {16'd0, b_err};
        axierr_add = sum[16] ? 16'hFFFF : sum[15:0];
    end
endfunction
reg [63:0] gorc_reg, gotc_reg;

wire internal_rst = rst || soft_rst_count_reg != 8'd0;
assign soft_rst = internal_rst;
assign quiesce = drain_reg;

// The read mux: a function called when a read is taken, so that the Verilated
// model does not evaluate it on every edge (it depends on the s_axil_araddr
// port, so as a net it would be re-evaluated on every input change as well).
function [31:0] read_value;
    input [15:0] addr;
    begin
        case (addr & 16'hFFFC)
            REG_CTRL:        read_value = ctrl_reg | ((internal_rst || drain_reg) ? (32'd1 << CTRL_RST_BIT) : 32'd0);
            REG_STATUS:      read_value = STATUS_VALUE;
            REG_ICR:         read_value = icr_value;
            REG_ITR:         read_value = itr_reg;
            REG_IMS:         read_value = ims_value;
            REG_RCTL:        read_value = rctl_reg;
            REG_TCTL:        read_value = tctl_reg;
            REG_RDBAL:       read_value = rdbal_reg;
            REG_RDBAH:       read_value = rdbah_reg;
            REG_RDLEN:       read_value = rdlen_reg;
            REG_RDH:         read_value = {16'd0, status_rx_head};
            REG_RDT:         read_value = rdt_reg;
            REG_RDTR:        read_value = rdtr_reg;
            REG_RADV:        read_value = radv_reg;
            REG_TDBAL:       read_value = tdbal_reg;
            REG_TDBAH:       read_value = tdbah_reg;
            REG_TDLEN:       read_value = tdlen_reg;
            REG_TDH:         read_value = {16'd0, status_tx_head};
            REG_TDT:         read_value = tdt_reg;
            REG_TIDV:        read_value = tidv_reg;
            REG_TADV:        read_value = tadv_reg;
            REG_RXCSUM:      read_value = rxcsum_reg;
            REG_CRCERRS:     read_value = crcerrs_reg;
            REG_RXERRC:      read_value = rxerrc_reg;
            REG_MPC:         read_value = mpc_reg;
            REG_GPRC:        read_value = gprc_reg;
            REG_GPTC:        read_value = gptc_reg;
            REG_GORCL:       read_value = gorc_reg[31:0];
            REG_GORCH:       read_value = gorc_reg[63:32];
            REG_GOTCL:       read_value = gotc_reg[31:0];
            REG_GOTCH:       read_value = gotc_reg[63:32];
            REG_RNBC:        read_value = rnbc_reg;
            REG_RUC:         read_value = ruc_reg;
            REG_ROC:         read_value = roc_reg;
            REG_VN_RXFRAMES: read_value = rx_frames_reg;
            REG_VN_TXFRAMES: read_value = tx_frames_reg;
            REG_VN_ID:       read_value = VN_ID_VALUE;
            REG_VN_TXCSUMERR: read_value = txcsumerr_reg;
            REG_VN_RXDISC:   read_value = rxdisc_reg;
            REG_VN_AXIERR:   read_value = {12'd0, axierr_seen_reg, axierr_count_reg};
            REG_VN_DMAERR:   read_value = stat_dma_err;
            default:         read_value = 32'd0;
        endcase
    end
endfunction

// A statistics register being read this cycle is cleared
wire [15:0] rd_addr = s_axil_araddr & 16'hFFFC;
wire rd_stat_clear = do_read;

always @(posedge clk) begin
    // Bus
    if (s_axil_awvalid && !aw_full_reg) begin
        aw_full_reg <= 1'b1;
        aw_addr_reg <= s_axil_awaddr & 16'hFFFC;
    end
    if (s_axil_wvalid && !w_full_reg) begin
        w_full_reg <= 1'b1;
        w_data_reg <= s_axil_wdata;
        w_whole_reg <= s_axil_wstrb == 4'hF;
    end
    if (do_write) begin
        aw_full_reg <= 1'b0;
        w_full_reg <= 1'b0;
        bvalid_reg <= 1'b1;
        bresp_reg <= w_whole_reg ? 2'b00 : 2'b10;
    end
    if (bvalid_reg && s_axil_bready) begin
        bvalid_reg <= 1'b0;
    end
    if (do_read) begin
        rdata_reg <= read_value(s_axil_araddr);
        rvalid_reg <= 1'b1;
    end else if (rvalid_reg && s_axil_rready) begin
        rvalid_reg <= 1'b0;
    end

    reg_wr <= write_en;
    reg_wr_addr <= aw_addr_reg;
    reg_wr_data <= w_data_reg;
    icr_rd <= do_read && rd_addr == REG_ICR;
    rdtr_fpd <= write_en && aw_addr_reg == REG_RDTR && w_data_reg[31];

    if (soft_rst_count_reg != 8'd0) begin
        soft_rst_count_reg <= soft_rst_count_reg - 8'd1;
    end
    // Idle for 32 cycles in a row: the MAC has sent the end of its last frame
    idle_count_reg <= (drain_reg && bus_idle) ? idle_count_reg + 5'd1 : 5'd0;
    if (drain_reg && bus_idle && idle_count_reg == 5'd31) begin
        drain_reg <= 1'b0;
        soft_rst_count_reg <= SOFT_RESET_CYCLES[7:0];
    end

    if (write_en) begin
        case (aw_addr_reg)
            REG_CTRL: begin
                ctrl_reg <= w_data_reg & ~(32'd1 << CTRL_RST_BIT);
                if (w_data_reg[CTRL_RST_BIT]) drain_reg <= 1'b1;
            end
            REG_ITR:         itr_reg <= {16'd0, w_data_reg[15:0]};
            REG_RCTL:        rctl_reg <= w_data_reg;
            REG_TCTL:        tctl_reg <= w_data_reg;
            REG_RDBAL:       rdbal_reg <= {w_data_reg[31:4], 4'd0};
            REG_RDBAH:       rdbah_reg <= w_data_reg;
            REG_RDLEN:       rdlen_reg <= {12'd0, w_data_reg[19:7], 7'd0};
            REG_RDT:         rdt_reg <= {16'd0, w_data_reg[15:0]};
            REG_RDTR:        rdtr_reg <= {16'd0, w_data_reg[15:0]};
            REG_RADV:        radv_reg <= {16'd0, w_data_reg[15:0]};
            REG_TDBAL:       tdbal_reg <= {w_data_reg[31:4], 4'd0};
            REG_TDBAH:       tdbah_reg <= w_data_reg;
            REG_TDLEN:       tdlen_reg <= {12'd0, w_data_reg[19:7], 7'd0};
            REG_TDT:         tdt_reg <= {16'd0, w_data_reg[15:0]};
            REG_TIDV:        tidv_reg <= {16'd0, w_data_reg[15:0]};
            REG_TADV:        tadv_reg <= {16'd0, w_data_reg[15:0]};
            REG_RXCSUM:      rxcsum_reg <= {22'd0, w_data_reg[9:0]};
            REG_VN_RXFRAMES: rx_frames_reg <= {16'd0, w_data_reg[15:0]};
            REG_VN_TXFRAMES: tx_frames_reg <= {16'd0, w_data_reg[15:0]};
            REG_ICR, REG_ICS, REG_IMS, REG_IMC: ;   // verinic_nic_irq owns these
            default: ;
        endcase
    end

    // Statistics: an event counts; a register read this cycle is cleared, the
    // event of that cycle counting from zero. Written as conditions (not as a
    // sum every cycle) so that the Verilated model skips idle counters.
    if (stat_crc_err) crcerrs_reg <= crcerrs_reg + 32'd1;
    if (stat_rx_err) rxerrc_reg <= rxerrc_reg + 32'd1;
    if (stat_missed) mpc_reg <= mpc_reg + 32'd1;
    if (stat_rx_good) gprc_reg <= gprc_reg + 32'd1;
    if (stat_tx_good) gptc_reg <= gptc_reg + 32'd1;
    if (stat_no_buffer) rnbc_reg <= rnbc_reg + 32'd1;
    if (stat_runt) ruc_reg <= ruc_reg + 32'd1;
    if (stat_oversize) roc_reg <= roc_reg + 32'd1;
    if (stat_tx_csum_bad) txcsumerr_reg <= txcsumerr_reg + 32'd1;
    if (stat_rx_discard) rxdisc_reg <= rxdisc_reg + 32'd1;
    if (stat_rx_good) gorc_reg <= gorc_reg + {48'd0, stat_rx_good_len};
    if (stat_tx_good) gotc_reg <= gotc_reg + {48'd0, stat_tx_good_len};
    if (axi_r_err || axi_b_err) begin
        axierr_count_reg <= axierr_add(axierr_count_reg, axi_r_err, axi_b_err);
        axierr_seen_reg <= axierr_seen_reg
                         | {axi_b_err && stat_axi_b_resp[0], axi_b_err && !stat_axi_b_resp[0],
                            axi_r_err && stat_axi_r_resp[0], axi_r_err && !stat_axi_r_resp[0]};
    end
    if (rd_stat_clear) begin
        case (rd_addr)
            REG_CRCERRS:      crcerrs_reg <= {31'd0, stat_crc_err};
            REG_RXERRC:       rxerrc_reg <= {31'd0, stat_rx_err};
            REG_MPC:          mpc_reg <= {31'd0, stat_missed};
            REG_GPRC:         gprc_reg <= {31'd0, stat_rx_good};
            REG_GPTC:         gptc_reg <= {31'd0, stat_tx_good};
            REG_RNBC:         rnbc_reg <= {31'd0, stat_no_buffer};
            REG_RUC:          ruc_reg <= {31'd0, stat_runt};
            REG_ROC:          roc_reg <= {31'd0, stat_oversize};
            REG_VN_TXCSUMERR: txcsumerr_reg <= {31'd0, stat_tx_csum_bad};
            REG_VN_RXDISC:    rxdisc_reg <= {31'd0, stat_rx_discard};
            REG_GORCH:        gorc_reg <= stat_rx_good ? {48'd0, stat_rx_good_len} : 64'd0;
            REG_GOTCH:        gotc_reg <= stat_tx_good ? {48'd0, stat_tx_good_len} : 64'd0;
            REG_VN_AXIERR: begin
                axierr_count_reg <= axierr_add(16'd0, axi_r_err, axi_b_err);
                axierr_seen_reg <= {axi_b_err && stat_axi_b_resp[0], axi_b_err && !stat_axi_b_resp[0],
                                    axi_r_err && stat_axi_r_resp[0], axi_r_err && !stat_axi_r_resp[0]};
            end
            default: ;
        endcase
    end

    if (internal_rst) begin
        ctrl_reg <= 32'd0;
        rctl_reg <= 32'd0;
        tctl_reg <= 32'd0;
        rdbal_reg <= 32'd0;
        rdbah_reg <= 32'd0;
        rdlen_reg <= 32'd0;
        rdt_reg <= 32'd0;
        rdtr_reg <= 32'd0;
        radv_reg <= 32'd0;
        tdbal_reg <= 32'd0;
        tdbah_reg <= 32'd0;
        tdlen_reg <= 32'd0;
        tdt_reg <= 32'd0;
        tidv_reg <= 32'd0;
        tadv_reg <= 32'd0;
        itr_reg <= 32'd0;
        rxcsum_reg <= 32'd0;
        rx_frames_reg <= 32'd0;
        tx_frames_reg <= 32'd0;
        axierr_count_reg <= 16'd0;
        axierr_seen_reg <= 4'd0;
    end
    if (rst) begin
        crcerrs_reg <= 32'd0;
        rxerrc_reg <= 32'd0;
        mpc_reg <= 32'd0;
        gprc_reg <= 32'd0;
        gptc_reg <= 32'd0;
        rnbc_reg <= 32'd0;
        ruc_reg <= 32'd0;
        roc_reg <= 32'd0;
        txcsumerr_reg <= 32'd0;
        rxdisc_reg <= 32'd0;
        gorc_reg <= 64'd0;
        gotc_reg <= 64'd0;
        aw_full_reg <= 1'b0;
        w_full_reg <= 1'b0;
        bvalid_reg <= 1'b0;
        rvalid_reg <= 1'b0;
        soft_rst_count_reg <= 8'd0;
        drain_reg <= 1'b0;
        idle_count_reg <= 5'd0;
        reg_wr <= 1'b0;
        icr_rd <= 1'b0;
        rdtr_fpd <= 1'b0;
    end
end

assign s_axil_awready = !aw_full_reg;
assign s_axil_wready = !w_full_reg;
assign s_axil_bresp = bresp_reg;
assign s_axil_bvalid = bvalid_reg;
assign s_axil_arready = !rvalid_reg;
assign s_axil_rdata = rdata_reg;
assign s_axil_rresp = 2'b00;
assign s_axil_rvalid = rvalid_reg;

// RCTL.BSIZE (BSEX = 0): 0 = 2048, 1 = 1024, 2 = 512, 3 = 256 bytes
always @* begin
    case (rctl_reg[17:16])
        2'd0: cfg_rx_buf_size = 13'd2048;
        2'd1: cfg_rx_buf_size = 13'd1024;
        2'd2: cfg_rx_buf_size = 13'd512;
        default: cfg_rx_buf_size = 13'd256;
    endcase
end

assign cfg_rx_enable = rctl_reg[1];
assign cfg_rx_rdmts = rctl_reg[9:8];
assign cfg_rx_ring_base = {rdbah_reg, rdbal_reg};
assign cfg_rx_ring_size = rdlen_reg[16:4];
assign cfg_rx_tail = rdt_reg[15:0];
assign cfg_tx_enable = tctl_reg[1];
assign cfg_tx_pad = tctl_reg[3];
assign cfg_tx_ring_base = {tdbah_reg, tdbal_reg};
assign cfg_tx_ring_size = tdlen_reg[16:4];
assign cfg_tx_tail = tdt_reg[15:0];
assign cfg_rdtr = rdtr_reg[15:0];
assign cfg_radv = radv_reg[15:0];
assign cfg_rx_frames = rx_frames_reg[15:0];
assign cfg_tidv = tidv_reg[15:0];
assign cfg_tadv = tadv_reg[15:0];
assign cfg_tx_frames = tx_frames_reg[15:0];
assign cfg_itr = itr_reg[15:0];
assign cfg_rxcsum = rxcsum_reg;

endmodule

`resetall
