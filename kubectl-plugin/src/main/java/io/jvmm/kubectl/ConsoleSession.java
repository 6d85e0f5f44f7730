package io.jvmm.kubectl;

import io.jvmm.agent.console.ConsoleClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;

/**
 * One user at a VM's console for as long as they want it: through connection drops (it
 * connects again, to wherever the VM runs then), until Ctrl-] on a terminal, or, without a
 * terminal, until standard input ends and the console has been quiet for the linger time.
 *
 * <p>On a terminal the terminal is raw (every key, Ctrl-C included, goes to the guest). Without
 * one, bytes pass both ways unchanged, so scripts can drive a guest's shell.
 */
final class ConsoleSession {
  /** Ctrl-], as virsh console and telnet. */
  static final int ESCAPE = 0x1d;
  /** How much of what was shown is remembered to find where to go on after a reconnect. */
  private static final int ANCHOR = 256;
  private static final int TAIL = 4096;
  private static final long RESYNC_QUIET_MILLIS = 500;

  /** Opens a console connection; resolves the VM's node again each time. */
  interface Connector {
    ConsoleStream connect() throws IOException;
  }

  private final Connector connector;
  private final boolean terminal;
  private final InputStream keys;
  private final PrintStream screen;
  private final PrintWriter messages;
  private final boolean reconnect;
  private final long lingerMillis;
  private final Object lock = new Object();

  private volatile ConsoleStream current;
  private volatile boolean leaving;
  private volatile long keysEndedAt;
  private volatile long lastOutputAt = System.currentTimeMillis();
  private final byte[] tail = new byte[TAIL];
  private int tailLength;
  /** After a reconnect: what arrived before the place to go on from was found. Under lock. */
  private ByteArrayOutputStream pending;

  ConsoleSession(Connector connector, boolean terminal, InputStream keys, PrintStream screen, PrintWriter messages,
      boolean reconnect, long lingerMillis) {
    this.connector = connector;
    this.terminal = terminal;
    this.keys = keys;
    this.screen = screen;
    this.messages = messages;
    this.reconnect = reconnect;
    this.lingerMillis = lingerMillis;
  }

  /** Runs the session; the first connection's failure is thrown, later ones are retried. */
  int run(String what) throws IOException, InterruptedException {
    current = connector.connect();
    say("Connected to " + what + (current.isWriter() ? "" : " (read-only: another client types)"));
    say(terminal ? "Escape character is ^]" : "Standard input is not a terminal: piping both ways");
    if (terminal) {
      stty("raw", "-echo");
    }
    try {
      Thread keyPump = new Thread(this::pumpKeys, "console-keys");
      keyPump.setDaemon(true);
      keyPump.start();
      Thread quiet = new Thread(this::watchQuiet, "console-quiet");
      quiet.setDaemon(true);
      quiet.start();
      boolean resync = false;
      while (true) {
        String lost = pumpOutput(current, resync);
        closeQuietly(current);
        if (leaving) {
          return 0;
        }
        if (!reconnect) {
          say("Connection to the console lost: " + lost);
          return 1;
        }
        say("Connection to the console lost (" + lost + "); connecting again...");
        current = reconnect();
        if (current == null) {
          return leaving ? 0 : 1;
        }
        say("Connected again" + (current.isWriter() ? "" : " (read-only)"));
        resync = true;
      }
    } finally {
      if (terminal) {
        stty("sane");
      }
      messages.println();
      messages.flush();
    }
  }

