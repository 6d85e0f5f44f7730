package io.jvmm.cluster;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.cert.CertManager;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jvmm.testkit.ProjectRoot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.GeneralName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane on loopback: etcd and kube-apiserver started by kube-api-test,
 * kube-controller-manager beside them (garbage collection, namespace deletion, service accounts),
 * and the project's CRDs from {@code deploy/crds/} installed. There are no nodes, so pods never
 * run; everything the API server and the controllers do themselves is real.
 *
 * <p>Tests get one per run through {@link KubeClusterExtension}; {@link #start()} is public for
 * other harnesses. {@code bin/jvmm-cluster} starts the same binaries with the same authorization,
 * admission and controller settings for people.
 */
public final class KubeControlPlane implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KubeControlPlane.class);

  /**
   * The address at which a process in the KVM sandbox (bin/jvmm-sandbox: QEMU user networking)
   * reaches this host's loopback. The API server's certificate names it beside 127.0.0.1 and
   * localhost, so an agent in the sandbox verifies the server as any other client does.
   */
  public static final String SANDBOX_HOST_ADDRESS = "10.0.2.2";

  /** The front proxy's client certificate names it (--requestheader-allowed-names). */
  public static final String FRONT_PROXY_NAME = "front-proxy-client";
  private static final String FRONT_PROXY_CERT = "front-proxy-client.crt";
  private static final String FRONT_PROXY_KEY = "front-proxy-client.key";

  /** Loaded CI machines have two cores shared with other builds: starting can take a while. */
  private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);

  private static final String ADMIN_KUBECONFIG = "admin.kubeconfig";

  private final KubeBinaries binaries;
  /** Where the control plane's certificates are: its work dir, or the attached one's. */
  private final Path certificates;
  private final Path workDir;
  /** Null when attached to a control plane another process runs ({@link #attach}). */
  private final KubeAPIServer apiServer;
  private final Path adminKubeconfig;
  private final Config adminConfig;
  private final Process controllerManager;
  private final Path controllerManagerLog;
  private final Map<Path, String> refusedCrds = new LinkedHashMap<>();
  private boolean stopped;

  private KubeControlPlane(KubeBinaries binaries, Path certificates, Path workDir, KubeAPIServer apiServer,
      Path adminKubeconfig, Process controllerManager, Path controllerManagerLog) {
    this.binaries = binaries;
    this.certificates = certificates;
    this.workDir = workDir;
    this.apiServer = apiServer;
    this.adminKubeconfig = adminKubeconfig;
    this.adminConfig = Serialization.unmarshal(readString(adminKubeconfig), Config.class);
    this.controllerManager = controllerManager;
    this.controllerManagerLog = controllerManagerLog;
  }

  /** Starts etcd, kube-apiserver and kube-controller-manager and installs the project's CRDs. */
  public static KubeControlPlane start() {
    try {
      return startOnce();
    } catch (io.fabric8.kubeapitest.KubeAPITestException e) {
      // kube-apiserver exited at once, in one CI run of many (2026-12-05), in a JVM whose earlier
      // tests ran sandboxes; it started at the next try. A start costs seconds: one more, on fresh
      // ports and a fresh work dir, said aloud. A second failure fails as before.
      log.warn("the control plane did not start ({}); starting a fresh one", e.getMessage());
      return startOnce();
    }
  }

  private static KubeControlPlane startOnce() {
    long started = System.nanoTime();
    KubeBinaries binaries = KubeBinaries.locate();
    Path workDir = createWorkDir(binaries);
    createCertificates(workDir);
    KubeAPIServer apiServer = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withTestDir(workDir.toString())
        .withApiServerVersion(binaries.version())
        // Set in code: kube-api-test 7.x casts its boolean environment variables to Boolean from
        // String and fails, so these must never come from KUBE_API_TEST_* variables.
        .withOfflineMode(true)
        .withUpdateKubeConfig(false)
        .withWaitForEtcdHealthCheckOnStartup(true)
        .withStartupTimeout((int) STARTUP_TIMEOUT.toMillis())
        // kube-api-test already runs with --authorization-mode RBAC and a client certificate in
        // system:masters; serve on loopback only.
        .withApiServerFlag("--bind-address", "127.0.0.1")
        .withApiServerFlag("--advertise-address", "127.0.0.1")
        // The aggregation layer, as kubeadm sets it up: kube-apiserver authenticates users and
        // proxies requests for an APIService to its server with the front-proxy client
        // certificate and the user in X-Remote-* headers; that server checks the certificate
        // against the request-header CA it reads from kube-system/extension-apiserver-authentication.
        .withApiServerFlag("--requestheader-client-ca-file", workDir.resolve(FRONT_PROXY_CERT).toString())
        .withApiServerFlag("--requestheader-allowed-names", FRONT_PROXY_NAME)
        .withApiServerFlag("--requestheader-username-headers", "X-Remote-User")
        .withApiServerFlag("--requestheader-group-headers", "X-Remote-Group")
        .withApiServerFlag("--requestheader-extra-headers-prefix", "X-Remote-Extra-")
        .withApiServerFlag("--proxy-client-cert-file", workDir.resolve(FRONT_PROXY_CERT).toString())
        .withApiServerFlag("--proxy-client-key-file", workDir.resolve(FRONT_PROXY_KEY).toString())
        .build());
    Process controllerManager = null;
    try {
      apiServer.start();
      Path kubeconfig = workDir.resolve(ADMIN_KUBECONFIG);
      Files.writeString(kubeconfig, apiServer.getKubeConfigYaml());
      Path kcmLog = workDir.resolve("kube-controller-manager.log");
      controllerManager = startControllerManager(binaries, workDir, kubeconfig, kcmLog);
      KubeControlPlane plane = new KubeControlPlane(
          binaries, workDir, workDir, apiServer, kubeconfig, controllerManager, kcmLog);
      Runtime.getRuntime().addShutdownHook(new Thread(plane::stopProcesses, "kube-stop"));
      plane.awaitControllerManager();
      plane.installProjectCrds();
      log.info("Kubernetes {} control plane ready in {} ms (work dir {})", binaries.version(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), workDir);
      return plane;
    } catch (IOException | RuntimeException e) {
      if (controllerManager != null) {
        controllerManager.destroyForcibly();
      }
      apiServer.stop();
      deleteTree(workDir);
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /**
   * The control plane that another process started with {@link #start()} in {@code hostWorkDir},
   * reached from here at {@code host}: a test run in the KVM sandbox uses the host's control
   * plane at {@link #SANDBOX_HOST_ADDRESS} (its certificate names that address; the sandbox sees
   * the host's files read-only). Closing it stops nothing and deletes only its own work dir.
   */
  public static KubeControlPlane attach(Path hostWorkDir, String host) {
    Config admin = Serialization.unmarshal(readString(hostWorkDir.resolve(ADMIN_KUBECONFIG)), Config.class);
    admin.getClusters().forEach(c -> c.getCluster().setServer(
        "https://" + host + ":" + java.net.URI.create(c.getCluster().getServer()).getPort()));
    try {
      Path local = Files.createTempDirectory("jvmm-kube-attached-");
      Path kubeconfig = Files.writeString(local.resolve(ADMIN_KUBECONFIG), Serialization.asYaml(admin));
      return new KubeControlPlane(KubeBinaries.locate(), hostWorkDir, local, null, kubeconfig, null, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot attach to the control plane of " + hostWorkDir, e);
    }
  }

  public KubeBinaries binaries() {
    return binaries;
  }

  /** The API server's serving certificate (self-signed, so also the CA clients trust), PEM. */
  public Path serverCertificate() {
    return certificates.resolve(CertManager.API_SERVER_CERT_NAME);
  }

  /**
   * A kubeconfig for a client that authenticates with a bearer token and reaches the API server
   * at {@code host} (127.0.0.1 here, {@link #SANDBOX_HOST_ADDRESS} from the KVM sandbox), with
   * the server's certificate as its CA: TLS is verified.
   */
  public String tokenKubeconfig(String host, String token, String namespace) {
    int port = java.net.URI.create(adminConfig.getClusters().get(0).getCluster().getServer()).getPort();
    String ca = java.util.Base64.getEncoder().encodeToString(readString(serverCertificate())
        .getBytes(StandardCharsets.UTF_8));
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: jvmm-test
          cluster:
            server: https://%s:%d
            certificate-authority-data: %s
        users:
        - name: token
          user:
            token: %s
        contexts:
        - name: token
          context: {cluster: jvmm-test, user: token, namespace: %s}
        current-context: token
        """.formatted(host, port, ca, token, namespace);
  }

  /**
   * The front proxy's client certificate and key (PEM files): what kube-apiserver presents to
   * aggregated API servers, for tests that play the front proxy, or pretend to.
   */
  public Path frontProxyCertificate() {
    return certificates.resolve(FRONT_PROXY_CERT);
  }

  public Path frontProxyKey() {
    return certificates.resolve(FRONT_PROXY_KEY);
  }

  /** The admin's client certificate and key (PEM files), issued by the client CA, not the front proxy's. */
  public Path adminCertificate() {
    return certificates.resolve(CertManager.CLIENT_CERT_NAME);
  }

  public Path adminKey() {
    return certificates.resolve(CertManager.CLIENT_KEY_NAME);
  }

  /** A kubeconfig for a cluster admin (client certificate in system:masters). */
  public Path adminKubeconfig() {
    return adminKubeconfig;
  }

  /** A new client for a cluster admin whose default namespace is {@code namespace}. */
  public KubernetesClient newClient(String namespace) {
    var config = io.fabric8.kubernetes.client.Config.fromKubeconfig(readString(adminKubeconfig));
    config.setNamespace(namespace);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Writes an admin kubeconfig whose context's namespace is {@code namespace}. */
  public Path writeKubeconfig(String namespace, Path file) {
    Config config = Serialization.unmarshal(Serialization.asYaml(adminConfig), Config.class);
    config.getContexts().forEach(c -> c.getContext().setNamespace(namespace));
    try {
      Files.writeString(file, Serialization.asYaml(config));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kubeconfig " + file, e);
    }
    return file;
  }

  /** kubectl of the control plane's release, bound to {@code kubeconfig}. */
  public Kubectl kubectl(Path kubeconfig) {
    return new Kubectl(binaries.kubectl(), kubeconfig);
  }

  /** Project CRD files the API server refused at start, each with its reason. */
  public Map<Path, String> refusedCrds() {
    return Collections.unmodifiableMap(refusedCrds);
  }

  /** A directory that lives as long as this control plane, for kubeconfigs and logs. */
  public Path workDir() {
    return workDir;
  }

  @Override
  public void close() {
    stopProcesses();
    deleteTree(workDir);
  }

  private synchronized void stopProcesses() {
    if (stopped || apiServer == null) {
      return;
    }
    stopped = true;
    controllerManager.destroy();
    try {
      if (!controllerManager.waitFor(10, TimeUnit.SECONDS)) {
        controllerManager.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      controllerManager.destroyForcibly();
    }
    apiServer.stop();
  }

  private static Path createWorkDir(KubeBinaries binaries) {
    try {
      // kube-api-test keeps its certificates in its test dir and finds binaries under
      // <dir>/k8s/<version>-linux-amd64: a fresh dir per run gives fresh certificates, and a link
      // points it at the shared cache without writing there.
      Path workDir = Files.createTempDirectory("jvmm-kube-");
      Path versions = Files.createDirectories(workDir.resolve("k8s"));
      Files.createSymbolicLink(versions.resolve(binaries.directory().getFileName()),
          binaries.directory());
      return workDir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the control plane's work dir", e);
    }
  }

  /**
   * The certificates kube-api-test would make, made first so that the serving one names every
   * address clients use: kube-api-test's names only 127.0.0.1 and the in-cluster DNS names,
   * and it keeps files it finds.
   */
  private static void createCertificates(Path workDir) {
    CertManager.generateKeyAndCertificate("CN=jvmm-test-apiserver",
        workDir.resolve(CertManager.API_SERVER_KEY_NAME).toFile(),
        workDir.resolve(CertManager.API_SERVER_CERT_NAME).toFile(),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.iPAddress, SANDBOX_HOST_ADDRESS),
        new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.dNSName, "kubernetes"),
        new GeneralName(GeneralName.dNSName, "kubernetes.default"),
        new GeneralName(GeneralName.dNSName, "kubernetes.default.svc"),
        new GeneralName(GeneralName.dNSName, "kubernetes.default.svc.cluster.local"));
    // The client certificate is its own CA (--client-ca-file): a cluster admin.
    CertManager.generateKeyAndCertificate("O=system:masters,CN=kubeapitest",
        workDir.resolve(CertManager.CLIENT_KEY_NAME).toFile(),
        workDir.resolve(CertManager.CLIENT_CERT_NAME).toFile());
    // The front proxy's certificate is its own request-header CA, as the admin's is the client CA.
    CertManager.generateKeyAndCertificate("CN=" + FRONT_PROXY_NAME,
        workDir.resolve(FRONT_PROXY_KEY).toFile(), workDir.resolve(FRONT_PROXY_CERT).toFile());
  }

  private static Process startControllerManager(KubeBinaries binaries, Path workDir,
      Path kubeconfig, Path logFile) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        binaries.kubeControllerManager().toString(),
        "--kubeconfig=" + kubeconfig,
        "--leader-elect=false",
        // No metrics or health endpoint: nothing scrapes it, and a port is one more clash.
        "--secure-port=0",
        // Tokens for service accounts are signed with the key the API server verifies with.
        "--service-account-private-key-file=" + workDir.resolve("apiserver.key"),
        "--root-ca-file=" + workDir.resolve("apiserver.crt"),
        "--use-service-account-credentials=false"));
    log.debug("starting {}", command);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile())
        .start();
  }

  /**
   * Waits until the controllers act: the service-account controller creating {@code default} in
   * {@code default} is the first visible sign that kube-controller-manager is connected.
   */
  private void awaitControllerManager() {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    try (KubernetesClient client = newClient("default")) {
      while (client.serviceAccounts().inNamespace("default").withName("default").get() == null) {
        if (!controllerManager.isAlive()) {
          throw new IllegalStateException("kube-controller-manager exited with "
              + controllerManager.exitValue() + "; its log ends with:\n" + tail(controllerManagerLog));
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("kube-controller-manager did not create the default"
              + " service account within " + STARTUP_TIMEOUT.toSeconds() + " s; log: "
              + controllerManagerLog);
        }
        sleep(200);
      }
    }
  }

  /**
   * Applies every CRD in {@code <project>/deploy/crds/}, or in the directory the system property
   * {@code jvmm.kube.crds} names (none is fine: another module generates them), and waits until
   * the API server serves each. A CRD the API server refuses (a CEL rule over its cost budget,
   * say) is logged as an error and listed in {@link #refusedCrds()}; the control plane still
   * starts, so tests that do not need that CRD still run and those that do fail on it by name.
   */
  private void installProjectCrds() {
    String override = System.getProperty("jvmm.kube.crds");
    Path crdDir = override != null && !override.isBlank()
        ? Path.of(override)
        : ProjectRoot.path().resolve("deploy").resolve("crds");
    if (!Files.isDirectory(crdDir)) {
      log.info("no CRDs to install: {} does not exist", crdDir);
      return;
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(crdDir)) {
      files = list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted(Comparator.naturalOrder()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + crdDir, e);
    }
    try (KubernetesClient client = newClient("default")) {
      List<String> installed = new ArrayList<>();
      for (Path file : files) {
        try (InputStream in = Files.newInputStream(file)) {
          for (HasMetadata item : client.load(in).items()) {
            client.resource(item).fieldManager("jvmm-cluster-testkit").forceConflicts()
                .serverSideApply();
            if (item instanceof CustomResourceDefinition) {
              installed.add(item.getMetadata().getName());
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + file, e);
        } catch (KubernetesClientException e) {
          String why = e.getStatus() != null && e.getStatus().getMessage() != null
              ? e.getStatus().getMessage() : e.getMessage();
          refusedCrds.put(file, why);
          log.error("the API server refused {}: {}", file, why);
        }
      }
      for (String name : installed) {
        client.apiextensions().v1().customResourceDefinitions().withName(name)
            .waitUntilCondition(KubeControlPlane::isEstablished, 60, TimeUnit.SECONDS);
      }
      log.info("installed {} CRDs from {}: {}", installed.size(), crdDir, installed);
    }
  }

  static boolean isEstablished(CustomResourceDefinition crd) {
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String tail(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the control plane", e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }
}
