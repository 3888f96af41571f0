//! The measurements behind a report, taken as the run goes: an
//! [`Observer`] that streams every delivery into a latency histogram and
//! counts what was handed to the stack inside the measured window. Nothing
//! here grows with the length of a run.

use hdrhistogram::Histogram;
use serde::Serialize;

use super::runner::{Chunk, Observer, RunError};

/// Bytes of FCS on the wire behind every frame.
const FCS_LEN: u64 = 4;

/// Latency and throughput as measured.
#[derive(Debug, Clone)]
pub struct Measure {
    /// Wire-to-stack latency (ns); `None` if the histogram could not be made.
    latency: Option<Histogram<u64>>,
    unmatched: u64,
    window_frames: u64,
    window_bytes: u64,
}

impl Default for Measure {
    fn default() -> Self {
        Measure {
            // 1 ns to 1000 s, 3 significant digits; larger values saturate.
            latency: Histogram::new_with_bounds(1, 1_000_000_000_000, 3).ok(),
            unmatched: 0,
            window_frames: 0,
            window_bytes: 0,
        }
    }
}

impl Observer for Measure {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<(), RunError> {
        let window = chunk.window_ns.clone();
        for m in chunk.deliveries {
            let d = &m.delivery;
            if window.start <= d.at_ns && d.at_ns <= window.end {
                self.window_frames += 1;
                self.window_bytes += d.len as u64 + FCS_LEN;
            }
            match (m.wire_ns, self.latency.as_mut()) {
                (Some(start), Some(h)) => h.saturating_record(d.at_ns.saturating_sub(start).max(1)),
                _ => self.unmatched += 1,
            }
        }
        Ok(())
    }
}

impl Measure {
    /// The latency distribution so far.
    pub fn latency(&self) -> Latency {
        let Some(h) = self.latency.as_ref().filter(|h| !h.is_empty()) else {
            return Latency { unmatched: self.unmatched, ..Latency::default() };
        };
        Latency {
            p50: h.value_at_quantile(0.5),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            max: h.max(),
            mean: h.mean(),
            count: h.len(),
            unmatched: self.unmatched,
        }
    }

    /// Frames handed to the stack inside the measured window.
    pub fn window_frames(&self) -> u64 {
        self.window_frames
    }

    /// Their bytes, FCS included.
    pub fn window_bytes(&self) -> u64 {
        self.window_bytes
    }
}

/// A latency distribution in ns (hdrhistogram, 3 significant digits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Largest.
    pub max: u64,
    /// Mean.
    pub mean: f64,
    /// Frames measured.
    pub count: u64,
    /// Delivered frames that could not be measured (no sequence number, or
    /// one no longer or never seen on the wire). 0 unless something is wrong.
    pub unmatched: u64,
}
