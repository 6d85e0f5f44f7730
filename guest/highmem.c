/* highmem: writes and reads back guest memory, and says how much of it lies above 4 GiB of
 * guest-physical address space (the test guest's check that RAM above the 32-bit hole works).
 *   highmem MEBIBYTES
 * Fills MEBIBYTES of fresh anonymous memory with a pattern, finds each page's frame in
 * /proc/self/pagemap (root only), reads the pattern back; prints
 *   HIGHMEM pages=... above_4g=... highest_gib=... verified=yes|no
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long mib = argc == 2 ? atol(argv[1]) : 0;
    if (mib <= 0) { fprintf(stderr, "usage: highmem MEBIBYTES\n"); return 2; }
    size_t page = (size_t) sysconf(_SC_PAGESIZE), size = (size_t) mib << 20, pages = size / page;
    uint64_t *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (m == MAP_FAILED) { perror("mmap"); return 1; }
    size_t words = size / sizeof *m;
    for (size_t i = 0; i < words; i++) m[i] = i * 0x9E3779B97F4A7C15ull;
    int fd = open("/proc/self/pagemap", O_RDONLY);
    if (fd < 0) { perror("/proc/self/pagemap"); return 1; }
    size_t above = 0;
    uint64_t highest = 0;
    for (size_t p = 0; p < pages; p++) {
        uint64_t entry;
        off_t at = (off_t) (((uintptr_t) m / page + p) * sizeof entry);
        if (pread(fd, &entry, sizeof entry, at) != sizeof entry) { perror("pread"); return 1; }
        uint64_t pfn = entry & ((1ull << 55) - 1);
        if (!(entry >> 63) || pfn == 0) { fprintf(stderr, "page %zu not present or no frame (not root?)\n", p); return 1; }
        uint64_t addr = pfn * page;
        if (addr >= (4ull << 30)) above++;
        if (addr > highest) highest = addr;
    }
    int ok = 1;
    for (size_t i = 0; i < words; i++) if (m[i] != i * 0x9E3779B97F4A7C15ull) { ok = 0; break; }
    printf("HIGHMEM pages=%zu above_4g=%zu highest_gib=%.2f verified=%s\n", pages, above,
           (double) highest / (1 << 30), ok ? "yes" : "no");
    return ok ? 0 : 1;
}
