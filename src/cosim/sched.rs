//! The simulated core's thread scheduler: ksoftirqd and the application
//! share the time hard IRQs and inline softirqs leave, fairly.
//!
//! A small model of Linux's CFS (kernel/sched/fair.c before EEVDF replaced
//! it in 6.6), both threads at nice 0: each has a virtual runtime that grows
//! with the CPU time it gets; the runnable thread with the smaller one runs,
//! for a slice of `slice_ns` (sched_latency 6 ms divided by the two
//! runnable threads: 3 ms by default), unless the other thread wakes up
//! more than [`WAKEUP_GRANULARITY_NS`] behind it in virtual runtime
//! (sysctl_sched_wakeup_granularity, 1 ms on one CPU; check_preempt_wakeup),
//! which preempts it at once. A thread that wakes after sleeping gets at most half a
//! latency period (`slice_ns`) of credit over the other (place_entity with
//! GENTLE_FAIR_SLEEPERS), so sleeping earns no unbounded priority. Decisions
//! are taken between two pieces of work: a softirq round or one receive
//! call, never in the middle of one.

/// sysctl_sched_wakeup_granularity on one CPU (1 ms).
pub const WAKEUP_GRANULARITY_NS: u64 = 1_000_000;

/// The two threads that share the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thread {
    /// The softirq thread: NET_RX work the inline softirq handed over.
    Ksoftirqd,
    /// The application.
    App,
}

impl Thread {
    fn index(self) -> usize {
        match self {
            Thread::Ksoftirqd => 0,
            Thread::App => 1,
        }
    }

    fn other(self) -> Thread {
        match self {
            Thread::Ksoftirqd => Thread::App,
            Thread::App => Thread::Ksoftirqd,
        }
    }
}

/// The fair scheduler's state.
#[derive(Debug, Clone)]
pub struct FairScheduler {
    slice_ns: u64,
    vruntime: [u64; 2],
    runnable: [bool; 2],
    min_vruntime: u64,
    current: Option<Thread>,
    slice_used_ns: u64,
}

impl FairScheduler {
    /// A scheduler handing out slices of `slice_ns` (at least 1).
    pub fn new(slice_ns: u64) -> Self {
        FairScheduler {
            slice_ns: slice_ns.max(1),
            vruntime: [0; 2],
            runnable: [false; 2],
            min_vruntime: 0,
            current: None,
            slice_used_ns: 0,
        }
    }

    /// Which thread runs next, given which are runnable now; `None` when
    /// neither is.
    pub fn pick(&mut self, ksoftirqd: bool, app: bool) -> Option<Thread> {
        let mut woke = [false; 2];
        for (t, now) in [(Thread::Ksoftirqd, ksoftirqd), (Thread::App, app)] {
            let i = t.index();
            if now && !self.runnable[i] {
                woke[i] = true;
                // Wake-up placement: at most half a latency period (one
                // slice of two) of sleeper credit.
                let floor = self.min_vruntime.saturating_sub(self.slice_ns);
                self.vruntime[i] = self.vruntime[i].max(floor);
            }
            self.runnable[i] = now;
        }
        let runnable: Vec<Thread> =
            [Thread::Ksoftirqd, Thread::App].into_iter().filter(|t| self.runnable[t.index()]).collect();
        if let Some(&first) = runnable.first() {
            let least = runnable.iter().map(|t| self.vruntime[t.index()]).min().unwrap_or(0);
            self.min_vruntime = self.min_vruntime.max(least.min(self.vruntime[first.index()]));
        }
        let next = match self.current.filter(|c| self.runnable[c.index()]) {
            Some(cur) => {
                let other = cur.other();
                let other_ready = self.runnable[other.index()];
                // check_preempt_wakeup: only a thread that just woke may cut
                // the current one's slice short.
                let behind = woke[other.index()]
                    && self.vruntime[other.index()] + WAKEUP_GRANULARITY_NS < self.vruntime[cur.index()];
                if other_ready && (self.slice_used_ns >= self.slice_ns || behind) {
                    other
                } else {
                    cur
                }
            }
            None => *runnable.iter().min_by_key(|t| self.vruntime[t.index()])?,
        };
        if self.current != Some(next) {
            self.current = Some(next);
            self.slice_used_ns = 0;
        }
        Some(next)
    }

    /// Charges `ns` of CPU time to `thread`.
    pub fn charge(&mut self, thread: Thread, ns: u64) {
        self.vruntime[thread.index()] += ns;
        if self.current == Some(thread) {
            self.slice_used_ns += ns;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both always runnable: each gets half the time, in slices.
    #[test]
    fn two_busy_threads_share_evenly_in_slices() {
        let mut s = FairScheduler::new(3_000_000);
        let mut got = [0u64; 2];
        let mut switches = 0;
        let mut last = None;
        for _ in 0..100_000 {
            let t = s.pick(true, true).unwrap();
            if last != Some(t) {
                switches += 1;
                last = Some(t);
            }
            s.charge(t, 1_000);
            got[t.index()] += 1_000;
        }
        let share = got[1] as f64 / (got[0] + got[1]) as f64;
        assert!((0.49..=0.51).contains(&share), "app share {share}");
        // 100 ms in 3 ms slices: about 33 switches.
        assert!((30..=36).contains(&switches), "{switches} switches");
    }

    /// A thread that sleeps and wakes does not wait out the other's slice
    /// once it is more than the wakeup granularity behind.
    #[test]
    fn a_sleeper_preempts_once_behind() {
        let mut s = FairScheduler::new(3_000_000);
        // ksoftirqd runs 10 ms alone.
        for _ in 0..10 {
            let t = s.pick(true, false).unwrap();
            s.charge(t, 1_000_000);
        }
        // The app wakes: placed a slice behind min_vruntime, which is more
        // than the granularity behind ksoftirqd, so it runs at once.
        assert_eq!(s.pick(true, true), Some(Thread::App));
    }

    #[test]
    fn nothing_runnable_is_idle() {
        let mut s = FairScheduler::new(1);
        assert_eq!(s.pick(false, false), None);
    }
}
