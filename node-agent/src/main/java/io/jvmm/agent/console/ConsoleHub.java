package io.jvmm.agent.console;

import io.jvmm.agent.qmp.UnixSocketStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VM's console, shared: the agent holds the only connection to the VMM's console socket
 * (a chardev server accepts one client), keeps a scroll-back buffer and a log file, and fans the
 * output out to any number of viewers. One viewer at a time may type; the others only watch,
 * as with virsh console's single writer. A slow viewer is dropped rather than allowed to stall
 * the guest's output for everyone.
 */
public final class ConsoleHub implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsoleHub.class);
  private static final int VIEWER_QUEUE = 1024;

  private final String name;
  private final Path logFile;
  private final ScrollBack scrollBack;
  private final List<Viewer> viewers = new CopyOnWriteArrayList<>();
  private final Object writerLock = new Object();
  private Viewer writer;
  private volatile SocketChannel vmm;
  private volatile OutputStream toVmm;
  private volatile boolean closed;
  private Thread reader;

  /** name for logs; logFile receives everything the guest prints (null: none). */
  public ConsoleHub(String name, Path logFile, int scrollBackBytes) {
    this.name = name;
    this.logFile = logFile;
    this.scrollBack = new ScrollBack(scrollBackBytes);
    // After an agent restart the guest's earlier output is in the log: start the scroll-back
    // from its end so that a viewer still sees the prompt.
    if (logFile != null && Files.isRegularFile(logFile)) {
      try {
        long size = Files.size(logFile);
        int keep = (int) Math.min(size, scrollBackBytes);
        try (var ch = Files.newByteChannel(logFile)) {
          ch.position(size - keep);
          var buffer = java.nio.ByteBuffer.allocate(keep);
          while (buffer.hasRemaining() && ch.read(buffer) > 0) {
            // fill
          }
          scrollBack.append(buffer.array(), 0, buffer.position());
        }
      } catch (IOException e) {
        log.debug("{}: no scroll-back from {}: {}", name, logFile, e.getMessage());
      }
    }
  }

  /**
   * Connects to the VMM's console socket (retrying while the VMM creates it) and starts copying
   * its output; a previous connection, to an earlier VMM of the VM, is dropped.
   */
  public synchronized void connect(Path socket, Duration patience) throws IOException {
    disconnectVmm();
    long deadline = System.nanoTime() + patience.toNanos();
    IOException last = null;
    boolean first = true;
    while ((first || System.nanoTime() < deadline) && !closed) {
      first = false;
      try {
        SocketChannel channel = UnixSocketStreams.connect(socket);
        vmm = channel;
        toVmm = UnixSocketStreams.out(channel);
        reader = new Thread(() -> pump(channel), "console-" + name);
        reader.setDaemon(true);
        reader.start();
        return;
      } catch (IOException e) {
        last = e;
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new IOException("cannot connect to the console socket " + socket + " of " + name
        + (last == null ? "" : ": " + last.getMessage()));
  }

  /**
   * Connects from a thread of its own, trying every 20 ms while {@code keepTrying} holds: a
   * VMM that is a JVM may take seconds to create its socket (far more in the nested sandbox),
   * and the guest's first words are lost unless someone reads them.
   */
  public void connectInBackground(Path socket, java.util.function.BooleanSupplier keepTrying) {
    synchronized (this) {
      disconnectVmm();
    }
    Thread t = new Thread(() -> {
      while (!closed && keepTrying.getAsBoolean()) {
        try {
          connect(socket, Duration.ofMillis(1));
          return;
        } catch (IOException e) {
          try {
            Thread.sleep(20);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }, "console-connect-" + name);
    t.setDaemon(true);
    t.start();
  }

  public boolean isConnected() {
    SocketChannel c = vmm;
    return c != null && c.isOpen();
  }

  private void pump(SocketChannel channel) {
    byte[] buffer = new byte[8192];
    try (InputStream in = UnixSocketStreams.in(channel);
        OutputStream file = logFile == null ? OutputStream.nullOutputStream()
            : Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      for (int n; (n = in.read(buffer, 0, buffer.length)) > 0; ) {
        file.write(buffer, 0, n);
        file.flush();
        byte[] chunk = java.util.Arrays.copyOf(buffer, n);
        synchronized (scrollBack) {
          scrollBack.append(chunk, 0, n);
          for (Viewer v : viewers) {
            v.offer(chunk);
          }
        }
      }
    } catch (IOException e) {
      log.debug("{}: console connection ended: {}", name, e.getMessage());
    }
  }

  /**
   * Attaches a viewer: it first gets the scroll-back, then everything the guest prints.
   * When {@code wantsToWrite} and nobody writes yet, it becomes the writer; see
   * {@link Viewer#isWriter()}.
   */
  public Viewer attach(OutputStream sink, boolean wantsToWrite) {
    try {
      return attach(sink, wantsToWrite, writer -> { });
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A preamble written to a viewer's sink before any console byte, once its role is known. */
  public interface Preamble {
    void write(boolean writer) throws IOException;
  }

  /** As {@link #attach(OutputStream, boolean)}, with {@code preamble} written first. */
  public Viewer attach(OutputStream sink, boolean wantsToWrite, Preamble preamble) throws IOException {
    Viewer v = new Viewer(sink);
    synchronized (writerLock) {
      if (wantsToWrite && writer == null) {
        writer = v;
        v.writer = true;
      }
    }
    try {
      preamble.write(v.writer);
    } catch (IOException e) {
      detach(v);
      throw e;
    }
    // Scroll-back and live output must neither overlap nor leave a gap: take the snapshot and
    // join the fan-out under the scroll-back's lock, which append() holds too.
    synchronized (scrollBack) {
      v.offer(scrollBack.snapshot());
      viewers.add(v);
    }
    v.start();
    return v;
  }

  /** Everything kept in the scroll-back, oldest first. */
  public byte[] scrollBack() {
    return scrollBack.snapshot();
  }

  public int viewerCount() {
    return viewers.size();
  }

  private void detach(Viewer v) {
    viewers.remove(v);
    synchronized (writerLock) {
      if (writer == v) {
        writer = null;
      }
    }
  }

  private void disconnectVmm() {
    SocketChannel c = vmm;
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // already closed by the VMM
      }
    }
    vmm = null;
    toVmm = null;
  }

  @Override
  public synchronized void close() {
    closed = true;
    disconnectVmm();
    viewers.forEach(Viewer::close);
  }

  /** One attached client. */
  public final class Viewer implements AutoCloseable {
    private final OutputStream sink;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(VIEWER_QUEUE);
    private volatile boolean writer;
    private volatile boolean gone;
    private final Thread sender;

    private Viewer(OutputStream sink) {
      this.sink = sink;
      this.sender = new Thread(this::send, "console-viewer-" + name);
      sender.setDaemon(true);
    }

    private void start() {
      sender.start();
    }

    public boolean isWriter() {
      return writer;
    }

    public boolean isClosed() {
      return gone;
    }

    /** Sends keystrokes to the guest; refused unless this viewer is the writer. */
    public void write(byte[] data, int offset, int length) throws IOException {
      if (!writer) {
        throw new IOException("this console viewer is read-only; another client holds the console's input");
      }
      OutputStream out = toVmm;
      if (out == null) {
        throw new IOException("the VMM of " + name + " is not running");
      }
      synchronized (writerLock) {
        out.write(data, offset, length);
      }
    }

    private void offer(byte[] chunk) {
      if (chunk.length > 0 && !gone && !queue.offer(chunk)) {
        log.info("{}: dropping a console viewer that does not keep up", name);
        close();
      }
    }

    private void send() {
      try {
        while (!gone) {
          byte[] chunk = queue.poll(200, TimeUnit.MILLISECONDS);
          if (chunk != null) {
            sink.write(chunk);
            sink.flush();
          }
        }
      } catch (IOException | InterruptedException e) {
        close();
      }
    }

    @Override
    public void close() {
      if (gone) {
        return;
      }
      gone = true;
      detach(this);
      try {
        sink.close();
      } catch (IOException e) {
        // the client went away first
      }
    }
  }
}
