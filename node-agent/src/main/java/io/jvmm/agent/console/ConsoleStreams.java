package io.jvmm.agent.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The console protocol's framing, shared by the agent's endpoints and its clients: one JSON
 * line each way, then raw bytes. Lines are read byte by byte so that no console byte after
 * the line is swallowed into a reader's buffer.
 */
public final class ConsoleStreams {
  static final ObjectMapper JSON = new ObjectMapper();
  /** A request line longer than this (a token is a few KiB) is refused. */
  static final int MAX_LINE = 64 * 1024;

  private ConsoleStreams() {
  }

  public static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != -1; ) {
      if (b == '\n') {
        return line.toString(StandardCharsets.UTF_8);
      }
      if (line.size() >= MAX_LINE) {
        throw new IOException("request line longer than " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
  }

  public static void writeLine(OutputStream out, Object value) throws IOException {
    out.write((JSON.writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  public static <T> T read(String line, Class<T> type) throws IOException {
    return JSON.readValue(line, type);
  }

  /**
   * Serves an attached client until it or the agent closes: the hub writes the console's
   * output to {@code out}; what the client sends goes to the guest when it is the writer and
   * is dropped otherwise.
   */
  public static void serve(ConsoleHub hub, boolean wantsToWrite, InputStream in, OutputStream out)
      throws IOException {
    // The reply line goes before any console byte, and says whether this client writes.
    ConsoleHub.Viewer viewer = hub.attach(out, wantsToWrite,
        writer -> writeLine(out, ConsoleReply.attached(writer)));
    try {
      byte[] buffer = new byte[4096];
      for (int n; (n = in.read(buffer)) > 0; ) {
        if (viewer.isClosed()) {
          break;
        }
        if (viewer.isWriter()) {
          try {
            viewer.write(buffer, 0, n);
          } catch (IOException e) {
            // The VMM is between runs; keystrokes meanwhile are lost, as on a real serial line.
          }
        }
      }
    } finally {
      viewer.close();
    }
  }
}
