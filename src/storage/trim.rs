//! Handing memory freed after a large build back to the system.
//!
//! Building the search index reads the whole catalog into memory (about 35 MiB at 10,000
//! procedures) and frees it once the index is built. glibc keeps what was freed in the building
//! thread's arena, interleaved with the index it keeps, so the kiosk went on holding that memory
//! for as long as it ran: a third of its resident memory (docs/BENCHMARKS.md, figure 1).
//! `malloc_trim` returns the free pages inside the arenas, not only at their ends.

/// Returns the allocator's free pages to the system. The pages given back must be faulted in
/// again by later allocations: at 100,000 procedures it made a full sync about 1.5 s and an
/// incremental one about 0.3 s longer (docs/BENCHMARKS.md, figure 5). So it belongs after a
/// build, off the UI thread, never on a hot path.
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks and releases glibc's own free chunks; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}
