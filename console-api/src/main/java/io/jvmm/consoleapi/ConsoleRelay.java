package io.jvmm.consoleapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.agent.console.ConsoleClient;
import io.jvmm.agent.console.ConsoleReply;
import io.jvmm.agent.console.ConsoleRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One console session of the console API: the authorized WebSocket on one side, the node
 * agent's console over mutual TLS on the other. The first WebSocket message is the agent's reply
 * as text; then the console's output goes out as binary messages, one at a time (a slow viewer
 * slows only its own session), and what the client sends goes to the agent when it is the writer.
 */
final class ConsoleRelay {
  private static final Logger log = LoggerFactory.getLogger(ConsoleRelay.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Idle consoles still send a ping now and then, so that proxies on the way keep them open. */
  private static final long PING_MILLIS = 30_000;

  private ConsoleRelay() {
  }

  /**
   * Opens the agent's console and copies between it and the WebSocket until either ends. Called
   * on the event loop as the upgrade completes: the socket is read no further until its handlers
   * are set, so what a client sends before the agent's console is open waits instead of being
   * dropped.
   */
  static void start(Vertx vertx, ServerWebSocket ws, AgentConsoles agents, AgentConsoles.Target target,
      ConsoleRequest request) {
    String vm = request.namespace + "/" + request.name;
    ws.pause();
    Thread thread = new Thread(() -> {
      ConsoleClient agent;
      try {
        agent = agents.open(target, request);
      } catch (ConsoleClient.ConsoleRefusedException e) {
        finish(ws, ConsoleReply.refused(e.getMessage()), false);
        return;
      } catch (Exception e) {
        ConsoleReply reply = ConsoleReply.refused("cannot reach the node agent of node " + target.node()
            + " at " + target.address() + ": " + e.getMessage());
        finish(ws, reply, true);
        return;
      }
      log.info("console of {} for {} through node {}{}", vm, request.user, target.node(),
          agent.isWriter() ? "" : " (watching)");
      long ping = vertx.setPeriodic(PING_MILLIS, id -> ws.writePing(Buffer.buffer()));
      KeyRelay keys = new KeyRelay(ws, agent, vm);
      ws.closeHandler(v -> {
        keys.stop();
        closeQuietly(agent);
      });
      ws.binaryMessageHandler(keys::offer);
      ws.textMessageHandler(text -> keys.offer(Buffer.buffer(text)));
      ws.resume();
      try {
        await(ws.writeTextMessage(json(ConsoleReply.attached(agent.isWriter()))));
        byte[] buffer = new byte[8192];
        for (int n; (n = agent.output().read(buffer)) > 0; ) {
          // One message at a time: a slow viewer slows only its own relay, never the agent.
          await(ws.writeBinaryMessage(Buffer.buffer(java.util.Arrays.copyOf(buffer, n))));
        }
        ws.close((short) 1000, "the console ended");
      } catch (Exception e) {
        log.debug("console of {}: {}", vm, e.toString());
        if (!ws.isClosed()) {
          ws.close((short) 1011, "the node agent's connection ended");
        }
      } finally {
        vertx.cancelTimer(ping);
        keys.stop();
        closeQuietly(agent);
      }
    }, "console-" + vm);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Keystrokes to the agent on a thread of the session's own: a write to an agent that does not
   * read (its VMM's console stalled) blocks that thread, never the event loop the other consoles
   * share. Past {@value #KEY_BACKLOG} messages waiting, the WebSocket stops being read, and the
   * typist's TCP window closes, until the agent takes them.
   */
  private static final class KeyRelay {
    private static final int KEY_BACKLOG = 64;
    private static final byte[] STOP = new byte[0];
    private final java.util.concurrent.BlockingQueue<byte[]> queue = new java.util.concurrent.LinkedBlockingQueue<>();
    private final ServerWebSocket ws;
    private final ConsoleClient agent;
    private volatile boolean paused;

    KeyRelay(ServerWebSocket ws, ConsoleClient agent, String vm) {
      this.ws = ws;
      this.agent = agent;
      Thread t = new Thread(this::run, "console-keys-" + vm);
      t.setDaemon(true);
      t.start();
    }

    void offer(Buffer keys) {
      if (!agent.isWriter()) {
        return; // a viewer's keys go nowhere, as on the agent
      }
      queue.add(keys.getBytes());
      if (queue.size() > KEY_BACKLOG && !paused) {
        paused = true;
        ws.pause();
      }
    }

    void stop() {
      queue.add(STOP);
    }

    private void run() {
      try {
        for (byte[] keys; (keys = queue.take()) != STOP; ) {
          agent.input().write(keys);
          agent.input().flush();
          if (paused && queue.size() < KEY_BACKLOG / 4) {
            paused = false;
            ws.resume();
          }
        }
      } catch (java.io.IOException e) {
        closeQuietly(agent);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Sends the one reply a refused or failed console gets, then closes. */
  private static void finish(ServerWebSocket ws, ConsoleReply reply, boolean unavailable) {
    reply.unavailable = unavailable ? Boolean.TRUE : null;
    // Read again, though nothing read is used: the client's answer to the close must get through.
    ws.resume();
    ws.writeTextMessage(json(reply)).onComplete(r -> ws.close((short) 1000, "refused"));
  }

  private static void await(Future<?> write) throws Exception {
    write.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static void closeQuietly(ConsoleClient agent) {
    try {
      agent.close();
    } catch (java.io.IOException e) {
      // already gone
    }
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
