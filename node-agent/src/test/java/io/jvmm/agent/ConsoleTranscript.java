package io.jvmm.agent;

import static org.awaitility.Awaitility.await;

import io.jvmm.agent.console.ConsoleClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything a console client received, collected by a thread of its own so that a test can
 * wait for text with a deadline instead of blocking in read.
 */
public final class ConsoleTranscript {
  private final OutputStream keys;
  private final StringBuilder text = new StringBuilder();

  public ConsoleTranscript(ConsoleClient client) {
    this(client.output(), client.input());
  }

  /** Over any console: {@code output} the guest's, {@code keys} to it (a kubectl vm console's stdout and stdin). */
  public ConsoleTranscript(InputStream output, OutputStream keys) {
    this.keys = keys;
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[4096];
      try {
        InputStream in = output;
        for (int n; (n = in.read(buffer)) > 0; ) {
          synchronized (text) {
            text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
          }
        }
      } catch (IOException e) {
        // closed
      }
    }, "console-transcript");
    t.setDaemon(true);
    t.start();
  }

  public String text() {
    synchronized (text) {
      return text.toString();
    }
  }

  public void awaitText(String expected, Duration within) {
    await().atMost(within).pollInterval(Duration.ofMillis(100))
        .alias("'" + expected + "' on the console").until(() -> text().contains(expected));
  }

  /**
   * Types {@code line} until the output after it matches {@code pattern} (a shell that is not
   * up yet drops keystrokes); returns the first group of the match. The scroll-back may still be
   * arriving: make the pattern match only this question's answer.
   */
  public String typeUntil(String line, Pattern pattern, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      int from = text().length();
      try {
        keys.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        keys.flush();
      } catch (IOException e) {
        throw new AssertionError("cannot type on the console", e);
      }
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < until) {
        Matcher m = pattern.matcher(text().substring(from));
        if (m.find()) {
          return m.groupCount() > 0 ? m.group(1) : m.group();
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
    throw new AssertionError("no " + pattern + " after typing '" + line + "'; the console showed:\n" + text());
  }
}
