/* blkbench: the guest's block benchmark (busybox has none).
 *   blkbench seqread|seqwrite|randread DEVICE BLOCK_BYTES SECONDS
 * O_DIRECT, one request at a time, for SECONDS of the guest's monotonic clock; prints
 *   BLKBENCH mode=... bytes=... ios=... seconds=... mbps=... iops=...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: blkbench seqread|seqwrite|randread DEVICE BLOCK_BYTES SECONDS\n");
        return 2;
    }
    const char *mode = argv[1];
    int write_mode = strcmp(mode, "seqwrite") == 0, random_mode = strcmp(mode, "randread") == 0;
    long bs = atol(argv[3]);
    double seconds = atof(argv[4]);
    int fd = open(argv[2], (write_mode ? O_WRONLY : O_RDONLY) | O_DIRECT);
    if (fd < 0 || bs <= 0 || bs % 512 != 0) {
        perror("blkbench: open");
        return 1;
    }
    off_t size = lseek(fd, 0, SEEK_END);
    long blocks = size / bs;
    void *buf;
    if (blocks <= 0 || posix_memalign(&buf, 4096, bs) != 0) {
        fprintf(stderr, "blkbench: device too small\n");
        return 1;
    }
    memset(buf, 0x5a, bs);
    unsigned long long seed = 88172645463325252ULL, ios = 0, bytes = 0;
    long next = 0;
    double start = now(), end = start + seconds, t = start;
    while (t < end) {
        long block;
        if (random_mode) {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
            block = (long) (seed % (unsigned long long) blocks);
        } else {
            block = next;
            next = (next + 1) % blocks;
        }
        ssize_t n = write_mode ? pwrite(fd, buf, bs, block * bs) : pread(fd, buf, bs, block * bs);
        if (n != bs) {
            perror("blkbench: I/O");
            return 1;
        }
        ios++;
        bytes += bs;
        if ((ios & 15) == 0 || bs >= 65536) {
            t = now();
        }
    }
    if (write_mode) {
        fdatasync(fd);
    }
    double took = now() - start;
    printf("BLKBENCH mode=%s bytes=%llu ios=%llu seconds=%.3f mbps=%.2f iops=%.1f\n", mode, bytes, ios, took,
           bytes / took / 1e6, ios / took);
    return 0;
}
