package io.jvmm.consoleapi;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jvmm.agent.console.ConsoleRequest;
import io.jvmm.agent.pki.Pem;
import io.jvmm.crds.v1alpha1.ConsoleSubresources;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
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
  private static final Pattern CONSOLE_PATH = Pattern.compile(Pattern.quote(ConsoleSubresources.PREFIX)
      + "/namespaces/([a-z0-9][-a-z0-9]{0,62})/" + ConsoleSubresources.RESOURCE
      + "/([a-z0-9][-a-z0-9.]{0,252})/(" + ConsoleSubresources.CONSOLE + "|" + ConsoleSubresources.VIEW + ")");

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
   * The console API of the cluster {@code client} reaches, as its service account: the front
   * proxy's settings read from the cluster, users authorized there, and agents reached with
   * the client certificate and key (PEM).
   */
  public static ConsoleApiServer start(InetSocketAddress bind, KubernetesClient client, String servingCertPem,
      String servingKeyPem, String agentClientCertPem, String agentClientKeyPem) throws Exception {
    return start(bind, servingCertPem, servingKeyPem, FrontProxy.load(client), new ConsoleAccess(client),
        new AgentConsoles(client, Pem.keyManagers(agentClientCertPem, agentClientKeyPem,
            "the agents' client certificate")));
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
      if (result.failed() || !upgrade) {
        // Paused for the blocking checks; answered here, the connection must read its next request.
        request.resume();
      }
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
      request.toWebSocket().onSuccess(ws -> ConsoleRelay.start(vertx, ws, agents, result.result().target(),
          result.result().request())).onFailure(e ->
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

  private static void json(HttpServerRequest request, int code, Object body) {
    request.response().setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(ConsoleRelay.json(body));
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
