package io.jvmm.vmm.host;

import io.jvmm.vmm.kvm.LibC;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.Pointer;

/**
 * An I/O thread (QEMU's iothread object): one thread waiting in epoll on file descriptors
 * (eventfds that KVM signals when the guest kicks a queue, a tap, a socket) and running
 * their handlers, its own tasks and its timers, one at a time. A device served by one loop
 * needs no locks of its own.
 */
public final class EventLoop implements AutoCloseable {
    private static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2;
    /** EPOLLIN, and EPOLLET for descriptors whose handler may leave data unread (a tap with no guest buffers). */
    public static final int READABLE = 0x1, EDGE_TRIGGERED = 1 << 31;
    /** struct epoll_event is packed on x86_64: u32 events, u64 data. */
    private static final int EVENT_SIZE = 12, MAX_EVENTS = 32;
    private record Timer(long deadline, long sequence, Runnable task) {}

    private final String name;
    private final int epollFd;
    private final EventFd wakeup = EventFd.create();
    private final Map<Integer, Runnable> handlers = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.deadline != b.deadline
            ? Long.compare(a.deadline, b.deadline) : Long.compare(a.sequence, b.sequence));
    private final AtomicInteger timerSequence = new AtomicInteger();
    private final Thread thread;
    private volatile boolean closed;

    public EventLoop(String name) {
        this.name = name;
        this.epollFd = LibC.INSTANCE.epoll_create1(LibC.O_CLOEXEC);
        if (epollFd < 0) {
            throw new HostCallException("epoll_create1", LibC.errno());
        }
        watch(wakeup.fd(), READABLE, wakeup::drain);
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    public String name() {
        return name;
    }

    /** Runs {@code handler} on this loop each time {@code fd} becomes readable, after draining it. */
    public void watch(EventFd fd, Runnable handler) {
        watch(fd.fd(), READABLE, () -> {
            fd.drain();
            handler.run();
        });
    }

    /** Runs {@code handler} when {@code fd} has the epoll {@code events}; the handler reads it. */
    public void watch(int fd, int events, Runnable handler) {
        handlers.put(fd, handler);
        Pointer ev = LibC.allocate(EVENT_SIZE);
        ev.putInt(0, events);
        ev.putLong(4, fd);
        if (LibC.epollCtl(epollFd, EPOLL_CTL_ADD, fd, ev) < 0) {
            handlers.remove(fd);
            throw new HostCallException("epoll_ctl add of fd " + fd + " to " + name, LibC.errno());
        }
    }

    public void unwatch(EventFd fd) {
        unwatch(fd.fd());
    }

    public void unwatch(int fd) {
        // EPOLL_CTL_DEL ignores the event (Linux 2.6.9 and later).
        LibC.INSTANCE.epoll_ctl(epollFd, EPOLL_CTL_DEL, fd, null);
        handlers.remove(fd);
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    public void execute(Runnable task) {
        tasks.add(task);
        wakeup.signal();
    }

    /** Runs {@code task} on the loop and waits for it: how other threads hand a device state change to it. */
    public void executeAndWait(Runnable task) {
        if (inLoop() || closed) {
            task.run();
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        execute(() -> {
            try {
                task.run();
            } finally {
                done.countDown();
            }
        });
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code task} on the loop once {@code delayNanos} have passed. Call from the loop. */
    public void schedule(long delayNanos, Runnable task) {
        timers.add(new Timer(System.nanoTime() + delayNanos, timerSequence.incrementAndGet(), task));
    }

    private void run() {
        Pointer events = LibC.allocate(EVENT_SIZE * MAX_EVENTS);
        while (!closed) {
            int n = LibC.INSTANCE.epoll_wait(epollFd, events, MAX_EVENTS, timeoutMillis());
            for (int i = 0; i < n && !closed; i++) {
                Runnable h = handlers.get((int) events.getLong(i * EVENT_SIZE + 4));
                if (h != null) {
                    guarded(h);
                }
            }
            Runnable t;
            while (!closed && (t = tasks.poll()) != null) {
                guarded(t);
            }
            long now = System.nanoTime();
            while (!closed && !timers.isEmpty() && timers.peek().deadline - now <= 0) {
                guarded(timers.poll().task);
            }
        }
    }

    private int timeoutMillis() {
        if (!tasks.isEmpty()) {
            return 0;
        }
        Timer next = timers.peek();
        if (next == null) {
            return -1;
        }
        long nanos = next.deadline - System.nanoTime();
        return nanos <= 0 ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000));
    }

    /** A device bug must not take the loop, and every other device on it, down with it. */
    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            System.err.println("jvmm: internal error on " + name + ": " + e);
            e.printStackTrace();
        }
    }

    @Override
    public void close() {
        closed = true;
        wakeup.signal();
        if (!inLoop()) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LibC.INSTANCE.close(epollFd);
        wakeup.close();
    }
}
