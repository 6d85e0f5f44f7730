package io.jvmm.vmm.virtio;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code amount} tokens per {@code periodNanos}, at most one period's worth
 * stored. The block device's IOPS limit and the entropy device's bytes-per-period limit are
 * both this; a device asks for tokens and, when refused, waits the time it is told.
 */
public final class RateLimiter {
    private final long amount, periodNanos, capacity;
    private final LongSupplier clock;
    private double tokens;
    private long last;

    public RateLimiter(long amount, long periodNanos, long capacity, LongSupplier clock) {
        if (amount <= 0 || periodNanos <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("rate limit needs positive amount, period and capacity");
        }
        this.amount = amount;
        this.periodNanos = periodNanos;
        this.capacity = capacity;
        this.clock = clock;
        this.last = clock.getAsLong();
        this.tokens = capacity;
    }

    /** {@code amount} per {@code periodNanos}, bursting to a tenth of a period's worth (at least one). */
    public static RateLimiter of(long amount, long periodNanos) {
        return new RateLimiter(amount, periodNanos, Math.max(1, amount / 10), System::nanoTime);
    }

    private void refill() {
        long now = clock.getAsLong();
        tokens = Math.min(capacity, tokens + (double) (now - last) * amount / periodNanos);
        last = now;
    }

    /** Takes up to {@code wanted} tokens; returns how many it took (0 when the bucket is empty). */
    public long take(long wanted) {
        refill();
        long n = (long) Math.min(wanted, Math.floor(tokens));
        tokens -= n;
        return n;
    }

    /** Takes {@code n} tokens (at most the bucket's capacity) if all are there; else takes none and returns false. */
    public boolean takeAll(long n) {
        refill();
        long wanted = Math.min(n, capacity);
        if (tokens < wanted) {
            return false;
        }
        tokens -= wanted;
        return true;
    }

    /** The most tokens one {@link #takeAll} can give. */
    public long capacity() {
        return capacity;
    }

    /** Nanoseconds until at least one whole token is in the bucket. */
    public long nanosUntilToken() {
        return nanosUntil(1);
    }

    /** Nanoseconds until {@code n} tokens (at most the capacity) are in the bucket. */
    public long nanosUntil(long n) {
        refill();
        double wanted = Math.min(n, capacity);
        return tokens >= wanted ? 0 : (long) Math.ceil((wanted - tokens) * periodNanos / amount);
    }
}
