package io.jvmm.agent.console;

/**
 * The last {@code capacity} bytes of a console, so that a viewer who attaches late sees what
 * the guest printed before (its login prompt, the boot messages).
 */
public final class ScrollBack {
  private final byte[] ring;
  private long written;

  public ScrollBack(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("scroll-back capacity must be positive, not " + capacity);
    }
    this.ring = new byte[capacity];
  }

  public synchronized void append(byte[] data, int offset, int length) {
    if (length >= ring.length) {
      // Only the last capacity bytes survive; the oldest of them sits where the next write goes.
      written += length;
      int next = (int) (written % ring.length);
      int from = offset + length - ring.length;
      for (int i = 0; i < ring.length; i++) {
        ring[(next + i) % ring.length] = data[from + i];
      }
      return;
    }
    int pos = (int) (written % ring.length);
    int first = Math.min(length, ring.length - pos);
    System.arraycopy(data, offset, ring, pos, first);
    System.arraycopy(data, offset + first, ring, 0, length - first);
    written += length;
  }

  /** Everything kept, oldest first. */
  public synchronized byte[] snapshot() {
    int size = (int) Math.min(written, ring.length);
    byte[] out = new byte[size];
    int start = (int) ((written - size) % ring.length);
    int first = Math.min(size, ring.length - start);
    System.arraycopy(ring, start, out, 0, first);
    System.arraycopy(ring, 0, out, first, size - first);
    return out;
  }

  /** How many bytes ever went through, kept or not. */
  public synchronized long total() {
    return written;
  }
}
