package io.jvmm.agent.console;

import io.jvmm.agent.qmp.UnixSocketStreams;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A console connection, after the agent said yes: {@link #output()} is the guest's console
 * (scroll-back first), {@link #input()} reaches the guest when {@link #isWriter()}.
 */
public final class ConsoleClient implements Closeable {
  private final Closeable connection;
  private final InputStream in;
  private final OutputStream out;
  private final boolean writer;

  private ConsoleClient(Closeable connection, InputStream in, OutputStream out, boolean writer) {
    this.connection = connection;
    this.in = in;
    this.out = out;
    this.writer = writer;
  }

  /** Over the standalone agent's UNIX socket; {@code request} is any request with op console. */
  public static ConsoleClient local(Path socket, ConsoleRequest request) throws IOException {
    SocketChannel channel = UnixSocketStreams.connect(socket);
    return handshake(channel, UnixSocketStreams.in(channel), UnixSocketStreams.out(channel), request);
  }

  /**
   * Over mutual TLS to an agent's console endpoint, presenting {@code identity} (the console
   * API's client certificate); the agent's certificate must have the fingerprint
   * {@code pinnedSha256}, which the agent publishes on its Node (null: any, tests only).
   */
  public static ConsoleClient remote(InetSocketAddress endpoint, ConsoleRequest request, KeyManager[] identity,
      String pinnedSha256) throws IOException {
    Socket socket;
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(identity, new TrustManager[] {new PinningTrustManager(pinnedSha256)}, null);
      SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket();
      s.connect(endpoint, 10_000);
      s.startHandshake();
      socket = s;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("TLS to " + endpoint + ": " + e.getMessage(), e);
    }
    socket.setTcpNoDelay(true);
    keepAlive(socket);
    return handshake(socket, socket.getInputStream(), socket.getOutputStream(), request);
  }

  /**
   * TCP keep-alives after 30 s of silence, every 10 s, three missed: an idle console keeps its
   * NAT and firewall state, and a dead peer is noticed in about a minute instead of never.
   */
  private static void keepAlive(Socket socket) {
    try {
      socket.setKeepAlive(true);
      if (socket.supportedOptions().contains(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE)) {
        socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 30);
        socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, 10);
        socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // keep-alives are an improvement, not a condition for a console
    }
  }

  private static ConsoleClient handshake(Closeable connection, InputStream in, OutputStream out,
      ConsoleRequest request) throws IOException {
    try {
      ConsoleStreams.writeLine(out, request);
      String line = ConsoleStreams.readLine(in);
      if (line == null) {
        throw new ConsoleRefusedException("the agent closed the connection without an answer");
      }
      ConsoleReply reply = ConsoleStreams.read(line, ConsoleReply.class);
      if (!reply.ok) {
        throw new ConsoleRefusedException(reply.error);
      }
      return new ConsoleClient(connection, in, out, Boolean.TRUE.equals(reply.writer));
    } catch (IOException e) {
      connection.close();
      throw e;
    }
  }

  public InputStream output() {
    return in;
  }

  public OutputStream input() {
    return out;
  }

  public boolean isWriter() {
    return writer;
  }

  @Override
  public void close() throws IOException {
    connection.close();
  }

  /** The agent refused the console: no permission, no such VM. */
  public static final class ConsoleRefusedException extends IOException {
    public ConsoleRefusedException(String message) {
      super(message);
    }
  }

  /** Trusts exactly the certificate with the pinned fingerprint, or any when none is pinned. */
  private record PinningTrustManager(String pinnedSha256) implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("client side only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws java.security.cert.CertificateException {
      if (pinnedSha256 == null) {
        return;
      }
      try {
        String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
        if (!actual.equalsIgnoreCase(pinnedSha256)) {
          throw new java.security.cert.CertificateException("the console endpoint's certificate has fingerprint "
              + actual + ", not the pinned " + pinnedSha256);
        }
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new java.security.cert.CertificateException(e);
      }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
