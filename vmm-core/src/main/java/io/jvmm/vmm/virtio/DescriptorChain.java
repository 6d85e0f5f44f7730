package io.jvmm.vmm.virtio;

import io.jvmm.vmm.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One request the guest made available: its head index (what goes back in the used ring) and
 * its buffers, device-readable ones first, every one already checked to lie in guest RAM.
 */
public record DescriptorChain(int head, List<Segment> readable, List<Segment> writable) {
    /** One buffer of the chain. */
    public record Segment(long address, int length) {}

    public long readableLength() {
        return total(readable);
    }

    public long writableLength() {
        return total(writable);
    }

    private static long total(List<Segment> segments) {
        long n = 0;
        for (Segment s : segments) {
            n += s.length;
        }
        return n;
    }

    /** The first {@code max} readable bytes, gathered; fewer if the chain holds fewer. */
    public byte[] readBytes(GuestMemory memory, int max) {
        byte[] out = new byte[(int) Math.min(max, readableLength())];
        int at = 0;
        for (Segment s : readable) {
            int n = Math.min(s.length, out.length - at);
            memory.read(s.address, out, at, n);
            at += n;
            if (at == out.length) {
                break;
            }
        }
        return out;
    }

    /** Scatters {@code data} over the writable buffers from their start; returns the bytes written. */
    public int writeBytes(GuestMemory memory, byte[] data, int offset, int length) {
        int done = 0;
        for (Segment s : writable) {
            int n = Math.min(s.length, length - done);
            memory.write(s.address, data, offset + done, n);
            done += n;
            if (done == length) {
                break;
            }
        }
        return done;
    }

    /**
     * Zero-copy views of {@code segments}, skipping the first {@code skip} bytes and at most
     * {@code max} bytes in all; segments that continue one another in guest memory (as a
     * guest's pages of one request often do) become one view.
     */
    public static ByteBuffer[] buffers(GuestMemory memory, List<Segment> segments, long skip, long max) {
        java.util.ArrayList<ByteBuffer> out = new java.util.ArrayList<>();
        long left = max, runStart = -1;
        int runLength = 0;
        for (Segment s : segments) {
            if (left <= 0) {
                break;
            }
            if (skip >= s.length) {
                skip -= s.length;
                continue;
            }
            long address = s.address + skip;
            int n = (int) Math.min(s.length - skip, left);
            skip = 0;
            left -= n;
            if (n == 0) {
                continue;
            }
            if (runStart >= 0 && runStart + runLength == address && (long) runLength + n <= Integer.MAX_VALUE
                    && memory.isRam(runStart, (long) runLength + n)) {
                runLength += n;
                continue;
            }
            if (runStart >= 0) {
                out.add(memory.buffer(runStart, runLength));
            }
            runStart = address;
            runLength = n;
        }
        if (runStart >= 0) {
            out.add(memory.buffer(runStart, runLength));
        }
        return out.toArray(ByteBuffer[]::new);
    }
}
