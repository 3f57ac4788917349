//! Heap allocations per simulation step on the optimisation rollout path (issue 14, item 4): a counting global
//! allocator around `measure::evaluation::evaluate` (what every CMA-ES evaluation runs: no time series, no stride
//! table) of the shipped sprinter for 1 s and 2 s; the difference over the 1 000 extra steps is the per-step
//! count, start-up and end-of-run work cancelling out.
//!
//! Its own test binary: the counting allocator is global to the process, so no other test may run beside it.
//! `cargo test --release --test allocations -- --nocapture` prints the count. The bound is today's count: a change
//! that allocates more per step fails here; one that removes allocations should lower the bound.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use sprintlab::measure::evaluation::evaluate;
use sprintlab::scenario;

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (alloc + realloc) of one optimisation rollout of the shipped sprinter lasting `duration` s.
fn allocations_of_rollout(duration: &str) -> u64 {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sprint.toml");
    let text: String = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| {
            if l.starts_with("duration") {
                format!("duration = {duration}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let loaded = scenario::load_text(&text, &path).expect("sprint scenario");
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let e = evaluate(&loaded);
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    assert!(e.balance_lost.is_none(), "the shipped sprinter runs {duration} s");
    after - before
}

#[test]
fn optimisation_rollout_allocations_per_step_stay_bounded() {
    let one = allocations_of_rollout("1.0");
    let two = allocations_of_rollout("2.0");
    let per_step = (two - one) as f64 / 1000.0;
    eprintln!("optimisation rollout: {one} allocations for 1 s, {two} for 2 s: {per_step:.2} per 1 ms step");
    assert!(per_step <= 26.0, "{per_step} allocations per step");
}
