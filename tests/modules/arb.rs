//! verinic_axi_rd_arb and verinic_axi_wr_arb against a scoreboard that
//! matches every client request to the burst on the AXI4 master and to its
//! response: addresses, lengths, IDs, data beats, RLAST/WLAST and B routing,
//! plus round-robin fairness. Clients and the host-memory slave
//! (`verinic_sim::tb`) stall, delay, interleave and reorder at random; the
//! AXI4 checker watches the master port and A3.2.1 the client ports. Two
//! parameter sets each.

use std::collections::VecDeque;

use verinic_sim::bus::axi::{burst, AxiMasterOut, AxiSlaveOut};
use verinic_sim::bus::check::{AxiChecker, HandshakeChecker};
use verinic_sim::ports::{RdArb5Ports, RdArbPorts, WrArb2Ports, WrArbPorts};
use verinic_sim::tb::{mem_word, reset_sim, Prng, ReadSlave, SlaveTiming, WriteSlave};

use crate::SEEDS;

/// A random burst that does not cross 4 KiB: (addr, len).
fn random_burst(rng: &mut Prng, max_len: u64) -> (u64, u8) {
    let len = rng.below(max_len) as u8;
    let page = rng.below(1 << 20) << 12;
    let beats_room = 256 - u64::from(len);
    let start = rng.below(beats_room.min(256)) * 16;
    (page + start, len)
}

// ---------------------------------------------------------------------------
// Read arbiter

trait RdIo: verinic_sim::model::Ports {
    const N: usize;
    fn set_rst(&self, v: bool);
    fn drive_clients(&self, valid: &[bool], addr: &[u64], len: &[u8]);
    fn ar_ready(&self) -> u32;
    /// (valid mask, data, resp, last) of the client R port.
    fn r(&self) -> (u32, u128, u8, bool);
    fn master(&self) -> AxiMasterOut;
    fn drive_slave(&self, s: &AxiSlaveOut);
}

macro_rules! rd_io {
    ($t:ty, $n:expr, $len:ty) => {
        impl RdIo for $t {
            const N: usize = $n;
            fn set_rst(&self, v: bool) {
                <$t>::set_rst(self, v)
            }
            fn drive_clients(&self, valid: &[bool], addr: &[u64], len: &[u8]) {
                let mut v = 0u8;
                let mut l: $len = 0;
                for k in 0..$n {
                    v |= u8::from(valid[k]) << k;
                    l |= <$len>::from(len[k]) << (8 * k);
                    self.set_s_ar_addr_bits(64 * k as u32, 64, addr[k].into());
                }
                self.set_s_ar_valid(v);
                self.set_s_ar_len(l);
            }
            fn ar_ready(&self) -> u32 {
                self.s_ar_ready().into()
            }
            fn r(&self) -> (u32, u128, u8, bool) {
                (self.s_r_valid().into(), self.s_r_data(), self.s_r_resp(), self.s_r_last())
            }
            fn master(&self) -> AxiMasterOut {
                AxiMasterOut {
                    ar_id: self.m_axi_arid(),
                    ar_addr: self.m_axi_araddr(),
                    ar_len: self.m_axi_arlen(),
                    ar_size: self.m_axi_arsize(),
                    ar_burst: self.m_axi_arburst(),
                    ar_valid: self.m_axi_arvalid(),
                    r_ready: self.m_axi_rready(),
                    b_ready: true,
                    ..Default::default()
                }
            }
            fn drive_slave(&self, s: &AxiSlaveOut) {
                self.set_m_axi_arready(s.ar_ready);
                self.set_m_axi_rid(s.r_id);
                self.set_m_axi_rdata(s.r_data);
                self.set_m_axi_rresp(s.r_resp);
                self.set_m_axi_rlast(s.r_last);
                self.set_m_axi_rvalid(s.r_valid);
            }
        }
    };
}

rd_io!(RdArbPorts, 3, u32);
rd_io!(RdArb5Ports, 5, u64);

