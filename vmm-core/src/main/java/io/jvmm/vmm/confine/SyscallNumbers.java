package io.jvmm.vmm.confine;

import java.util.Map;

/**
 * x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl) of the calls the filter
 * names. A unit test checks them against the host's asm/unistd_64.h.
 */
final class SyscallNumbers {
    private SyscallNumbers() {}

    static final Map<String, Integer> X86_64 = Map.ofEntries(
            Map.entry("read", 0), Map.entry("write", 1), Map.entry("open", 2), Map.entry("close", 3),
            Map.entry("stat", 4), Map.entry("fstat", 5), Map.entry("lstat", 6), Map.entry("poll", 7),
            Map.entry("lseek", 8), Map.entry("mmap", 9), Map.entry("mprotect", 10), Map.entry("munmap", 11),
            Map.entry("brk", 12), Map.entry("rt_sigaction", 13), Map.entry("rt_sigprocmask", 14),
            Map.entry("rt_sigreturn", 15), Map.entry("ioctl", 16), Map.entry("pread64", 17), Map.entry("pwrite64", 18),
            Map.entry("readv", 19), Map.entry("writev", 20), Map.entry("access", 21), Map.entry("pipe", 22),
            Map.entry("select", 23), Map.entry("sched_yield", 24), Map.entry("mremap", 25), Map.entry("msync", 26),
            Map.entry("mincore", 27), Map.entry("madvise", 28), Map.entry("dup", 32), Map.entry("dup2", 33),
            Map.entry("nanosleep", 35), Map.entry("getpid", 39), Map.entry("socket", 41), Map.entry("connect", 42),
            Map.entry("accept", 43), Map.entry("sendto", 44), Map.entry("recvfrom", 45), Map.entry("sendmsg", 46),
            Map.entry("recvmsg", 47), Map.entry("shutdown", 48), Map.entry("bind", 49), Map.entry("listen", 50),
            Map.entry("getsockname", 51), Map.entry("getpeername", 52), Map.entry("socketpair", 53),
            Map.entry("setsockopt", 54), Map.entry("getsockopt", 55), Map.entry("clone", 56), Map.entry("fork", 57),
            Map.entry("vfork", 58), Map.entry("execve", 59), Map.entry("exit", 60), Map.entry("wait4", 61),
            Map.entry("kill", 62), Map.entry("uname", 63), Map.entry("fcntl", 72), Map.entry("flock", 73),
            Map.entry("fsync", 74), Map.entry("fdatasync", 75), Map.entry("ftruncate", 77), Map.entry("getdents", 78),
            Map.entry("getcwd", 79), Map.entry("rename", 82), Map.entry("mkdir", 83), Map.entry("rmdir", 84),
            Map.entry("unlink", 87), Map.entry("readlink", 89), Map.entry("chmod", 90), Map.entry("fchmod", 91),
            Map.entry("umask", 95), Map.entry("gettimeofday", 96), Map.entry("getrlimit", 97),
            Map.entry("getrusage", 98), Map.entry("sysinfo", 99), Map.entry("times", 100), Map.entry("ptrace", 101),
            Map.entry("getuid", 102), Map.entry("getgid", 104), Map.entry("setuid", 105), Map.entry("setgid", 106),
            Map.entry("geteuid", 107), Map.entry("getegid", 108), Map.entry("getppid", 110),
            Map.entry("setresuid", 117), Map.entry("setresgid", 119), Map.entry("sigaltstack", 131),
            Map.entry("statfs", 137), Map.entry("fstatfs", 138), Map.entry("sched_getparam", 143),
            Map.entry("sched_getscheduler", 145), Map.entry("mlock", 149), Map.entry("prctl", 157),
            Map.entry("arch_prctl", 158), Map.entry("chroot", 161), Map.entry("mount", 165), Map.entry("umount2", 166),
            Map.entry("reboot", 169), Map.entry("init_module", 175), Map.entry("delete_module", 176),
            Map.entry("gettid", 186), Map.entry("futex", 202), Map.entry("sched_setaffinity", 203),
            Map.entry("sched_getaffinity", 204), Map.entry("getdents64", 217), Map.entry("set_tid_address", 218),
            Map.entry("restart_syscall", 219), Map.entry("fadvise64", 221), Map.entry("clock_gettime", 228),
            Map.entry("clock_getres", 229), Map.entry("clock_nanosleep", 230), Map.entry("exit_group", 231),
            Map.entry("epoll_wait", 232), Map.entry("epoll_ctl", 233), Map.entry("tgkill", 234),
            Map.entry("kexec_load", 246), Map.entry("openat", 257), Map.entry("mkdirat", 258),
            Map.entry("newfstatat", 262), Map.entry("unlinkat", 263), Map.entry("renameat", 264),
            Map.entry("readlinkat", 267), Map.entry("faccessat", 269), Map.entry("pselect6", 270),
            Map.entry("ppoll", 271), Map.entry("unshare", 272), Map.entry("set_robust_list", 273),
            Map.entry("get_robust_list", 274), Map.entry("epoll_pwait", 281), Map.entry("timerfd_create", 283),
            Map.entry("eventfd", 284), Map.entry("fallocate", 285), Map.entry("timerfd_settime", 286),
            Map.entry("accept4", 288), Map.entry("eventfd2", 290), Map.entry("epoll_create1", 291),
            Map.entry("dup3", 292), Map.entry("pipe2", 293), Map.entry("preadv", 295), Map.entry("pwritev", 296),
            Map.entry("perf_event_open", 298), Map.entry("recvmmsg", 299), Map.entry("prlimit64", 302),
            Map.entry("sendmmsg", 307), Map.entry("setns", 308), Map.entry("getcpu", 309),
            Map.entry("process_vm_readv", 310), Map.entry("process_vm_writev", 311),
            Map.entry("finit_module", 313), Map.entry("renameat2", 316), Map.entry("seccomp", 317),
            Map.entry("getrandom", 318), Map.entry("memfd_create", 319), Map.entry("kexec_file_load", 320),
            Map.entry("bpf", 321), Map.entry("execveat", 322), Map.entry("userfaultfd", 323),
            Map.entry("membarrier", 324), Map.entry("mlock2", 325), Map.entry("preadv2", 327),
            Map.entry("pwritev2", 328), Map.entry("statx", 332), Map.entry("rseq", 334),
            Map.entry("io_uring_setup", 425), Map.entry("io_uring_enter", 426), Map.entry("io_uring_register", 427),
            Map.entry("open_tree", 428), Map.entry("move_mount", 429), Map.entry("fsopen", 430),
            Map.entry("pidfd_open", 434), Map.entry("clone3", 435), Map.entry("close_range", 436),
            Map.entry("openat2", 437), Map.entry("faccessat2", 439), Map.entry("epoll_pwait2", 441),
            Map.entry("landlock_create_ruleset", 444), Map.entry("landlock_add_rule", 445),
            Map.entry("landlock_restrict_self", 446));

    static int of(String name) {
        Integer nr = X86_64.get(name);
        if (nr == null) {
            throw new IllegalArgumentException("no x86_64 number known for system call '" + name + "'");
        }
        return nr;
    }
}
