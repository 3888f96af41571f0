//! Waveforms: on request the run writes an FST file that grows with the run.

use verinic::{frames, loopback};
use verinic_sim::SimOptions;

#[test]
fn loopback_writes_an_fst_file() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("loopback_test.fst");
    let _ = std::fs::remove_file(&path);
    let burst = frames::mixed_burst(10, 3);
    let options = SimOptions { waves: Some(path.clone()), ..Default::default() };
    let report = loopback::run(&options, &burst).unwrap();
    assert_eq!(report.frames_matched, 10);
    assert_eq!(report.waves.as_deref(), Some(path.as_path()));
    let bytes = std::fs::read(&path).expect("waveform file written");
    // An FST file opens with its header block: type 0 (FST_BL_HDR), then a
    // 64-bit big-endian section length of 329 bytes.
    assert!(bytes.len() > 1000, "only {} bytes", bytes.len());
    assert_eq!(bytes[0], 0);
    assert_eq!(u64::from_be_bytes(bytes[1..9].try_into().unwrap()), 329);
}

#[test]
fn unwritable_waves_path_is_a_clear_error() {
    let options = SimOptions { waves: Some("/nonexistent-dir/x.fst".into()), ..Default::default() };
    let err = loopback::run(&options, &frames::mixed_burst(1, 1)).expect_err("must fail");
    assert!(err.to_string().contains("/nonexistent-dir/x.fst"), "{err}");
}