fn run_rd<P: RdIo>(seed: u64, bursts_per_client: usize) {
    let n = P::N;
    let mut rng = Prng::new(seed);
    let mut sim = reset_sim::<P>(seed, true, |io, v| io.set_rst(v));
    let timing =
        SlaveTiming { stall_permille: 400, gap_permille: 300, min_latency: 1, extra_latency: 30, reorder: true };
    let mut slave = ReadSlave::new(timing, seed ^ 0xABCD);
    let mut axi_check = AxiChecker::dma("rd_arb m_axi").fail_fast();
    let mut client_check: Vec<HandshakeChecker<2>> = (0..n)
        .map(|k| {
            HandshakeChecker::new(&format!("rd_arb client {k} AR"), "s_ar_valid", ["s_ar_addr", "s_ar_len"]).fail_fast()
        })
        .collect();

    let mut todo: Vec<VecDeque<(u64, u8)>> =
        (0..n).map(|_| (0..bursts_per_client).map(|_| random_burst(&mut rng, 16)).collect()).collect();
    let mut offer: Vec<Option<(u64, u8)>> = vec![None; n];
    let mut expect: Vec<VecDeque<(u64, u8, u32)>> = vec![VecDeque::new(); n]; // granted: addr, len, beats got
    let mut granted_order: Vec<VecDeque<(u64, u8)>> = vec![VecDeque::new(); n]; // granted, not yet on m_axi
    let mut waited: Vec<usize> = vec![0; n]; // grants to others while this client waited
    let mut cycle = 0u64;
    let mut done_bursts = 0;
    while done_bursts < n * bursts_per_client {
        // clients: offer a burst (held until taken) after a random pause
        for k in 0..n {
            if offer[k].is_none() && !todo[k].is_empty() && !rng.chance(500) {
                offer[k] = todo[k].pop_front();
            }
        }
        let valid: Vec<bool> = offer.iter().map(Option::is_some).collect();
        let addr: Vec<u64> = offer.iter().map(|o| o.map_or(0, |b| b.0)).collect();
        let len: Vec<u8> = offer.iter().map(|o| o.map_or(0, |b| b.1)).collect();
        let s = slave.outputs();
        let io = sim.io();
        io.drive_clients(&valid, &addr, &len);
        io.drive_slave(&s);
        sim.eval();
        let io = sim.io();
        let ready = io.ar_ready();
        let m = io.master();
        let (r_valid, r_data, r_resp, r_last) = io.r();
        axi_check.observe(cycle, &m, &s);
        for k in 0..n {
            client_check[k].observe(cycle, valid[k], ready >> k & 1 != 0, [addr[k].into(), len[k].into()]);
        }
        assert!(ready.count_ones() <= 1, "seed {seed} cycle {cycle}: several clients granted at once ({ready:#b})");
        assert_eq!(
            ready & !valid.iter().enumerate().fold(0, |a, (k, &v)| a | (u32::from(v) << k)),
            0,
            "grant without request"
        );
        // round robin: a waiting client sees at most N-1 grants to others
        if ready != 0 {
            let g = ready.trailing_zeros() as usize;
            for k in 0..n {
                if k != g && valid[k] {
                    waited[k] += 1;
                    assert!(waited[k] < n, "seed {seed} cycle {cycle}: client {k} passed over {} times", waited[k]);
                }
            }
            waited[g] = 0;
            granted_order[g].push_back(offer[g].take().unwrap());
        }
        // the registered client R port: beats for the oldest burst of that client
        if r_valid != 0 {
            assert_eq!(r_valid.count_ones(), 1, "R beat for several clients");
            let k = r_valid.trailing_zeros() as usize;
            let e = expect[k]
                .front_mut()
                .unwrap_or_else(|| panic!("seed {seed}: R beat for client {k} with nothing asked"));
            let want = mem_word(e.0 + 16 * u64::from(e.2));
            assert_eq!((r_data, r_resp), (want, 0), "seed {seed}: client {k} beat {} of {:#x}", e.2, e.0);
            e.2 += 1;
            let fin = e.2 == u32::from(e.1) + 1;
            assert_eq!(r_last, fin, "seed {seed}: client {k}: s_r_last on beat {} of {}", e.2, e.1 + 1);
            if fin {
                expect[k].pop_front();
                done_bursts += 1;
            }
        }
        // an AR on the master: the oldest granted burst of the client named by ARID
        if m.ar_valid && s.ar_ready {
            let k = usize::from(m.ar_id);
            assert!(k < n, "ARID {k} names no client");
            let g = granted_order[k].pop_front().expect("AR for a burst no client was granted");
            assert_eq!((m.ar_addr, m.ar_len, m.ar_size, m.ar_burst), (g.0, g.1, 4, burst::INCR));
            expect[k].push_back((g.0, g.1, 0));
        }
        sim.tick();
        slave.clock(&m);
        cycle += 1;
        assert!(cycle < 500_000, "seed {seed}: stuck with {done_bursts} bursts done");
    }
    axi_check.assert_clean();
    client_check.iter().for_each(HandshakeChecker::assert_clean);
    assert_eq!(axi_check.reads_outstanding(), 0);
}

