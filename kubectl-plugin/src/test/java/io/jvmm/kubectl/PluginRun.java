package io.jvmm.kubectl;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.jvmm.cluster.ClusterNamespace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** kubectl vm run through its picocli entry point, as the launcher runs it, with captured output. */
record PluginRun(int exitCode, String stdout, String stderr) {

  static PluginRun run(Path kubeconfig, String stdin, String... args) {
    List<String> all = new ArrayList<>();
    if (kubeconfig != null) {
      all.add("--kubeconfig=" + kubeconfig);
    }
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    int code = KubectlVm.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true),
        new ByteArrayInputStream((stdin == null ? "" : stdin).getBytes(StandardCharsets.UTF_8)),
        new PrintStream(raw, true, StandardCharsets.UTF_8));
    return new PluginRun(code, out + raw.toString(StandardCharsets.UTF_8), err.toString());
  }

  static PluginRun run(ClusterNamespace ns, String... args) {
    return run(ns.kubeconfig(), null, args);
  }

  /** A kubeconfig whose user is a fresh service account of the namespace, with a bearer token. */
  static Path tokenKubeconfig(ClusterNamespace ns, String serviceAccount, Path dir) throws IOException {
    ns.client().serviceAccounts().resource(new ServiceAccountBuilder().withNewMetadata().withName(serviceAccount)
        .endMetadata().build()).serverSideApply();
    String token = ns.client().serviceAccounts().withName(serviceAccount)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
    Path file = dir.resolve(serviceAccount + ".kubeconfig");
    Files.writeString(file, ns.controlPlane().tokenKubeconfig("127.0.0.1", token, ns.name()));
    return file;
  }

  static String user(ClusterNamespace ns, String serviceAccount) {
    return "system:serviceaccount:" + ns.name() + ":" + serviceAccount;
  }
}
