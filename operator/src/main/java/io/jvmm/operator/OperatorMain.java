package io.jvmm.operator;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The operator process: reads its kubeconfig or in-cluster account as kubectl does, runs the
 * reconciler, and answers /healthz (the process lives) and /readyz (its informers have synced)
 * for the Deployment's probes.
 */
public final class OperatorMain {
    private OperatorMain() {}

    public static void main(String[] args) throws IOException {
        OperatorSettings settings = OperatorSettings.fromEnvironment(System.getenv());
        KubernetesClient client = new KubernetesClientBuilder().build();
        Operator operator = JvmmOperator.create(client, settings, true);
        Runtime.getRuntime().addShutdownHook(new Thread(operator::stop, "operator-shutdown"));
        serveHealth(settings.healthPort(), operator);
        operator.start();
    }

    private static void serveHealth(int port, Operator operator) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/healthz", exchange -> answer(exchange, true));
        server.createContext("/readyz", exchange -> answer(exchange, operator.getRuntimeInfo().allEventSourcesAreHealthy()));
        server.setExecutor(null);
        server.start();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, boolean ok) throws IOException {
        byte[] body = (ok ? "ok\n" : "not ready\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
