package io.jvmm.vmm.confine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The system calls a running jvmm may make, as a seccomp program: everything else kills the
 * process. Made from a census of every path the tests take (boot, each device, QMP, reset,
 * balloon, vhost, consoles, power-off) with the filter logging instead of killing
 * (JVMM_SECCOMP_LOG=1), so a path that needs a call not listed here fails its test.
 *
 * <p>What is checked beyond the call's number: ioctl only with KVM, vhost, VFIO and terminal
 * or tap request numbers, minus the terminal requests that reach beyond the VMM (TIOCSTI
 * types into the terminal's reader, TIOCLINUX, TIOCCONS, TIOCSETD); clone only of threads
 * (fork, vfork and new namespaces are killed); clone3 answered ENOSYS, so that the C library
 * falls back to clone, whose flags a filter can read; sockets only AF_UNIX; signals only to
 * jvmm itself; prctl only to name a thread. Wrong-architecture and x32 calls are killed.
 */
public final class VmmSyscallFilter {
    /** struct seccomp_data: nr, arch, instruction pointer, then six 64-bit arguments. */
    static final int NR = 0, ARCH = 4, ARGS = 16;
    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    static final int X32_SYSCALL_BIT = 0x40000000;
    public static final int RET_KILL_PROCESS = 0x80000000, RET_ERRNO = 0x00050000, RET_LOG = 0x7ffc0000,
            RET_ALLOW = 0x7fff0000;
    static final int ENOSYS = 38, EAFNOSUPPORT = 97, EPERM = 1;
    static final int AF_UNIX = 1;
    static final int CLONE_VM = 0x100, CLONE_SIGHAND = 0x800, CLONE_THREAD = 0x10000;
    /** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
    static final int CLONE_NEW_NAMESPACES = 0x7E020000;
    static final int PR_SET_NAME = 15, PR_GET_NAME = 16;
    /** ioctl request types (the request's bits 8..15): KVM, vhost, VFIO, terminals and tun/tap ('T'). */
    static final int IOCTL_KVM = 0xAE, IOCTL_VHOST = 0xAF, IOCTL_VFIO = 0x3B, IOCTL_TTY_TUN = 0x54;
    /** TIOCSTI, TIOCLINUX, TIOCCONS, TIOCSETD. */
    static final int[] TERMINAL_REQUESTS_REFUSED = {0x5412, 0x541C, 0x541D, 0x5423};

    /**
     * Allowed without looking at arguments, most frequent first (the filter is a linear scan), with
     * the path that needs each.
     */
    static final Map<String, String> ALLOWED = new LinkedHashMap<>();

    static {
        allow("futex", "every lock and wait between the JVM's threads");
        allow("read", "eventfds, taps, sockets, the serial and console backends, files");
        allow("write", "eventfds, taps, sockets, the serial and console backends, logs");
        allow("epoll_wait", "the event loop and iothreads");
        allow("epoll_pwait", "the event loop and iothreads (newer C libraries)");
        allow("readv", "virtio-net receive from the tap");
        allow("writev", "virtio-net transmit to the tap");
        allow("pread64", "virtio-blk reads, FileChannel positional reads");
        allow("pwrite64", "virtio-blk writes");
        allow("preadv", "virtio-blk scattered reads");
        allow("pwritev", "virtio-blk scattered writes");
        allow("fdatasync", "virtio-blk flush");
        allow("fsync", "virtio-blk flush");
        allow("fallocate", "virtio-blk discard and write-zeroes");
        allow("lseek", "files read through FileChannel");
        allow("sched_yield", "the JVM's spin loops, vCPU pause");
        allow("nanosleep", "Thread.sleep, rate limiters");
        allow("clock_nanosleep", "Thread.sleep in newer C libraries");
        allow("clock_gettime", "time when the vDSO is not used");
        allow("clock_getres", "the JVM's clock set-up");
        allow("gettimeofday", "time when the vDSO is not used");
        allow("mmap", "guest RAM at reset, vCPU run areas, thread stacks, the JVM's heap and code cache");
        allow("munmap", "guest RAM and vCPU areas of a machine thrown away at reset; thread stacks");
        allow("mprotect", "thread stack guards, the JVM's safepoint page and code cache");
        allow("madvise", "balloon (MADV_DONTNEED), huge pages for guest RAM, the JVM's heap");
        allow("mremap", "the C library's realloc of large blocks");
        allow("brk", "the C library's malloc");
        allow("rt_sigprocmask", "vCPU kick signal masks, the JVM's threads");
        allow("rt_sigaction", "the vCPU kick handler at reset, the JVM's signal handlers");
        allow("rt_sigreturn", "return from every signal handler");
        allow("sigaltstack", "the JVM's threads");
        allow("restart_syscall", "a call interrupted by a signal");
        allow("set_robust_list", "every new thread (C library)");
        allow("rseq", "every new thread (C library)");
        allow("exit", "a thread ends");
        allow("exit_group", "jvmm ends");
        allow("gettid", "vCPU thread ids for QMP query-cpus-fast, the JVM");
        allow("getpid", "the JVM, the C library");
        allow("getuid", "the JVM's user name lookups");
        allow("geteuid", "the JVM");
        allow("getgid", "the JVM");
        allow("getegid", "the JVM");
        allow("sched_getaffinity", "the JVM's processor count");
        allow("sysinfo", "the JVM's memory figures");
        allow("getrusage", "the JVM's CPU time figures");
        allow("prlimit64", "the JVM's thread stacks");
        allow("uname", "the JVM");
        allow("getrandom", "java.util.Random's seed, hash seeds");
        allow("openat", "files opened after start (kernel and initrd at reset, /proc/self); Landlock confines what");
        allow("openat2", "kernel and initrd read again at reset, beneath JVMM_ALLOWED_ROOTS (HostFiles)");
        allow("close", "every file descriptor");
        allow("fstat", "files, the JVM");
        allow("newfstatat", "files, the JVM");
        allow("statx", "files (newer C libraries)");
        allow("readlink", "the JVM's path resolution");
        allow("readlinkat", "the JVM's path resolution");
        allow("faccessat", "Files.exists");
        allow("faccessat2", "Files.exists (newer C libraries)");
        allow("access", "Files.exists");
        allow("getcwd", "the JVM");
        allow("getdents64", "directory listings (the JVM's /proc reads)");
        allow("fcntl", "non-blocking and close-on-exec flags of sockets and fds");
        allow("dup", "the JVM's file descriptors");
        allow("dup2", "the JVM's file descriptors");
        allow("dup3", "the JVM's file descriptors");
        allow("unlink", "the QMP and chardev sockets and the pidfile removed at the end");
        allow("unlinkat", "the QMP and chardev sockets and the pidfile removed at the end");
        allow("eventfd2", "ioeventfds and irqfds of a machine built at reset");
        allow("epoll_create1", "the event loop");
        allow("epoll_ctl", "the event loop");
        allow("poll", "the JVM's socket reads");
        allow("ppoll", "the JVM's socket reads (newer C libraries)");
        allow("accept", "QMP and chardev socket clients");
        allow("accept4", "QMP and chardev socket clients");
        allow("bind", "chardev sockets");
        allow("listen", "chardev sockets");
        allow("connect", "unix socket clients");
        allow("getsockname", "the JVM's socket channels");
        allow("getpeername", "the JVM's socket channels");
        allow("getsockopt", "the JVM's socket channels");
        allow("setsockopt", "the JVM's socket channels");
        allow("sendmsg", "unix sockets");
        allow("recvmsg", "unix sockets");
        allow("sendto", "unix sockets");
        allow("recvfrom", "unix sockets");
        allow("shutdown", "unix sockets");
        allow("pipe2", "the JVM's wake-up pipes for selectors");
        allow("sched_getparam", "the JVM's thread start");
        allow("sched_getscheduler", "the JVM's thread start");
        allow("membarrier", "the JVM");
    }

    private static void allow(String name, String neededBy) {
        SyscallNumbers.of(name);
        ALLOWED.put(name, neededBy);
    }

    private VmmSyscallFilter() {}

    /**
     * The program for jvmm's process {@code pid}; {@code refused} is what a call outside the list
     * gets: {@link #RET_KILL_PROCESS}, or {@link #RET_LOG} to take a census.
     */
    public static BpfProgram program(long pid, int refused) {
        BpfProgram p = new BpfProgram();
        p.load(ARCH).jumpIfEqual(AUDIT_ARCH_X86_64, null, "kill");
        p.load(NR).jumpIfAtLeast(X32_SYSCALL_BIT, "kill", null);
        ioctl(p, refused);
        for (String name : ALLOWED.keySet()) {
            // A return right behind each test: no jump has to reach far (at most 255 instructions).
            p.jumpIfEqual(SyscallNumbers.of(name), null, "after " + name).ret(RET_ALLOW).label("after " + name);
        }
        p.jumpIfEqual(SyscallNumbers.of("clone3"), null, "after clone3").ret(RET_ERRNO | ENOSYS).label("after clone3");
        // Every block below ends in a return, so the accumulator still holds the call's number after it.
        p.jumpIfEqual(SyscallNumbers.of("clone"), null, "after clone")
                .load(ARGS).and(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)
                .jumpIfEqual(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, null, "refuse")
                .load(ARGS).and(CLONE_NEW_NAMESPACES).jumpIfEqual(0, "allow", "refuse")
                .label("after clone");
        for (String name : new String[] {"socket", "socketpair"}) {
            p.jumpIfEqual(SyscallNumbers.of(name), null, "after " + name)
                    .load(ARGS).jumpIfEqual(AF_UNIX, "allow", null).ret(RET_ERRNO | EAFNOSUPPORT)
                    .label("after " + name);
        }
        // Signals only to jvmm's own threads: the vCPU kick, and the JVM's own.
        for (String name : new String[] {"tgkill", "kill"}) {
            p.jumpIfEqual(SyscallNumbers.of(name), null, "after " + name)
                    .load(ARGS + 4).jumpIfEqual(0, null, "refuse")
                    .load(ARGS).jumpIfEqual((int) pid, "allow", "refuse")
                    .label("after " + name);
        }
        p.jumpIfEqual(SyscallNumbers.of("prctl"), null, "refuse")
                .load(ARGS).jumpIfEqual(PR_SET_NAME, "allow", null).jumpIfEqual(PR_GET_NAME, "allow", "refuse");
        p.label("refuse").ret(refused);
        p.label("kill").ret(RET_KILL_PROCESS);
        p.label("allow").ret(RET_ALLOW);
        return p;
    }

    /** First: KVM_RUN is by far the most frequent call of a running VM. */
    private static void ioctl(BpfProgram p, int refused) {
        p.jumpIfEqual(SyscallNumbers.of("ioctl"), null, "after ioctl");
        p.load(ARGS + 8);
        for (int request : TERMINAL_REQUESTS_REFUSED) {
            p.jumpIfEqual(request, "ioctl refused", null);
        }
        p.shiftRight(8).and(0xFF)
                .jumpIfEqual(IOCTL_KVM, "ioctl allowed", null)
                .jumpIfEqual(IOCTL_VHOST, "ioctl allowed", null)
                .jumpIfEqual(IOCTL_VFIO, "ioctl allowed", null)
                .jumpIfEqual(IOCTL_TTY_TUN, "ioctl allowed", null)
                .label("ioctl refused").ret(refused)
                .label("ioctl allowed").ret(RET_ALLOW)
                .label("after ioctl");
    }

    /** The allowed calls that need no look at their arguments, each with the path that needs it. */
    public static Map<String, String> allowedCalls() {
        return java.util.Collections.unmodifiableMap(ALLOWED);
    }
}
