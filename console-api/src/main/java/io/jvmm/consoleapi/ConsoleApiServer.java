package io.jvmm.consoleapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jvmm.agent.console.ConsoleClient;
import io.jvmm.agent.console.ConsoleReply;
import io.jvmm.agent.console.ConsoleRequest;
import io.jvmm.crds.v1alpha1.ConsoleSubresources;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console API's HTTPS server, which only kube-apiserver's front proxy reaches (TLS client
 * certificates of the request-header CA are required): discovery of {@value ConsoleSubresources#PREFIX},
 * and GET .../namespaces/NS/virtualmachines/NAME/console (or consoleview), upgraded to a
 * WebSocket. The first message on it is a text message, the agent's JSON reply (ok and whether
 * this client types, or the error); then binary messages carry the console both ways.
 * Failures before the upgrade are Kubernetes Status objects with their HTTP codes.
 */
public final class ConsoleApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsoleApiServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CONSOLE_PATH = Pattern.compile(Pattern.quote(ConsoleSubresources.PREFIX)
      + "/namespaces/([a-z0-9][-a-z0-9]{0,62})/" + ConsoleSubresources.RESOURCE
      + "/([a-z0-9][-a-z0-9.]{0,252})/(" + ConsoleSubresources.CONSOLE + "|" + ConsoleSubresources.VIEW + ")");
  /** Idle consoles still send a ping now and then, so that proxies on the way keep them open. */
  private static final long PING_MILLIS = 30_000;

  private final Vertx vertx;
  private final HttpServer server;
  private final FrontProxy frontProxy;
  private final ConsoleAccess access;
  private final AgentConsoles agents;

  private ConsoleApiServer(Vertx vertx, HttpServer server, FrontProxy frontProxy, ConsoleAccess access,
      AgentConsoles agents) {
    this.vertx = vertx;
    this.server = server;
    this.frontProxy = frontProxy;
    this.access = access;
    this.agents = agents;
  }

  /**
   * Listens on {@code bind} with the serving certificate and key (PEM), trusting the front
   * proxy's CA for client certificates.
   */
  public static ConsoleApiServer start(InetSocketAddress bind, String servingCertPem, String servingKeyPem,
      FrontProxy frontProxy, ConsoleAccess access, AgentConsoles agents) throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(bind.getHostString()).setPort(bind.getPort())
        .setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(servingCertPem))
            .addKeyValue(Buffer.buffer(servingKeyPem)))
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(frontProxy.caPem())))
        .setClientAuth(ClientAuth.REQUIRED);
    HttpServer server = vertx.createHttpServer(options);
    ConsoleApiServer api = new ConsoleApiServer(vertx, server, frontProxy, access, agents);
    server.requestHandler(api::handle);
    try {
      server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
    log.info("console API on https://{}:{}", bind.getHostString(), server.actualPort());
    return api;
  }

  public int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (path.equals("/healthz") || path.equals("/readyz") || path.equals("/livez")) {
      request.response().end("ok");
      return;
    }
    if (path.equals(ConsoleSubresources.PREFIX) || path.equals(ConsoleSubresources.PREFIX + "/")) {
      json(request, 200, discovery());
      return;
    }
    Matcher console = CONSOLE_PATH.matcher(path);
    if (!console.matches()) {
      json(request, 404, new ApiRefusal(404, "NotFound", "the server could not find the requested resource")
          .status());
      return;
    }
    String namespace = console.group(1);
    String name = console.group(2);
    boolean view = console.group(3).equals(ConsoleSubresources.VIEW);
    boolean upgrade = "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE));
    request.pause();
    vertx.<Session>executeBlocking(() -> authorize(request, namespace, name, view), false).onComplete(result -> {
      if (result.failed()) {
        Throwable why = result.cause();
        ApiRefusal refusal = why instanceof ApiRefusal r ? r : new ApiRefusal(500, "InternalError",
            "the console API failed: " + why.getMessage());
        if (refusal.code() == 500) {
          log.warn("console of {}/{}: {}", namespace, name, why.toString());
        }
        json(request, refusal.code(), refusal.status());
        return;
      }
      if (!upgrade) {
        json(request, 400, new ApiRefusal(400, "BadRequest", "virtualmachines/" + console.group(3)
            + " is a WebSocket: connect with Upgrade: websocket (kubectl vm console does)").status());
        return;
      }
      request.toWebSocket().onSuccess(ws -> relay(ws, result.result())).onFailure(e ->
          log.info("console of {}/{}: the WebSocket upgrade failed: {}", namespace, name, e.getMessage()));
    });
  }

  /** Who asks, may they, and where the VM's console is: everything but the agent itself. */
  private Session authorize(HttpServerRequest request, String namespace, String name, boolean view)
      throws ApiRefusal {
    Caller caller;
    try {
      List<Certificate> peer = request.connection().peerCertificates();
      caller = frontProxy.authenticate(peer, List.copyOf(request.headers().names()), request.headers()::getAll);
    } catch (SSLPeerUnverifiedException | SecurityException e) {
      throw new ApiRefusal(401, "Unauthorized", "not the front proxy: " + e.getMessage());
    }
    String subresource = view ? ConsoleSubresources.VIEW : ConsoleSubresources.CONSOLE;
    try {
      String refusal = access.refusal(caller, namespace, name, subresource);
      if (refusal != null) {
        log.info("console of {}/{} refused: {}", namespace, name, refusal);
        throw new ApiRefusal(403, "Forbidden", ConsoleSubresources.RESOURCE + "." + ConsoleSubresources.GROUP
            + " \"" + name + "\" is forbidden: " + refusal);
      }
      AgentConsoles.Target target = agents.locate(namespace, name);
      ConsoleRequest agentRequest = new ConsoleRequest(namespace, name, !view && !"false".equals(
          request.getParam("write")), caller.user());
      agentRequest.serial = "true".equals(request.getParam("serial"));
      return new Session(target, agentRequest);
    } catch (KubernetesClientException e) {
      throw ApiRefusal.unavailable("the console API cannot ask the API server: " + e.getMessage());
    }
  }

  private record Session(AgentConsoles.Target target, ConsoleRequest request) {
  }

  /** Opens the agent's console and copies between it and the WebSocket until either ends. */
  private void relay(ServerWebSocket ws, Session session) {
    String vm = session.request().namespace + "/" + session.request().name;
    Thread thread = new Thread(() -> {
      ConsoleClient agent;
      try {
        agent = agents.open(session.target(), session.request());
      } catch (ConsoleClient.ConsoleRefusedException e) {
        finish(ws, ConsoleReply.refused(e.getMessage()), false);
        return;
      } catch (Exception e) {
        ConsoleReply reply = ConsoleReply.refused("cannot reach the node agent of node " + session.target().node()
            + " at " + session.target().address() + ": " + e.getMessage());
        finish(ws, reply, true);
        return;
      }
      log.info("console of {} for {} through node {}{}", vm, session.request().user, session.target().node(),
          agent.isWriter() ? "" : " (watching)");
      long ping = vertx.setPeriodic(PING_MILLIS, id -> ws.writePing(Buffer.buffer()));
      KeyRelay keys = new KeyRelay(ws, agent, vm);
      ws.closeHandler(v -> {
        keys.stop();
        closeQuietly(agent);
      });
      ws.binaryMessageHandler(keys::offer);
      ws.textMessageHandler(text -> keys.offer(Buffer.buffer(text)));
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

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void json(HttpServerRequest request, int code, Object body) {
    request.response().setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(json(body));
  }

  /** What GET {@value ConsoleSubresources#PREFIX} answers: discovery, which kube-apiserver also polls for availability. */
  private static Map<String, Object> discovery() {
    return Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", ConsoleSubresources.GROUP + "/" + ConsoleSubresources.VERSION,
        "resources", List.of(subresource(ConsoleSubresources.CONSOLE), subresource(ConsoleSubresources.VIEW)));
  }

  private static Map<String, Object> subresource(String name) {
    return Map.of("name", ConsoleSubresources.RESOURCE + "/" + name, "singularName", "", "namespaced", true, "kind", "",
        "verbs", List.of(ConsoleSubresources.VERB));
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("closing the console API: {}", e.toString());
    }
  }
}
