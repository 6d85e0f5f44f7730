package io.jvmm.vmm.kvm;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The few C library calls the VMM needs. Only {@code kvm} touches file
 * descriptors, ioctls and signals. (Public only because jnr-ffi generates its implementation in
 * another class loader; nothing outside {@code kvm} uses it.)
 *
 * <p>Declared with plain Java types only: each jnr-ffi annotation ({@code @size_t}, {@code @In})
 * and each String parameter or result costs annotation proxy classes, generated at the first
 * call, on the path to the guest's first instruction. size_t, ssize_t and off_t are all 64 bits
 * on x86_64 Linux, the one platform jvmm runs on, so {@code long} passes them unchanged.
 */
public interface LibC {
    int O_RDWR = 0x2;
    int O_CLOEXEC = 0x80000;
    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int MAP_SHARED = 0x1;
    int MAP_PRIVATE = 0x2;
    int MAP_ANONYMOUS = 0x20;
    int MAP_NORESERVE = 0x4000;
    int EINTR = 4;
    int EAGAIN = 11;
    int E2BIG = 7;
    int EBADF = 9;
    int MADV_DONTNEED = 4;

    /**
     * The C library's file name ("libc.so.6" on Linux), which dlopen finds at once: given "c",
     * jnr-ffi first lists every directory on the library path for libc.so.N, thousands of
     * entries, while start-up waits for the binding.
     */
    String NAME = Platform.getNativePlatform().getStandardCLibraryName();
    LibC INSTANCE = LibraryLoader.create(LibC.class).load(NAME);
    Runtime RUNTIME = Runtime.getRuntime(INSTANCE);

    /** open(2) with a NUL-terminated path in native memory; {@link #openPath} takes a String. */
    int open(Pointer path, int flags);

    int close(int fd);

    int ioctl(int fd, long request, Pointer arg);

    int ioctl(int fd, long request, long arg);

    // jnr-ffi 2.2.19's fast path corrupts a sixth argument when the return type is primitive,
    // so mmap returns a Pointer (its address is what we need anyway).
    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    int madvise(Pointer addr, long length, int advice);

    long pthread_self();

    int pthread_kill(long thread, int signal);

    int gettid();

    int sigaction(int signal, Pointer action, Pointer oldAction);

    Pointer strerror(int errno);

    int eventfd(int initialValue, int flags);

    long read(int fd, Pointer buffer, long count);

    long write(int fd, Pointer buffer, long count);

    long readv(int fd, Pointer iovecs, int count);

    long writev(int fd, Pointer iovecs, int count);

    int epoll_create1(int flags);

    int epoll_ctl(int epollFd, int op, int fd, Pointer event);

    int epoll_wait(int epollFd, Pointer events, int maxEvents, int timeoutMillis);

    int fcntl(int fd, int command, int argument);

    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    /** syscall(2) for calls the C library does not wrap (seccomp, landlock, openat2). */
    long syscall(long number, long arg1, long arg2, Pointer arg3);

    /** syscall(2) with four arguments (openat2: dirfd, path, how, size). */
    long syscall(long number, long arg1, Pointer arg2, Pointer arg3, long arg4);

    /** syscall(2) with a pointer first (landlock_create_ruleset: attr, size, flags). */
    long syscall(long number, Pointer arg1, long arg2, long arg3);

    /** syscall(2) with a pointer third (landlock_add_rule: fd, type, attr, flags). */
    long syscall(long number, long arg1, long arg2, Pointer arg3, long arg4);

    /** syscall(2) with two plain arguments (landlock_restrict_self: fd, flags). */
    long syscall(long number, long arg1, long arg2);

    int setresuid(int ruid, int euid, int suid);

    int setresgid(int rgid, int egid, int sgid);

    int setgroups(long size, Pointer groups);

    int getuid();

    static int errno() {
        return RUNTIME.getLastError();
    }

    /**
     * Zeroed native memory for a call's arguments, freed once the Pointer is unreachable. A direct
     * buffer, not jnr-ffi's Memory.allocateDirect: that one's first use starts a finalizer thread
     * and java.util.logging, on the way to the guest's first instruction.
     */
    static Pointer allocate(long size) {
        return Pointer.wrap(RUNTIME, ByteBuffer.allocateDirect(Math.toIntExact(size)).order(ByteOrder.nativeOrder()));
    }

    /**
     * ioctl(2) with an argument in native memory that the kernel reads or fills. The argument
     * stays reachable until the call has returned: memory from {@link #allocate} is freed once
     * its Pointer is unreachable, and compiled code may let go of it as soon as jnr-ffi has read
     * its address, before the kernel has read the struct.
     */
    static int ioctlWith(int fd, long request, Pointer arg) {
        try {
            return INSTANCE.ioctl(fd, request, arg);
        } finally {
            Reference.reachabilityFence(arg);
        }
    }

    /** epoll_ctl(2), its event kept reachable until the call has returned (as in {@link #ioctlWith}). */
    static int epollCtl(int epollFd, int op, int fd, Pointer event) {
        try {
            return INSTANCE.epoll_ctl(epollFd, op, fd, event);
        } finally {
            Reference.reachabilityFence(event);
        }
    }

    /** syscall(2) with an argument in native memory, kept reachable until the call has returned. */
    static long syscallWith(long number, long arg1, long arg2, Pointer arg3) {
        try {
            return INSTANCE.syscall(number, arg1, arg2, arg3);
        } finally {
            Reference.reachabilityFence(arg3);
        }
    }

    static int openPath(String path, int flags) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        Pointer cPath = allocate(bytes.length + 1);
        cPath.put(0, bytes, 0, bytes.length);
        try {
            return INSTANCE.open(cPath, flags);
        } finally {
            Reference.reachabilityFence(cPath);
        }
    }

    /** The C library's description of an errno value, such as "Permission denied". */
    static String describe(int errno) {
        return INSTANCE.strerror(errno).getString(0);
    }
}
