package io.jvmm.agent.console;

import io.jvmm.agent.VmKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Optional;
import java.util.function.BiFunction;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's network console endpoint: mutual TLS, whose only client is the console API (the
 * aggregated API server behind kube-apiserver that authenticates and authorizes users): the
 * {@link SSLContext} trusts only the certificates of the console client CA, so any other caller
 * fails the handshake and never sends a request. The client sends a {@link ConsoleRequest} line;
 * then the connection is the VM's console. No user credential ever reaches a node.
 */
public final class ConsoleServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);

  private final ServerSocket server;
  private final BiFunction<VmKey, Boolean, Optional<ConsoleHub>> consoles;
  private final String nodeName;
  private volatile boolean closed;

  public ConsoleServer(InetSocketAddress bind, SSLContext mutualTls,
      BiFunction<VmKey, Boolean, Optional<ConsoleHub>> consoles, String nodeName) throws IOException {
    SSLServerSocket tls = (SSLServerSocket) mutualTls.getServerSocketFactory().createServerSocket();
    tls.setNeedClientAuth(true);
    this.server = tls;
    server.setReuseAddress(true);
    server.bind(bind);
    this.consoles = consoles;
    this.nodeName = nodeName;
    Thread acceptor = new Thread(this::accept, "console-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    log.info("serving consoles on {} (mutual TLS: the console API only)", server.getLocalSocketAddress());
  }

  public int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Thread t = new Thread(() -> handle(client), "console-client-" + client.getRemoteSocketAddress());
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) {
          log.warn("console endpoint: {}", e.getMessage());
        }
      }
    }
  }

  private void handle(Socket client) {
    try (client) {
      client.setTcpNoDelay(true);
      // A client that connects and says nothing must not hold a thread for ever.
      client.setSoTimeout(30_000);
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      String line = ConsoleStreams.readLine(in);
      if (line == null) {
        return;
      }
      ConsoleRequest request;
      try {
        request = ConsoleStreams.read(line, ConsoleRequest.class);
      } catch (IOException e) {
        ConsoleStreams.writeLine(out, ConsoleReply.refused("the first line must be a JSON console request: "
            + e.getMessage()));
        return;
      }
      if (request.namespace == null || request.name == null) {
        ConsoleStreams.writeLine(out, ConsoleReply.refused("the request needs namespace and name"));
        return;
      }
      log.info("console of {}/{} for {}{}", request.namespace, request.name,
          request.user == null ? "(unnamed user)" : request.user, request.write ? "" : " (watching)");
      Optional<ConsoleHub> hub = consoles.apply(new VmKey(request.namespace, request.name), request.serial);
      if (hub.isEmpty()) {
        ConsoleStreams.writeLine(out, ConsoleReply.refused("no VM " + request.namespace + "/" + request.name
            + " runs on node " + nodeName));
        return;
      }
      client.setSoTimeout(0);
      ConsoleStreams.serve(hub.get(), request.write, in, out);
    } catch (SocketException e) {
      log.debug("console client went away: {}", e.getMessage());
    } catch (IOException e) {
      log.info("console client: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
  }
}