#[test]
fn rd_arb_3_clients_scoreboard() {
    for seed in SEEDS {
        run_rd::<RdArbPorts>(seed, 150);
    }
}

#[test]
fn rd_arb_5_clients_scoreboard() {
    for seed in SEEDS {
        run_rd::<RdArb5Ports>(seed, 100);
    }
}

// ---------------------------------------------------------------------------
// Write arbiter

trait WrIo: verinic_sim::model::Ports {
    const N: usize;
    fn set_rst(&self, v: bool);
    fn drive_aw(&self, valid: &[bool], addr: &[u64], len: &[u8]);
    fn drive_w(&self, valid: &[bool], data: &[u128], strb: &[u16], last: &[bool]);
    fn ready(&self) -> (u32, u32);
    fn b(&self) -> (u32, u8);
    fn master(&self) -> AxiMasterOut;
    fn drive_slave(&self, s: &AxiSlaveOut);
}

macro_rules! wr_io {
    ($t:ty, $n:expr, $len:ty, $strb:ty, |$io:ident, $addr:ident| $set_addr:block) => {
        impl WrIo for $t {
            const N: usize = $n;
            fn set_rst(&self, v: bool) {
                <$t>::set_rst(self, v)
            }
            fn drive_aw(&self, valid: &[bool], $addr: &[u64], len: &[u8]) {
                let $io = self;
                let mut v = 0u8;
                let mut l: $len = 0;
                for k in 0..$n {
                    v |= u8::from(valid[k]) << k;
                    l |= <$len>::from(len[k]) << (8 * k);
                }
                $set_addr
                self.set_s_aw_valid(v);
                self.set_s_aw_len(l);
            }
            fn drive_w(&self, valid: &[bool], data: &[u128], strb: &[u16], last: &[bool]) {
                let (mut v, mut lst) = (0u8, 0u8);
                let mut s: $strb = 0;
                for k in 0..$n {
                    v |= u8::from(valid[k]) << k;
                    lst |= u8::from(last[k]) << k;
                    s |= <$strb>::from(strb[k]) << (16 * k);
                    self.set_s_w_data_bits(128 * k as u32, 128, data[k]);
                }
                self.set_s_w_valid(v);
                self.set_s_w_last(lst);
                self.set_s_w_strb(s);
            }
            fn ready(&self) -> (u32, u32) {
                (self.s_aw_ready().into(), self.s_w_ready().into())
            }
            fn b(&self) -> (u32, u8) {
                (self.s_b_valid().into(), self.s_b_resp())
            }
            fn master(&self) -> AxiMasterOut {
                AxiMasterOut {
                    aw_id: self.m_axi_awid(),
                    aw_addr: self.m_axi_awaddr(),
                    aw_len: self.m_axi_awlen(),
                    aw_size: self.m_axi_awsize(),
                    aw_burst: self.m_axi_awburst(),
                    aw_valid: self.m_axi_awvalid(),
                    w_data: self.m_axi_wdata(),
                    w_strb: self.m_axi_wstrb(),
                    w_last: self.m_axi_wlast(),
                    w_valid: self.m_axi_wvalid(),
                    b_ready: self.m_axi_bready(),
                    r_ready: true,
                    ..Default::default()
                }
            }
            fn drive_slave(&self, s: &AxiSlaveOut) {
                self.set_m_axi_awready(s.aw_ready);
                self.set_m_axi_wready(s.w_ready);
                self.set_m_axi_bid(s.b_id);
                self.set_m_axi_bresp(s.b_resp);
                self.set_m_axi_bvalid(s.b_valid);
            }
        }
    };
}

