// The C++ loop over the Verilated NIC (fast profile) as a standalone program,
// for scripts/model_speed.sh: the same loop as sim/csrc/verinic_nic_cpp_loop.cpp
// (XGMII RX replays frames, host memory always ready, registers idle), with
// its own frame generator so that it builds from any commit's rtl/ alone.
//
//   model_speed MODE CYCLES   MODE 0: 64-byte frames at line rate;
//                             MODE 1: 64/576/1518-byte frames at 50% load
//                                     (the default scenario's mix and load)
// Prints "<M cycles/s of wall time> <M cycles/s of CPU time>" for the timed
// loop (set-up excluded). On a loaded machine the CPU-time figure is the
// steadier one: it leaves out the time the process waited for a core.
#include "Vverinic_nic_fast.h"
#include "verilated.h"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

uint32_t crc_table[256];
uint64_t rng_state = 88172645463325252ull;

uint64_t next_random() {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

uint32_t fcs(const std::vector<uint8_t>& bytes) {
    uint32_t c = 0xFFFFFFFFu;
    for (uint8_t b : bytes) c = (c >> 8) ^ crc_table[(c ^ b) & 0xFF];
    return ~c;
}

}  // namespace

int main(int argc, char** argv) {
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        crc_table[i] = c;
    }
    const int mode = argc > 1 ? atoi(argv[1]) : 1;
    const uint64_t cycles = argc > 2 ? strtoull(argv[2], nullptr, 10) : 1000000;
    const int sizes[3] = {64, 576, 1518};

    // Bytes on the wire with their control flags, Start in lane 0
    std::vector<std::pair<uint8_t, bool>> wire;
    while (wire.size() < 8 * 400000) {
        const int len = mode == 0 ? 64 : sizes[next_random() % 3];
        std::vector<uint8_t> f(len - 4);
        for (auto& b : f) b = static_cast<uint8_t>(next_random());
        f[12] = 0x08;  // IPv4, UDP: the RX checksum parses the headers
        f[13] = 0x00;
        f[14] = 0x45;
        f[16] = static_cast<uint8_t>((len - 18) >> 8);
        f[17] = static_cast<uint8_t>(len - 18);
        f[23] = 17;
        const uint32_t c = fcs(f);
        for (int k = 0; k < 4; ++k) f.push_back(static_cast<uint8_t>(c >> (8 * k)));
        while (wire.size() % 8) wire.push_back({0x07, true});
        wire.push_back({0xFB, true});
        for (int k = 0; k < 6; ++k) wire.push_back({0x55, false});
        wire.push_back({0xD5, false});
        for (uint8_t b : f) wire.push_back({b, false});
        wire.push_back({0xFD, true});
        const int gap = 11 + (mode == 0 ? 0 : len + 20);  // 50% load: as long again idle
        for (int k = 0; k < gap; ++k) wire.push_back({0x07, true});
    }
    while (wire.size() % 8) wire.push_back({0x07, true});
    std::vector<uint64_t> data;
    std::vector<uint8_t> ctrl;
    for (size_t i = 0; i < wire.size(); i += 8) {
        uint64_t d = 0;
        uint8_t c = 0;
        for (int k = 0; k < 8; ++k) {
            d |= static_cast<uint64_t>(wire[i + k].first) << (8 * k);
            if (wire[i + k].second) c |= 1 << k;
        }
        data.push_back(d);
        ctrl.push_back(c);
    }

    VerilatedContext ctx;
    Vverinic_nic_fast top{&ctx, "TOP"};
    auto edge = [&] {
        top.clk = 1;
        top.eval();
        top.clk = 0;
        top.eval();
    };
    top.rst = 1;
    for (int i = 0; i < 8; ++i) edge();
    top.rst = 0;
    top.m_axi_arready = 1;
    top.m_axi_awready = 1;
    top.m_axi_wready = 1;
    size_t next = 0;
    timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    const auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < cycles; ++i) {
        top.xgmii_rxd = data[next];
        top.xgmii_rxc = ctrl[next];
        next = next + 1 == data.size() ? 0 : next + 1;
        edge();
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    const double cpu = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) * 1e-9;
    printf("%.3f %.3f\n", cycles / s / 1e6, cycles / cpu / 1e6);
    top.final();
    return 0;
}
