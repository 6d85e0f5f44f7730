package io.jvmm.crds.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The HTTP probes of jvmm's processes, as Kubernetes' httpGet probes ask them: /healthz answers
 * 200 while the process does its work (else the kubelet restarts it), /readyz while it serves
 * (else it is taken out of rotation). A check that throws counts as failing.
 */
public final class HealthEndpoints implements AutoCloseable {
  private final HttpServer server;

  private HealthEndpoints(HttpServer server) {
    this.server = server;
  }

  /** Serves both on {@code address} (port 0 picks one) until closed. */
  public static HealthEndpoints serve(InetSocketAddress address, BooleanSupplier live, BooleanSupplier ready)
      throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    server.createContext("/healthz", exchange -> answer(exchange, live));
    server.createContext("/readyz", exchange -> answer(exchange, ready));
    server.setExecutor(null);
    server.start();
    return new HealthEndpoints(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, BooleanSupplier check) throws IOException {
    boolean ok;
    try {
      ok = check.getAsBoolean();
    } catch (RuntimeException e) {
      ok = false;
    }
    byte[] body = (ok ? "ok\n" : "failing\n").getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