wr_io!(WrArbPorts, 3, u32, u64, |io, addr| {
    for (k, &a) in addr.iter().enumerate().take(3) {
        io.set_s_aw_addr_bits(64 * k as u32, 64, a.into());
    }
});
wr_io!(WrArb2Ports, 2, u16, u32, |io, addr| {
    io.set_s_aw_addr(u128::from(addr[0]) | u128::from(addr[1]) << 64);
});

#[derive(Debug, Clone)]
struct WBurst {
    addr: u64,
    len: u8,
    beats: Vec<(u128, u16)>,
}

fn run_wr<P: WrIo>(seed: u64, bursts_per_client: usize) {
    let n = P::N;
    let mut rng = Prng::new(seed);
    let mut sim = reset_sim::<P>(seed, true, |io, v| io.set_rst(v));
    let timing =
        SlaveTiming { stall_permille: 400, gap_permille: 300, min_latency: 1, extra_latency: 30, reorder: true };
    let mut slave = WriteSlave::new(timing, seed ^ 0x1234);
    let mut axi_check = AxiChecker::dma("wr_arb m_axi").fail_fast();
    let mut aw_check: Vec<HandshakeChecker<2>> = (0..n)
        .map(|k| {
            HandshakeChecker::new(&format!("wr_arb client {k} AW"), "s_aw_valid", ["s_aw_addr", "s_aw_len"]).fail_fast()
        })
        .collect();
    let mut w_check: Vec<HandshakeChecker<3>> = (0..n)
        .map(|k| {
            HandshakeChecker::new(&format!("wr_arb client {k} W"), "s_w_valid", ["s_w_data", "s_w_strb", "s_w_last"])
                .fail_fast()
        })
        .collect();

    let mut todo: Vec<VecDeque<WBurst>> = (0..n)
        .map(|_| {
            (0..bursts_per_client)
                .map(|_| {
                    let (addr, len) = random_burst(&mut rng, 16);
                    let beats = (0..=len).map(|_| (rng.u128(), rng.next_u64() as u16)).collect();
                    WBurst { addr, len, beats }
                })
                .collect()
        })
        .collect();
    // per client: bursts whose AW is not yet taken; whose data is not yet all sent; sent and awaiting B
    let mut aw_offer: Vec<Option<WBurst>> = vec![None; n];
    let mut w_queue: Vec<VecDeque<(WBurst, usize)>> = vec![VecDeque::new(); n];
    let mut w_stall: Vec<bool> = vec![false; n];
    let mut w_held: Vec<bool> = vec![false; n];
    let mut on_bus: Vec<VecDeque<WBurst>> = vec![VecDeque::new(); n]; // granted, in client order
    let mut b_wait: Vec<usize> = vec![0; n];
    let mut b_got = 0;
    let mut cycle = 0u64;
    let mut matched = 0;
    while b_got < n * bursts_per_client {
        for k in 0..n {
            if aw_offer[k].is_none() && !rng.chance(400) {
                if let Some(b) = todo[k].pop_front() {
                    // the client streams its data independently of the AW handshake
                    w_queue[k].push_back((b.clone(), 0));
                    aw_offer[k] = Some(b);
                }
            }
            // a W beat once offered stays until taken (A3.2.1); else pause at random
            if !w_held[k] {
                w_stall[k] = rng.chance(300);
            }
        }
        let aw_valid: Vec<bool> = aw_offer.iter().map(Option::is_some).collect();
        let aw_addr: Vec<u64> = aw_offer.iter().map(|o| o.as_ref().map_or(0, |b| b.addr)).collect();
        let aw_len: Vec<u8> = aw_offer.iter().map(|o| o.as_ref().map_or(0, |b| b.len)).collect();
        let mut w_valid = vec![false; n];
        let mut w_data = vec![0u128; n];
        let mut w_strb = vec![0u16; n];
        let mut w_last = vec![false; n];
        for k in 0..n {
            if let Some((b, i)) = w_queue[k].front() {
                w_valid[k] = !w_stall[k];
                w_data[k] = b.beats[*i].0;
                w_strb[k] = b.beats[*i].1;
                w_last[k] = *i == usize::from(b.len);
            }
        }
        let s = slave.outputs();
        let io = sim.io();
        io.drive_aw(&aw_valid, &aw_addr, &aw_len);
        io.drive_w(&w_valid, &w_data, &w_strb, &w_last);
        io.drive_slave(&s);
        sim.eval();
        let io = sim.io();
        let (aw_ready, w_ready) = io.ready();
        let (b_valid, b_resp) = io.b();
        let m = io.master();
        axi_check.observe(cycle, &m, &s);
        for k in 0..n {
            aw_check[k].observe(cycle, aw_valid[k], aw_ready >> k & 1 != 0, [aw_addr[k].into(), aw_len[k].into()]);
            w_check[k].observe(
                cycle,
                w_valid[k],
                w_ready >> k & 1 != 0,
                [w_data[k], w_strb[k].into(), w_last[k].into()],
            );
        }
        assert!(aw_ready.count_ones() <= 1 && w_ready.count_ones() <= 1, "several clients granted at once");
        if aw_ready != 0 {
            let g = aw_ready.trailing_zeros() as usize;
            assert!(aw_valid[g], "AW grant without request");
            on_bus[g].push_back(aw_offer[g].take().unwrap());
        }
        if w_ready != 0 {
            let g = w_ready.trailing_zeros() as usize;
            if w_valid[g] {
                let (b, i) = w_queue[g].front_mut().unwrap();
                *i += 1;
                if *i > usize::from(b.len) {
                    w_queue[g].pop_front();
                }
            }
        }
        for k in 0..n {
            w_held[k] = w_valid[k] && w_ready >> k & 1 == 0;
        }
        // B routed to the client named by BID, combinationally
        if s.b_valid {
            assert_eq!(b_valid, 1 << s.b_id, "seed {seed}: B with BID {} routed to {b_valid:#b}", s.b_id);
            assert_eq!(b_resp, s.b_resp);
            let k = usize::from(s.b_id);
            b_wait[k] += 1;
            b_got += 1;
        } else {
            assert_eq!(b_valid, 0);
        }
        sim.tick();
        slave.clock(&m);
        // every burst the slave completed: the oldest granted burst of that ID
        while matched < slave.writes.len() {
            let w = &slave.writes[matched];
            let k = usize::from(w.id);
            let want =
                on_bus[k].pop_front().unwrap_or_else(|| panic!("seed {seed}: write burst for client {k} not granted"));
            assert_eq!((w.addr, w.len), (want.addr, want.len), "seed {seed}: client {k} burst address");
            assert_eq!(w.beats, want.beats, "seed {seed}: client {k} burst data at {:#x}", w.addr);
            assert!(w.wlast_ok, "seed {seed}: WLAST on the wrong beat");
            matched += 1;
        }
        cycle += 1;
        assert!(cycle < 500_000, "seed {seed}: stuck with {b_got} responses");
    }
    axi_check.assert_clean();
    aw_check.iter().for_each(HandshakeChecker::assert_clean);
    w_check.iter().for_each(HandshakeChecker::assert_clean);
    assert_eq!(b_wait.iter().sum::<usize>(), n * bursts_per_client);
    assert!(b_wait.iter().all(|&b| b == bursts_per_client), "B counts per client {b_wait:?}");
}

#[test]
fn wr_arb_3_clients_scoreboard() {
    for seed in SEEDS {
        run_wr::<WrArbPorts>(seed, 120);
    }
}

#[test]
fn wr_arb_2_clients_small_grant_queue_scoreboard() {
    for seed in SEEDS {
        run_wr::<WrArb2Ports>(seed, 120);
    }
}
