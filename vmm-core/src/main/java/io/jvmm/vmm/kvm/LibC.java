package io.jvmm.vmm.kvm;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few C library calls the VMM needs. Only {@code kvm} touches file
 * descriptors, ioctls and signals. (Public only because jnr-ffi generates its implementation in
 * another class loader; nothing outside {@code kvm} uses it.)
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

    int open(String path, int flags);

    int close(int fd);

    int ioctl(int fd, long request, Pointer arg);

    int ioctl(int fd, long request, long arg);

    // jnr-ffi 2.2.19's fast path corrupts a sixth argument when the return type is primitive,
    // so mmap returns a Pointer (its address is what we need anyway).
    Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    int munmap(Pointer addr, @size_t long length);

    int madvise(Pointer addr, @size_t long length, int advice);

    long pthread_self();

    int pthread_kill(long thread, int signal);

    int gettid();

    int sigaction(int signal, @In Pointer action, Pointer oldAction);

    String strerror(int errno);

    int eventfd(int initialValue, int flags);

    @ssize_t long read(int fd, Pointer buffer, @size_t long count);

    @ssize_t long write(int fd, Pointer buffer, @size_t long count);

    @ssize_t long readv(int fd, Pointer iovecs, int count);

    @ssize_t long writev(int fd, Pointer iovecs, int count);

    int epoll_create1(int flags);

    int epoll_ctl(int epollFd, int op, int fd, @In Pointer event);

    int epoll_wait(int epollFd, Pointer events, int maxEvents, int timeoutMillis);

    int fcntl(int fd, int command, int argument);

    static int errno() {
        return RUNTIME.getLastError();
    }
}
