// The options jemalloc starts with in arflow's long-running binaries (services, broker,
// benchmarks). jemalloc reads this global at its first allocation, before main, then
// /etc/malloc.conf and the MALLOC_CONF environment variable, so an operator's MALLOC_CONF
// still has the last word.
//
// thp:always, metadata_thp:always: jemalloc asks for transparent huge pages on the memory it
// maps (madvise; Debian's kernels default THP to "madvise", so nothing else gets them). The
// command loop writes a RocksDB memtable and a heap that keep touching fresh pages; with 4 KiB
// pages, page faults were ~4% of the machine's CPU in the payments benchmark, and huge pages
// took ~10% off the CPU per payment (docs/performance.md, "Huge pages, Swiss tables").

extern "C" {
// jemalloc declares `extern const char *malloc_conf` and defines a weak default that this
// definition replaces.
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:always";
}
