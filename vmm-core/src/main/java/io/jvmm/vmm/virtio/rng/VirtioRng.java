package io.jvmm.vmm.virtio.rng;

import io.jvmm.vmm.host.HostFiles;
import io.jvmm.vmm.virtio.DeferredService;
import io.jvmm.vmm.virtio.DescriptorChain;
import io.jvmm.vmm.virtio.DeviceRuntime;
import io.jvmm.vmm.virtio.RateLimiter;
import io.jvmm.vmm.virtio.DeviceIdentity;
import io.jvmm.vmm.virtio.Virtqueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * virtio-rng (virtio 1.2, 5.4) fed from a host file (rng-random's filename, /dev/urandom by
 * default), at most max-bytes per period milliseconds when a limit is set: a guest asking for
 * more waits, as with QEMU's limit.
 */
public final class VirtioRng extends DeviceIdentity {
    private static final int QUEUE_SIZE = 64, CLASS_OTHER = 0x00ff00;
    private final FileChannel source;
    private final long maxBytes, periodNanos;
    private DeviceRuntime runtime;
    private RateLimiter limiter;
    private final DeferredService deferred = new DeferredService();

    public VirtioRng(String id, FileChannel source, long maxBytes, long periodMillis) {
        super(4, CLASS_OTHER, id, 1, QUEUE_SIZE);
        this.source = source;
        this.maxBytes = maxBytes;
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
    }

    /** Opens the entropy source once, at start: a missing file is refused then. */
    public static FileChannel open(Path file) throws IOException {
        return HostFiles.forThisProcess().openForReading(file);
    }

    @Override
    public long features() {
        return 0;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        java.util.Arrays.fill(data, (byte) 0);
    }

    @Override
    public void activate(DeviceRuntime runtime) {
        this.runtime = runtime;
        this.limiter = maxBytes > 0 ? RateLimiter.of(maxBytes, periodNanos) : null;
    }

    @Override
    public void reset() {
        runtime = null;
    }

    @Override
    public void queueNotified(int index) {
        DeviceRuntime rt = runtime;
        Virtqueue q = rt == null ? null : rt.queue(0);
        if (q == null || deferred.pending()) {
            return;
        }
        boolean any = false;
        DescriptorChain c;
        while ((c = q.pop()) != null) {
            long n = c.writableLength();
            if (limiter != null) {
                // Whole requests (up to a tenth of a period's quota) rather than a trickle of
                // tiny ones: the rate is the same, and each guest request is worth its wakeup.
                if (n > 0 && !limiter.takeAll(n)) {
                    q.unpop();
                    deferred.retry(rt.loop(), limiter.nanosUntil(n), () -> queueNotified(0));
                    break;
                }
                n = Math.min(n, limiter.capacity());
            }
            q.push(c.head(), fill(rt, c, n));
            any = true;
        }
        if (any) {
            rt.notifyQueue(0);
        }
    }

    private int fill(DeviceRuntime rt, DescriptorChain c, long n) {
        int done = 0;
        try {
            for (ByteBuffer b : DescriptorChain.buffers(rt.memory(), c.writable(), 0, n)) {
                while (b.hasRemaining()) {
                    int r = source.read(b);
                    if (r < 0) {
                        source.position(0); // a file of random bytes, read round and round
                        if (source.size() == 0) {
                            return done;
                        }
                    } else {
                        done += r;
                    }
                }
            }
        } catch (IOException e) {
            // The guest gets what was read so far.
        }
        return done;
    }
}
