//! The RTL driven by minimal C++ Verilator loops: the speed limits the Rust
//! harnesses are measured against. [`CppLoopback`] is the MAC in loopback
//! (`csrc/verinic_mac_cpp_loopback.cpp`); [`NicCppLoop`] the whole NIC with
//! XGMII RX replaying recorded words (`csrc/verinic_nic_cpp_loop.cpp`).

use std::ffi::c_void;
use std::ptr::NonNull;

extern "C" {
    fn vn_nic_cpp_loop_new(data: *const u64, ctrl: *const u8, words: u64) -> *mut c_void;
    fn vn_nic_cpp_loop_run(handle: *mut c_void, cycles: u64);
    fn vn_nic_cpp_loop_free(handle: *mut c_void);
    fn vn_mac_cpp_loopback_new() -> *mut c_void;
    fn vn_mac_cpp_loopback_run(handle: *mut c_void, cycles: u64);
    fn vn_mac_cpp_loopback_frames(handle: *const c_void) -> u64;
    fn vn_mac_cpp_loopback_free(handle: *mut c_void);
}

/// The fast MAC model in loopback, sending 64-byte frames back to back,
/// entirely in C++.
pub struct CppLoopback(NonNull<c_void>);

impl CppLoopback {
    /// Builds and resets the model.
    pub fn new() -> Self {
        // SAFETY: no preconditions; never null (new throws).
        CppLoopback(NonNull::new(unsafe { vn_mac_cpp_loopback_new() }).expect("allocation"))
    }

    /// Runs `cycles` clock cycles.
    pub fn run(&mut self, cycles: u64) {
        // SAFETY: live handle.
        unsafe { vn_mac_cpp_loopback_run(self.0.as_ptr(), cycles) }
    }

    /// Good frames received so far.
    pub fn frames_good(&self) -> u64 {
        // SAFETY: live handle.
        unsafe { vn_mac_cpp_loopback_frames(self.0.as_ptr()) }
    }
}

impl Default for CppLoopback {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for CppLoopback {
    fn drop(&mut self) {
        // SAFETY: live handle, freed once.
        unsafe { vn_mac_cpp_loopback_free(self.0.as_ptr()) }
    }
}

/// The fast NIC model clocked from C++, XGMII RX replaying `words` in a loop,
/// host memory always ready, registers idle.
pub struct NicCppLoop(NonNull<c_void>);

impl NicCppLoop {
    /// Builds and resets the model; `words` must not be empty.
    pub fn new(words: &[crate::xgmii::XgmiiWord]) -> Self {
        assert!(!words.is_empty(), "the replayed XGMII sequence needs at least one word");
        let data: Vec<u64> = words.iter().map(|w| w.data).collect();
        let ctrl: Vec<u8> = words.iter().map(|w| w.ctrl).collect();
        // SAFETY: both arrays hold `words.len()` entries; the C++ side copies them.
        let h = unsafe { vn_nic_cpp_loop_new(data.as_ptr(), ctrl.as_ptr(), words.len() as u64) };
        NicCppLoop(NonNull::new(h).expect("allocation"))
    }

    /// Runs `cycles` clock cycles.
    pub fn run(&mut self, cycles: u64) {
        // SAFETY: live handle.
        unsafe { vn_nic_cpp_loop_run(self.0.as_ptr(), cycles) }
    }
}

impl Drop for NicCppLoop {
    fn drop(&mut self) {
        // SAFETY: live handle, freed once.
        unsafe { vn_nic_cpp_loop_free(self.0.as_ptr()) }
    }
}
