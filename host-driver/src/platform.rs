//! What the driver sees of the machine it runs on: the device's registers,
//! DMA-coherent host memory, and the CPU's time.
//!
//! The driver is written like a Linux driver: plain sequential code. Time is
//! the platform's business. In the co-simulation every call advances the
//! simulated device: `spend` marks CPU time during which the device keeps
//! running, a register read is a real bus round trip that stalls the CPU until
//! the device answers, and a register write is posted (the CPU goes on).

/// The machine a [`crate::Driver`] runs on.
pub trait Platform {
    /// Reads a 32-bit device register (MMIO). The CPU stalls until the value
    /// comes back; the device runs meanwhile.
    fn read_reg(&mut self, offset: u32) -> u32;

    /// Writes a 32-bit device register (MMIO). Posted: the CPU does not wait
    /// for the device to see it, but writes reach the device in order.
    fn write_reg(&mut self, offset: u32, value: u32);

    /// The CPU is busy for `ns` nanoseconds of driver work.
    fn spend(&mut self, ns: u64);

    /// The CPU's current time in nanoseconds.
    fn now_ns(&self) -> u64;

    /// Allocates `len` bytes of DMA-coherent memory aligned to `align` (a
    /// power of two); returns its bus address. Contents start zeroed.
    fn dma_alloc(&mut self, len: usize, align: usize) -> u64;

    /// Reads host memory (what the CPU sees; coherent with device DMA).
    fn dma_read(&mut self, addr: u64, buf: &mut [u8]);

    /// Writes host memory.
    fn dma_write(&mut self, addr: u64, data: &[u8]);

    /// Whether the device's interrupt line is asserted now, so that a hard
    /// IRQ would preempt softirq work. The legacy (non-NAPI) backlog round
    /// asks between packets, since it runs with interrupts enabled. Default
    /// false: a platform without preemption.
    fn irq_pending(&mut self) -> bool {
        false
    }
}
