// The speed limit of the simulator for the whole NIC: the same RTL clocked by
// the smallest C++ loop that keeps it busy. XGMII RX replays a recorded word
// sequence (frames at line rate), host memory accepts everything at once and
// the register bus is idle. benches/ compares the full co-simulation with it.
//
// Compiled by sim/build.rs against the fast profile of verinic_nic.
#include "Vverinic_nic_fast.h"
#include "verilated.h"

#include <cstdint>
#include <vector>

namespace {

struct Loop {
    VerilatedContext ctx;
    Vverinic_nic_fast top{&ctx, "TOP"};
    std::vector<uint64_t> data;
    std::vector<uint8_t> ctrl;
    size_t next = 0;

    void edge() {
        top.clk = 1;
        top.eval();
        top.clk = 0;
        top.eval();
    }
};

}  // namespace

extern "C" void* vn_nic_cpp_loop_new(const uint64_t* data, const uint8_t* ctrl, uint64_t words) {
    auto* l = new Loop;
    l->data.assign(data, data + words);
    l->ctrl.assign(ctrl, ctrl + words);
    l->top.rst = 1;
    for (int i = 0; i < 8; ++i) l->edge();
    l->top.rst = 0;
    l->top.m_axi_arready = 1;
    l->top.m_axi_awready = 1;
    l->top.m_axi_wready = 1;
    return l;
}

extern "C" void vn_nic_cpp_loop_run(void* handle, uint64_t cycles) {
    auto* l = static_cast<Loop*>(handle);
    auto& top = l->top;
    const size_t n = l->data.size();
    for (uint64_t i = 0; i < cycles; ++i) {
        top.xgmii_rxd = l->data[l->next];
        top.xgmii_rxc = l->ctrl[l->next];
        l->next = (l->next + 1 == n) ? 0 : l->next + 1;
        l->edge();
    }
}

extern "C" void vn_nic_cpp_loop_free(void* handle) {
    auto* l = static_cast<Loop*>(handle);
    l->top.final();
    delete l;
}
