//! The driver's [`Platform`] in the co-simulation: CPU time is simulated, and
//! the device runs while the CPU is busy.
//!
//! The CPU's clock (`cpu_ns`) runs ahead of the device when the driver
//! spends time; the device catches up lazily, cycle by cycle, before every
//! interaction. A register read is a real AXI4-Lite round trip through the RTL
//! (the CPU stalls until the value is back); a write is posted.

use verinic_driver::Platform;

use super::world::World;

/// The CPU's view of the machine for the duration of one driver call.
pub struct Host<'a> {
    /// The device side.
    pub world: &'a mut World,
    /// The CPU's clock in nanoseconds.
    pub cpu_ns: &'a mut u64,
}

impl Host<'_> {
    /// Runs the device until it has caught up with the CPU's clock.
    pub fn catch_up(&mut self) {
        while self.world.now_ns() < *self.cpu_ns {
            self.world.step();
        }
    }
}

/// Cycles a register read may take before the bus is declared hung.
const MMIO_TIMEOUT_CYCLES: u64 = 100_000;

impl Platform for Host<'_> {
    fn read_reg(&mut self, offset: u32) -> u32 {
        self.catch_up();
        let ticket = self.world.nic.mmio().read(offset);
        for _ in 0..MMIO_TIMEOUT_CYCLES {
            self.world.step();
            if let Some(v) = self.world.nic.mmio().poll(ticket) {
                *self.cpu_ns = (*self.cpu_ns).max(self.world.now_ns());
                return v;
            }
        }
        // A device that never answers is an RTL bug; a real CPU would take a
        // machine check. All-ones is what a PCIe read of a dead device returns.
        *self.cpu_ns = (*self.cpu_ns).max(self.world.now_ns());
        u32::MAX
    }

    fn write_reg(&mut self, offset: u32, value: u32) {
        self.catch_up();
        self.world.nic.mmio().write(offset, value);
    }

    fn irq_pending(&mut self) -> bool {
        self.catch_up();
        self.world.nic.irq()
    }

    fn spend(&mut self, ns: u64) {
        *self.cpu_ns += ns;
    }

    fn now_ns(&self) -> u64 {
        *self.cpu_ns
    }

    fn dma_alloc(&mut self, len: usize, align: usize) -> u64 {
        self.world
            .nic
            .memory_mut()
            .mem_mut()
            .alloc(len as u64, align as u64)
            .expect("host memory allocation (the sparse memory spans 2^64 bytes)")
    }

    fn dma_read(&mut self, addr: u64, buf: &mut [u8]) {
        // An unmapped read is a driver bug; the memory model counts it.
        let _ = self.world.nic.memory().mem().read(addr, buf);
    }

    fn dma_write(&mut self, addr: u64, data: &[u8]) {
        let _ = self.world.nic.memory_mut().mem_mut().write(addr, data);
    }
}
