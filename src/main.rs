//! `verinic`: run the NIC simulation from the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use verinic::{frames, loopback};
use verinic_sim::{Profile, SimOptions};

#[derive(Parser)]
#[command(name = "verinic", version, about = "Verilated 10G NIC co-simulation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Loopback demo: a mixed burst through MAC TX -> XGMII wire -> MAC RX.
    Run {
        /// Frames in the burst.
        #[arg(long, default_value_t = 2000)]
        frames: usize,
        /// Seed of the frame sizes and payloads.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write an FST waveform (GTKWave, Surfer) of the run to this file.
        #[arg(long, value_name = "FILE")]
        waves: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<bool> {
    match cli.command {
        Command::Run { frames: count, seed, waves } => {
            let burst = frames::mixed_burst(count, seed);
            let options = SimOptions { profile: Profile::Fast, waves, ..Default::default() };
            let report = loopback::run(&options, &burst).context("loopback run")?;
            print_report(&report);
            let ok = report.frames_matched == report.frames_sent
                && report.stats.rx_frames_seen() == report.frames_sent as u64
                && report.stats.tx_frames_good == report.frames_sent as u64;
            println!("\nresult: {}", if ok { "every frame received good" } else { "FAILED" });
            Ok(ok)
        }
    }
}

fn print_report(r: &loopback::LoopbackReport) {
    let s = &r.stats;
    println!("verinic loopback: MAC TX -> XGMII -> MAC RX");
    println!("  frames sent            {:>12}", r.frames_sent);
    println!("  received, byte-exact   {:>12}", r.frames_matched);
    println!("  received, mismatched   {:>12}", r.frames_mismatched);
    println!("  received, flagged bad  {:>12}", r.frames_bad);
    println!("counters (bytes include FCS)");
    println!("  tx_frames_good         {:>12}", s.tx_frames_good);
    println!("  tx_bytes_good          {:>12}", s.tx_bytes_good);
    println!("  tx_err_underrun        {:>12}", s.tx_err_underrun);
    println!("  tx_err_abort           {:>12}", s.tx_err_abort);
    println!("  rx_frames_good         {:>12}", s.rx_frames_good);
    println!("  rx_bytes_good          {:>12}", s.rx_bytes_good);
    println!("  rx_err_fcs             {:>12}", s.rx_err_fcs);
    println!("  rx_err_runt            {:>12}", s.rx_err_runt);
    println!("  rx_err_oversize        {:>12}", s.rx_err_oversize);
    println!("  rx_err_char            {:>12}", s.rx_err_char);
    println!("  rx_err_framing         {:>12}", s.rx_err_framing);
    println!("  rx_err_preamble        {:>12}", s.rx_err_preamble);
    println!(
        "  check: rx good + rx errors = {} + {} = {} of {} sent",
        s.rx_frames_good,
        s.rx_errors(),
        s.rx_frames_seen(),
        r.frames_sent
    );
    let line_bits = s.rx_bytes_good as f64 * 8.0;
    let sim_seconds = r.cycles as f64 / 156.25e6;
    println!("simulation");
    println!("  cycles                 {:>12}  ({:.1} us at 156.25 MHz)", r.cycles, sim_seconds * 1e6);
    println!("  goodput                {:>12.3} Gb/s (FCS included)", line_bits / sim_seconds / 1e9);
    println!("  speed                  {:>12.0} cycles/s", r.cycles_per_second());
    if let Some(w) = &r.waves {
        println!("  waves                  {}", w.display());
    }
}
