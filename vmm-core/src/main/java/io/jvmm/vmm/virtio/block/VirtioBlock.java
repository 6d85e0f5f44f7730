package io.jvmm.vmm.virtio.block;

import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.virtio.DeferredService;
import io.jvmm.vmm.virtio.DescriptorChain;
import io.jvmm.vmm.virtio.DeviceRuntime;
import io.jvmm.vmm.virtio.GuestError;
import io.jvmm.vmm.virtio.RateLimiter;
import io.jvmm.vmm.virtio.DeviceIdentity;
import io.jvmm.vmm.virtio.VirtioFeatures;
import io.jvmm.vmm.virtio.Virtqueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * virtio-blk (virtio 1.2, 5.2) on a raw file: read, write, flush (fdatasync before the guest
 * hears it is done), get-id, with the drive's read-only flag and total IOPS limit. Requests are
 * served on the device's I/O thread, straight between the file and guest memory.
 */
public final class VirtioBlock extends DeviceIdentity {
    static final int SECTOR = 512;
    private static final long F_SEG_MAX = VirtioFeatures.bit(2), F_RO = VirtioFeatures.bit(5),
            F_BLK_SIZE = VirtioFeatures.bit(6), F_FLUSH = VirtioFeatures.bit(9);
    static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
    static final byte S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;
    private static final int QUEUE_SIZE = 256, HEADER = 16, ID_BYTES = 20, CLASS_STORAGE_SCSI = 0x010000;

    private final BlockBackend backend;
    private final long capacitySectors;
    private DeviceRuntime runtime;
    private RateLimiter limiter;
    private final DeferredService deferred = new DeferredService();

    public VirtioBlock(String id, BlockBackend backend) throws IOException {
        super(2, CLASS_STORAGE_SCSI, id, 1, QUEUE_SIZE);
        this.backend = backend;
        this.capacitySectors = backend.size() / SECTOR;
    }

    @Override
    public long features() {
        return F_SEG_MAX | F_BLK_SIZE | F_FLUSH | (backend.readOnly() ? F_RO : 0);
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        ByteBuffer config = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        config.putLong(0, capacitySectors);
        config.putInt(12, QUEUE_SIZE - 2); // seg_max: the chain less header and status
        config.putInt(20, SECTOR); // blk_size
        for (int i = 0; i < data.length; i++) {
            data[i] = offset + i < config.capacity() ? config.get(offset + i) : 0;
        }
    }

    @Override
    public void activate(DeviceRuntime runtime) {
        this.runtime = runtime;
        this.limiter = backend.iops() > 0 ? RateLimiter.of(backend.iops(), TimeUnit.SECONDS.toNanos(1)) : null;
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
        boolean served = false;
        while (true) {
            if (limiter != null && limiter.nanosUntilToken() > 0) {
                if (q.armNotification()) {
                    deferred.retry(rt.loop(), limiter.nanosUntilToken(), () -> queueNotified(0));
                }
                break;
            }
            DescriptorChain chain = q.pop();
            if (chain == null) {
                break;
            }
            if (limiter != null) {
                limiter.take(1);
            }
            q.push(chain.head(), serve(rt.memory(), chain));
            served = true;
        }
        if (served) {
            rt.notifyQueue(0);
        }
    }

    /** Serves one request; returns the bytes written into the guest's buffers. */
    private int serve(GuestMemory memory, DescriptorChain chain) {
        long writable = chain.writableLength();
        if (writable < 1) {
            throw new GuestError("block request " + chain.head() + " has no status byte");
        }
        long statusAt = lastByte(chain);
        byte[] header = chain.readBytes(memory, HEADER);
        if (header.length < HEADER) {
            memory.writeByte(statusAt, S_IOERR);
            return 1;
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int type = h.getInt(0);
        long sector = h.getLong(8);
        int dataIn = 0;
        byte status;
        try {
            switch (type) {
                case T_IN -> {
                    long length = writable - 1;
                    status = inRange(sector, length) ? S_OK : S_IOERR;
                    if (status == S_OK) {
                        transfer(memory, chain.writable(), 0, length, sector * SECTOR, true);
                        dataIn = (int) length;
                    }
                }
                case T_OUT -> {
                    long length = chain.readableLength() - HEADER;
                    status = backend.readOnly() || !inRange(sector, length) ? S_IOERR : S_OK;
                    if (status == S_OK) {
                        transfer(memory, chain.readable(), HEADER, length, sector * SECTOR, false);
                    }
                }
                case T_FLUSH -> {
                    backend.channel().force(false);
                    status = S_OK;
                }
                case T_GET_ID -> {
                    byte[] name = new byte[ID_BYTES];
                    byte[] idBytes = backend.id().getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(idBytes, 0, name, 0, Math.min(ID_BYTES, idBytes.length));
                    dataIn = chain.writeBytes(memory, name, 0, (int) Math.min(ID_BYTES, writable - 1));
                    status = S_OK;
                }
                default -> status = S_UNSUPP;
            }
        } catch (IOException e) {
            status = S_IOERR;
            dataIn = 0;
        }
        memory.writeByte(statusAt, status);
        return dataIn + 1;
    }

    private boolean inRange(long sector, long length) {
        return sector >= 0 && length >= 0 && length % SECTOR == 0 && sector <= capacitySectors
                && length / SECTOR <= capacitySectors - sector;
    }

    private static long lastByte(DescriptorChain chain) {
        DescriptorChain.Segment last = null;
        for (DescriptorChain.Segment s : chain.writable()) {
            if (s.length() > 0) {
                last = s;
            }
        }
        return last.address() + last.length() - 1;
    }

    private void transfer(GuestMemory memory, java.util.List<DescriptorChain.Segment> segments, long skip, long length,
                          long position, boolean toGuest) throws IOException {
        FileChannel ch = backend.channel();
        ByteBuffer[] buffers = DescriptorChain.buffers(memory, segments, skip, length);
        // One vectored call for the whole request (preadv/pwritev-like: position, then readv/writev).
        ch.position(position);
        long left = length;
        int first = 0;
        while (left > 0) {
            long n = toGuest ? ch.read(buffers, first, buffers.length - first) : ch.write(buffers, first, buffers.length - first);
            if (n < 0 || (n == 0 && toGuest)) {
                throw new IOException("end of " + backend.file());
            }
            left -= n;
            while (first < buffers.length && !buffers[first].hasRemaining()) {
                first++;
            }
        }
    }
}
