package io.jvmm.crds.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthEndpointsTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void eachProbeAnswersWhatItsCheckSaysNowAndAThrowingCheckFails() throws Exception {
    AtomicBoolean ready = new AtomicBoolean(false);
    try (HealthEndpoints health = HealthEndpoints.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        () -> true, ready::get)) {
      assertThat(get(health, "/healthz")).isEqualTo(200);
      assertThat(get(health, "/readyz")).isEqualTo(503);
      ready.set(true);
      assertThat(get(health, "/readyz")).isEqualTo(200);
    }
    try (HealthEndpoints health = HealthEndpoints.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        () -> {
          throw new IllegalStateException("broken");
        }, () -> true)) {
      assertThat(get(health, "/healthz")).isEqualTo(503);
    }
  }

  private int get(HealthEndpoints health, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
