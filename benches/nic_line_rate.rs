//! Line rate of the NIC RTL with the driver: delivered Mpps for RX and TX
//! with 64-byte and 1518-byte frames, host memory read latency 1 us and a fast
//! host (driver work costs no CPU time), against 10 GbE's 14.88 and 0.8127
//! Mpps. Zero drops expected. RX runs with checksum offload on (the driver's
//! default); TX once plain and once with both checksum offloads on every
//! frame. Prints a table (`make bench`).

use std::time::Instant;

use verinic::cosim::{AppConfig, Machine, RxSource, World};
use verinic_driver::{Coalesce, CpuCosts, DriverConfig};
use verinic_sim::bus::memory::MemoryConfig;
use verinic_sim::nic::NicConfig;
use verinic_sim::xgmii::{EncoderConfig, TxFrame};
use verinic_sim::SimOptions;

const WARMUP_NS: u64 = 30_000;
const WINDOW_NS: u64 = 1_000_000;

struct Endless {
    len: usize,
    seq: u32,
}

impl RxSource for Endless {
    fn next_frame(&mut self) -> Option<TxFrame> {
        let mut rng = verinic::rng::Rng::new(7);
        let f = verinic::frames::test_frame(self.len, self.seq, &mut rng);
        self.seq += 1;
        Some(TxFrame::new(f))
    }
}

fn line_rate_mpps(len_with_fcs: usize) -> f64 {
    10e9 / ((len_with_fcs + 20) * 8) as f64 / 1e6
}

fn machine(app: AppConfig, rx: Option<usize>) -> Machine {
    let nic = NicConfig { memory: MemoryConfig { read_latency_ns: 1000, ..Default::default() }, ..Default::default() };
    let mut world = World::new(&SimOptions::default(), &nic, EncoderConfig::default()).unwrap();
    if let Some(len) = rx {
        world.set_source(Box::new(Endless { len: len - 4, seq: 0 }));
    }
    let cfg = DriverConfig {
        rx_ring: 4096,
        tx_ring: 4096,
        napi_budget: 64,
        coalesce: Coalesce {
            rx_usecs: 0,
            rx_frames: 64,
            rx_usecs_abs: 10,
            tx_usecs: 0,
            tx_frames: 64,
            tx_usecs_abs: 10,
            itr_max_irqs_per_sec: 0,
        },
        ..Default::default()
    };
    Machine::new(world, cfg, CpuCosts::zero(), app).unwrap()
}

fn rx(len: usize) -> (f64, u64, f64) {
    let wall = Instant::now();
    let mut m = machine(AppConfig::default(), Some(len));
    let t0 = m.now_ns() + WARMUP_NS;
    m.run_until(t0);
    let d0 = m.app.delivered;
    m.run_until(t0 + WINDOW_NS);
    let frames = m.app.delivered - d0;
    m.with_host(|d, h| d.update_hw_stats(h));
    let c = m.driver.counters();
    let drops = c.rx_missed_errors + c.rx_errors;
    (frames as f64 / (WINDOW_NS as f64 / 1e3), drops, wall.elapsed().as_secs_f64())
}

fn tx(len: usize) -> (f64, u64, f64) {
    let wall = Instant::now();
    let app = AppConfig { tx_frames_per_sec: 20e6, tx_frame_len: len - 4, tx_batch: 32, ..Default::default() };
    let mut m = machine(app, None);
    let t0 = m.now_ns() + WARMUP_NS;
    m.run_until(t0);
    let s0 = m.world.tx_good;
    m.run_until(t0 + WINDOW_NS);
    let frames = m.world.tx_good - s0;
    (frames as f64 / (WINDOW_NS as f64 / 1e3), m.world.tx_bad, wall.elapsed().as_secs_f64())
}

/// TX with both checksum offloads requested on every frame: a context
/// descriptor plus the data descriptor each, IPv4 header and L4 checksums
/// computed and inserted by the device. The frames are sent in batches of 32
/// straight from the bench (a zero-cost host).
fn tx_offload(len: usize) -> (f64, u64, f64, u32) {
    use bytes::Bytes;
    use verinic_driver::TxOffload;
    let wall = Instant::now();
    let mut m = machine(AppConfig::default(), None);
    let mut rng = verinic::rng::Rng::new(5);
    let frame = Bytes::from(verinic::frames::test_frame(len - 4, 0, &mut rng));
    let offload = TxOffload::Ipv4Partial { ip_start: 14, ip_end: 33, csum_start: 34, csum_offset: 6 };
    let start = m.now_ns();
    let mut s0 = None;
    while m.now_ns() < start + WARMUP_NS + WINDOW_NS {
        if s0.is_none() && m.now_ns() >= start + WARMUP_NS {
            s0 = Some((m.world.tx_good, m.now_ns()));
        }
        for i in 0..32 {
            let more = i < 31;
            if m.with_host(|d, h| d.xmit_offload(h, frame.clone(), offload, more)).is_err() {
                break;
            }
        }
        m.with_host(|d, h| d.flush_tx(h));
        let t = m.now_ns() + 1_000;
        m.run_until(t);
    }
    let (g0, t0) = s0.unwrap();
    let frames = m.world.tx_good - g0;
    let ns = m.now_ns() - t0;
    let bad = m.with_host(|_, h| verinic_driver::Platform::read_reg(h, verinic_driver::regs::VN_TXCSUMERR));
    (frames as f64 / (ns as f64 / 1e3), m.world.tx_bad, wall.elapsed().as_secs_f64(), bad)
}

fn main() {
    // criterion-style arguments (e.g. --bench) are accepted and ignored
    println!("NIC line rate, driver on a fast host, host memory read latency 1 us, {} us window", WINDOW_NS / 1000);
    println!(
        "{:<4} {:>6} {:>10} {:>10} {:>8} {:>7} {:>8}",
        "dir", "frame", "Mpps", "line rate", "share", "drops", "wall s"
    );
    for len in [64usize, 1518] {
        let (mpps, drops, wall) = rx(len);
        print_row("rx", len, mpps, drops, wall, "");
    }
    for len in [64usize, 1518] {
        let (mpps, bad, wall) = tx(len);
        print_row("tx", len, mpps, bad, wall, "");
    }
    println!("tx with IPv4 + L4 checksum offload (context descriptor per frame):");
    for len in [64usize, 1518] {
        let (mpps, bad, wall, csum_err) = tx_offload(len);
        print_row("tx+cs", len, mpps, bad, wall, &format!("  (VN_TXCSUMERR {csum_err})"));
    }
}

/// One row of the table: direction, frame length, Mpps against line rate,
/// frames dropped (RX) or bad on the wire (TX), wall seconds, and a note.
fn print_row(dir: &str, len: usize, mpps: f64, lost: u64, wall: f64, note: &str) {
    let lr = line_rate_mpps(len);
    println!("{dir:<4} {len:>6} {mpps:>10.4} {lr:>10.4} {:>7.1}% {lost:>7} {wall:>8.1}{note}", mpps / lr * 100.0);
}
