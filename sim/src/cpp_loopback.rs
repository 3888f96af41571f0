//! The MAC loopback driven by a minimal C++ Verilator loop
//! (`csrc/verinic_mac_cpp_loopback.cpp`): the speed limit the Rust harness is
//! measured against.

use std::ffi::c_void;
use std::ptr::NonNull;

extern "C" {
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
