package io.jvmm.kubectl;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jvmm.agent.console.ConsoleClient;
import io.jvmm.agent.console.ConsoleReply;
import io.jvmm.crds.v1alpha1.ConsoleSubresources;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A VM's console through the API server: a WebSocket to the subresource
 * virtualmachines/console (or consoleview) of subresources.jvmm.io, which kube-apiserver
 * authenticates as it does any request of this kubeconfig's user (token, client certificate,
 * exec plugin; through kubectl proxy too) and hands to jvmm's console API. The first message is
 * the reply (ok and whether this client types, or why not); then binary messages both ways.
 */
final class ApiConsole implements ConsoleStream {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<ConsoleReply> reply = new CompletableFuture<>();
  private volatile WebSocket socket;
  private volatile String closedBecause;
  private volatile boolean writer;
  private final InputStream output = new Output();
  private final OutputStream input = new Input();

  private ApiConsole() {
  }

  /**
   * Opens it. Refusals by the API server come as {@link ConsoleSession.GiveUp} with kubectl's
   * wording; by the agent as {@link ConsoleClient.ConsoleRefusedException}; passing trouble
   * (the console API or the node agent unreachable) as other IOExceptions, worth another try.
   */
  static ApiConsole open(KubernetesClient client, String namespace, String name, boolean view, boolean serial)
      throws IOException {
    String base = client.getMasterUrl().toString().replaceAll("/+$", "");
    URI uri = URI.create(base + ConsoleSubresources.path(namespace, name, view) + (serial ? "?serial=true" : ""));
    HttpClient http = client.getHttpClient();
    ApiConsole console = new ApiConsole();
    try {
      console.socket = http.newWebSocketBuilder().uri(uri).connectTimeout(30, TimeUnit.SECONDS)
          .buildAsync(console.new Listener()).get(60, TimeUnit.SECONDS);
      ConsoleReply answer = console.reply.get(60, TimeUnit.SECONDS);
      if (!answer.ok) {
        console.close();
        if (Boolean.TRUE.equals(answer.unavailable)) {
          throw new IOException(answer.error);
        }
        throw new ConsoleClient.ConsoleRefusedException(answer.error);
      }
      console.writer = Boolean.TRUE.equals(answer.writer);
      console.socket.request();
      return console;
    } catch (ExecutionException e) {
      console.close();
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        throw refusal(http, uri, refused.getResponse().code(), base);
      }
      throw e.getCause() instanceof IOException io ? io : new IOException(ApiErrors.rootMessage(e), e);
    } catch (TimeoutException e) {
      console.close();
      throw new IOException("no answer from " + base + " within a minute");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * Why the API server did not upgrade: the WebSocket client keeps no body, so the same GET
   * without the upgrade fetches the Status, which says it in the API server's words.
   */
  private static IOException refusal(HttpClient http, URI uri, int code, String server) {
    Status status = null;
    try {
      HttpResponse<String> plain = http.sendAsync(http.newHttpRequestBuilder().uri(uri).build(), String.class)
          .get(30, TimeUnit.SECONDS);
      if (plain.code() == code && plain.body() != null && plain.body().contains("\"Status\"")) {
        status = Serialization.unmarshal(plain.body(), Status.class);
      }
    } catch (Exception e) {
      // the code alone must do
    }
    KubernetesClientException api = status != null ? new KubernetesClientException(status)
        : new KubernetesClientException("HTTP " + code, code, null);
    String said = ApiErrors.describe(api, server);
    if (code == 404 && (status == null || status.getMessage() == null
        || !status.getMessage().contains("virtualmachines"))) {
      return new ConsoleSession.GiveUp(said + " (the cluster serves no " + ConsoleSubresources.API_SERVICE
          + ": install jvmm's console API, deploy/console-api/)");
    }
    if (code == 503 || code == 502 || code == 500) {
      return new IOException(said.replaceFirst("^Error from server \\([^)]*\\): ", "")
          + (said.contains("jvmm") ? "" : " (is jvmm's console API running? kubectl get apiservice "
              + ConsoleSubresources.API_SERVICE + ")"));
    }
    return new ConsoleSession.GiveUp(said);
  }

  @Override
  public InputStream output() {
    return output;
  }

  @Override
  public OutputStream input() {
    return input;
  }

  @Override
  public boolean isWriter() {
    return writer;
  }

  @Override
  public void close() {
    WebSocket ws = socket;
    if (ws != null) {
      ws.sendClose(1000, "leaving");
    }
    received.offer(END);
  }

  private final class Listener implements WebSocket.Listener {
    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request();
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      if (!reply.isDone()) {
        try {
          reply.complete(JSON.readValue(text, ConsoleReply.class));
        } catch (IOException e) {
          reply.completeExceptionally(new IOException("the console API's first message is not a reply: " + text));
        }
        return; // the next message is requested once the caller has the reply
      }
      received.offer(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteBuffer bytes) {
      byte[] copy = new byte[bytes.remaining()];
      bytes.get(copy);
      received.offer(copy);
    }

    @Override
    public void onClose(WebSocket webSocket, int code, String reason) {
      closedBecause = "closed by the console API (" + code + (reason == null || reason.isBlank() ? "" : ": " + reason)
          + ")";
      reply.completeExceptionally(new IOException(closedBecause));
      received.offer(END);
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closedBecause = ApiErrors.rootMessage(error);
      reply.completeExceptionally(error instanceof IOException io ? io : new IOException(closedBecause, error));
      received.offer(END);
    }
  }

  /** The console's output as a stream; each message taken asks the socket for the next one. */
  private final class Output extends InputStream {
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
      while (position == current.length) {
        if (ended) {
          return -1;
        }
        try {
          current = received.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
        position = 0;
        if (current == END) {
          ended = true;
          received.offer(END);
          if (closedBecause != null && !closedBecause.startsWith("closed by the console API (1000")) {
            throw new IOException(closedBecause);
          }
          return -1;
        }
        socket.request();
      }
      int n = Math.min(length, current.length - position);
      System.arraycopy(current, position, into, offset, n);
      position += n;
      return n;
    }
  }

  /** Keys to the guest: each write is one binary message. */
  private final class Input extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      if (!socket.send(ByteBuffer.wrap(bytes.clone(), offset, length))) {
        throw new IOException(closedBecause != null ? closedBecause : "the console is closed");
      }
    }
  }
}
