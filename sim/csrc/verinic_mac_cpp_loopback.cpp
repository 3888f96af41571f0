// The speed limit of the simulator: the MAC in loopback at full line rate with
// 64-byte frames, driven by the smallest C++ loop that does the job. The Rust
// harness runs the same RTL and traffic; benches/ compares the two.
//
// Compiled by sim/build.rs against the fast profile of verinic_mac.
#include "Vverinic_mac_fast.h"
#include "verilated.h"

#include <cstdint>

namespace {

// One 60-byte packet (64 bytes with FCS): 7 full beats and one of 4 bytes.
constexpr int kBeats = 8;

struct Loopback {
    VerilatedContext ctx;
    Vverinic_mac_fast top{&ctx, "TOP"};
    uint64_t data[kBeats];
    int beat = 0;
    uint64_t frames_good = 0;
    uint64_t cycles = 0;

    void edge() {
        top.clk = 1;
        top.eval();
        top.clk = 0;
        top.eval();
        ++cycles;
    }
};

}  // namespace

extern "C" void* vn_mac_cpp_loopback_new() {
    auto* lb = new Loopback;
    for (int i = 0; i < kBeats; ++i) lb->data[i] = 0x0101010101010101ULL * static_cast<uint64_t>(i + 1);
    lb->top.cfg_tx_pad_en = 1;
    lb->top.cfg_rx_max_len = 1518;
    lb->top.xgmii_rxd = 0x0707070707070707ULL;
    lb->top.xgmii_rxc = 0xFF;
    lb->top.rst = 1;
    for (int i = 0; i < 4; ++i) lb->edge();
    lb->top.rst = 0;
    return lb;
}

extern "C" void vn_mac_cpp_loopback_run(void* handle, uint64_t cycles) {
    auto* lb = static_cast<Loopback*>(handle);
    auto& top = lb->top;
    for (uint64_t i = 0; i < cycles; ++i) {
        top.xgmii_rxd = top.xgmii_txd;
        top.xgmii_rxc = top.xgmii_txc;
        const bool last = lb->beat == kBeats - 1;
        top.s_axis_tx_tdata = lb->data[lb->beat];
        top.s_axis_tx_tkeep = last ? 0x0F : 0xFF;
        top.s_axis_tx_tlast = last;
        top.s_axis_tx_tuser = 0;
        top.s_axis_tx_tvalid = 1;
        const bool taken = top.s_axis_tx_tready;
        lb->edge();
        if (taken) lb->beat = last ? 0 : lb->beat + 1;
        if (top.m_axis_rx_tvalid && top.m_axis_rx_tlast && !top.m_axis_rx_tuser) ++lb->frames_good;
    }
}

extern "C" uint64_t vn_mac_cpp_loopback_frames(const void* handle) {
    return static_cast<const Loopback*>(handle)->frames_good;
}

extern "C" void vn_mac_cpp_loopback_free(void* handle) {
    auto* lb = static_cast<Loopback*>(handle);
    lb->top.final();
    delete lb;
}
