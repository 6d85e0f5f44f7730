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

    /** Zero-copy views of {@code segments}, skipping the first {@code skip} bytes and at most {@code max} bytes in all. */
    public static ByteBuffer[] buffers(GuestMemory memory, List<Segment> segments, long skip, long max) {
        java.util.ArrayList<ByteBuffer> out = new java.util.ArrayList<>();
        long left = max;
        for (Segment s : segments) {
            if (left <= 0) {
                break;
            }
            if (skip >= s.length) {
                skip -= s.length;
                continue;
            }
            int n = (int) Math.min(s.length - skip, left);
            if (n > 0) {
                out.add(memory.buffer(s.address + skip, n));
            }
            left -= n;
            skip = 0;
        }
        return out.toArray(ByteBuffer[]::new);
    }
}
