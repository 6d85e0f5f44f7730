package io.jvmm.agent.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * QEMU Machine Protocol client over a UNIX socket (QEMU's docs/interop/qmp-spec.rst): read the
 * greeting, negotiate with qmp_capabilities, then JSON commands each tagged with an id, and
 * asynchronous events (STOP, RESUME, SHUTDOWN, POWERDOWN) handed to a listener. One reader
 * thread per connection matches replies to commands by id, so events between a command and its
 * reply never confuse the two.
 */
public final class QmpClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path socket;
  private final SocketChannel channel;
  private final OutputStream out;
  private final BufferedReader in;
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final Consumer<JsonNode> events;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Duration timeout;
  private volatile JsonNode greeting;

  private QmpClient(Path socket, SocketChannel channel, Consumer<JsonNode> events, Duration timeout) {
    this.socket = socket;
    this.channel = channel;
    this.out = UnixSocketStreams.out(channel);
    this.in = new BufferedReader(new InputStreamReader(UnixSocketStreams.in(channel), StandardCharsets.UTF_8));
    this.events = events;
    this.timeout = timeout;
  }

  /**
   * Connects, reads the greeting and leaves capabilities negotiation mode. {@code events}
   * receives each event object ({"event": NAME, "data": ..., "timestamp": ...}) on the reader
   * thread; it must not block.
   */
  public static QmpClient connect(Path socket, Consumer<JsonNode> events, Duration timeout) throws IOException {
    SocketChannel channel;
    try {
      channel = UnixSocketStreams.connect(socket);
    } catch (IOException e) {
      throw new IOException("cannot connect to the QMP socket " + socket + ": " + e.getMessage(), e);
    }
    QmpClient client = new QmpClient(socket, channel, events == null ? e -> { } : events, timeout);
    try {
      client.handshake();
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
    return client;
  }

  private void handshake() throws IOException {
    // The greeting comes first and alone, before any command is possible. The reader thread
    // reads it, so that a VMM that accepts but never speaks (stopped, or hung) costs the caller
    // the timeout, not its thread: closing the channel ends the read.
    CompletableFuture<JsonNode> hello = new CompletableFuture<>();
    Thread reader = new Thread(() -> readLoop(hello), "qmp-" + socket.getFileName());
    reader.setDaemon(true);
    reader.start();
    try {
      greeting = hello.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IOException("the VMM sent no QMP greeting on " + socket + " within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for the QMP greeting on " + socket, e);
    }
    execute("qmp_capabilities", null);
  }

  /** The greeting's QMP object: version and capabilities. */
  public JsonNode greeting() {
    return greeting;
  }

  /** Runs one command and returns its "return" value, or throws with QMP's error description. */
  public JsonNode execute(String command, JsonNode arguments) throws QmpException {
    String id = "jvmm-" + ids.incrementAndGet();
    ObjectNode request = JSON.createObjectNode().put("execute", command).put("id", id);
    if (arguments != null) {
      request.set("arguments", arguments);
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    try {
      synchronized (out) {
        out.write((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      JsonNode answer = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (answer.has("error")) {
        JsonNode error = answer.get("error");
        throw new QmpException("QMP " + command + " on " + socket + " failed: " + error.path("desc").asText(),
            error.path("class").asText());
      }
      return answer.get("return");
    } catch (IOException e) {
      if (e instanceof QmpException q) {
        throw q;
      }
      throw new QmpException("QMP " + command + " on " + socket + ": " + e.getMessage(), e);
    } catch (ExecutionException e) {
      throw new QmpException("QMP " + command + " on " + socket + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new QmpException("QMP " + command + " on " + socket + ": no reply within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QmpException("QMP " + command + " on " + socket + ": interrupted", e);
    } finally {
      pending.remove(id);
    }
  }

  /** query-status's "status": running, paused, shutdown, inmigrate, prelaunch... */
  public String queryStatus() throws QmpException {
    return execute("query-status", null).path("status").asText();
  }

  /** Completes when the VMM closes the connection (normally because it exits). */
  public CompletableFuture<Void> onClose() {
    return closed;
  }

  public boolean isOpen() {
    return !closed.isDone();
  }

  private void readLoop(CompletableFuture<JsonNode> hello) {
    Throwable failure = null;
    try {
      String first = in.readLine();
      if (first == null) {
        throw new IOException("the QMP socket " + socket + " closed before the greeting");
      }
      JsonNode greetingMessage = JSON.readTree(first);
      if (!greetingMessage.has("QMP")) {
        throw new IOException("the QMP socket " + socket + " sent no greeting but " + first);
      }
      hello.complete(greetingMessage.get("QMP"));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode message = JSON.readTree(line);
        if (message.has("event")) {
          try {
            events.accept(message);
          } catch (RuntimeException e) {
            // A listener's bug must not stop replies from arriving.
          }
        } else if (message.has("id")) {
          CompletableFuture<JsonNode> reply = pending.get(message.get("id").asText());
          if (reply != null) {
            reply.complete(message);
          }
        }
      }
    } catch (IOException e) {
      failure = e;
    } finally {
      if (!hello.isDone()) {
        hello.completeExceptionally(failure != null ? failure : new IOException("the QMP socket " + socket
            + " closed before the greeting"));
      }
      IOException gone = new IOException("the VMM closed the QMP connection"
          + (failure == null ? "" : ": " + failure.getMessage()));
      pending.values().forEach(f -> f.completeExceptionally(gone));
      closed.complete(null);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing a socket the VMM already closed has nothing to report.
    }
  }
}