  private ConsoleStream reconnect() throws InterruptedException {
    long delay = 500;
    while (!leaving) {
      try {
        return connector.connect();
      } catch (ConsoleClient.ConsoleRefusedException e) {
        say("The node agent refused the console: " + e.getMessage());
        return null;
      } catch (GiveUp e) {
        say(e.getMessage());
        return null;
      } catch (IOException | RuntimeException e) {
        say("Still not connected (" + ApiErrors.rootMessage(e) + "); trying again in " + delay + " ms");
        Thread.sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
    return null;
  }

  /**
   * Copies the console to the screen until the connection ends; returns why it ended. After a
   * reconnect the agent sends its scroll-back again: the bytes after the last thing shown are
   * found in it and only those are shown. When it does not hold that (a new VMM run, or more
   * than the scroll-back went by), everything is shown once the console is quiet for a moment.
   */
  private String pumpOutput(ConsoleStream client, boolean resync) {
    InputStream from = client.output();
    byte[] buffer = new byte[8192];
    synchronized (lock) {
      pending = resync ? new ByteArrayOutputStream() : null;
    }
    try {
      for (int n; (n = from.read(buffer)) > 0; ) {
        lastOutputAt = System.currentTimeMillis();
        synchronized (lock) {
          if (pending != null) {
            pending.write(buffer, 0, n);
            byte[] all = pending.toByteArray();
            int at = afterAnchor(all);
            if (at >= 0) {
              pending = null;
              show(all, at, all.length - at);
            }
            continue;
          }
          show(buffer, 0, n);
        }
      }
      return "closed by the node agent";
    } catch (IOException e) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    } finally {
      flushPending();
    }
  }

  private void flushPending() {
    synchronized (lock) {
      if (pending != null && pending.size() > 0) {
        show(pending.toByteArray(), 0, pending.size());
      }
      pending = null;
    }
  }

  /** Where the bytes after the last occurrence of what was shown last begin, or -1. */
  private int afterAnchor(byte[] incoming) {
    {
      int len = Math.min(ANCHOR, tailLength);
      if (len == 0) {
        return 0;
      }
      byte[] anchor = Arrays.copyOfRange(tail, tailLength - len, tailLength);
      for (int i = incoming.length - len; i >= 0; i--) {
        if (Arrays.equals(incoming, i, i + len, anchor, 0, len)) {
          return i + len;
        }
      }
      return -1;
    }
  }

  private void show(byte[] b, int off, int len) {
    screen.write(b, off, len);
    screen.flush();
    synchronized (lock) {
      if (len >= TAIL) {
        System.arraycopy(b, off + len - TAIL, tail, 0, TAIL);
        tailLength = TAIL;
      } else {
        int keep = Math.min(tailLength, TAIL - len);
        System.arraycopy(tail, tailLength - keep, tail, 0, keep);
        System.arraycopy(b, off, tail, keep, len);
        tailLength = keep + len;
      }
    }
  }

  private void pumpKeys() {
    byte[] buffer = new byte[1024];
    try {
      for (int n; (n = keys.read(buffer)) > 0; ) {
        int send = n;
        if (terminal) {
          for (int i = 0; i < n; i++) {
            if (buffer[i] == ESCAPE) {
              send = i;
              leaving = true;
              break;
            }
          }
        }
        ConsoleStream to = current;
        if (send > 0 && to != null && to.isWriter()) {
          try {
            to.input().write(buffer, 0, send);
            to.input().flush();
          } catch (IOException e) {
            // the connection dropped; keys typed meanwhile are lost, as on a serial line
          }
        }
        if (leaving) {
          closeQuietly(current);
          return;
        }
      }
    } catch (IOException e) {
      // standard input failed: treat as ended
    }
    keysEndedAt = System.currentTimeMillis();
  }

  /**
   * Shows a reconnect's scroll-back that did not hold the last thing shown once the console is
   * quiet; without a terminal, leaves once input has ended and the console was quiet for the
   * linger time.
   */
  private void watchQuiet() {
    while (!leaving) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      long ended = keysEndedAt;
      long now = System.currentTimeMillis();
      if (now - lastOutputAt >= RESYNC_QUIET_MILLIS) {
        flushPending();
      }
      if (lingerMillis >= 0 && ended > 0 && now - ended >= lingerMillis && now - lastOutputAt >= lingerMillis) {
        leaving = true;
        closeQuietly(current);
      }
    }
  }

  private void say(String line) {
    messages.print(line + (terminal ? "\r\n" : "\n"));
    messages.flush();
  }

  private static void closeQuietly(ConsoleStream client) {
    if (client != null) {
      try {
        client.close();
      } catch (IOException e) {
        // closing
      }
    }
  }

  private static void stty(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("stty"));
    cmd.addAll(List.of(args));
    new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/tty")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
        .start().waitFor();
  }

  /** A reason to stop trying: the VM is gone. Its message is shown as it is. */
  static class GiveUp extends IOException {
    GiveUp(String message) {
      super(message);
    }
  }
}
