package io.jvmm.consoleapi;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.agent.pki.Pem;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.security.auth.x500.X500Principal;

/**
 * How kube-apiserver tells an aggregated API server who the user is, as it publishes it in
 * ConfigMap kube-system/{@value #CONFIG_MAP}: requests come over TLS with a client certificate
 * issued by {@link #caPem()} whose common name is one of the allowed names, the user in the
 * username, group and extra headers. Headers from any other caller are not believed: anyone could
 * write them.
 */
public record FrontProxy(String caPem, List<String> allowedNames, List<String> userHeaders,
    List<String> uidHeaders, List<String> groupHeaders, List<String> extraPrefixes) {
  public static final String CONFIG_MAP = "extension-apiserver-authentication";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads it from the cluster; the console API's service account needs the role kubeadm names
   * extension-apiserver-authentication-reader. */
  public static FrontProxy load(KubernetesClient client) {
    ConfigMap map = client.configMaps().inNamespace("kube-system").withName(CONFIG_MAP).get();
    if (map == null || map.getData() == null) {
      throw new IllegalStateException("ConfigMap kube-system/" + CONFIG_MAP + " does not exist: is this a"
          + " Kubernetes API server?");
    }
    return from(map.getData());
  }

  static FrontProxy from(Map<String, String> data) {
    String ca = data.get("requestheader-client-ca-file");
    if (ca == null || ca.isBlank()) {
      throw new IllegalStateException("kube-apiserver publishes no requestheader-client-ca-file in kube-system/"
          + CONFIG_MAP + ": it runs without the aggregation layer. Start it with --requestheader-client-ca-file,"
          + " --requestheader-allowed-names, --requestheader-username-headers=X-Remote-User,"
          + " --requestheader-group-headers=X-Remote-Group, --requestheader-extra-headers-prefix=X-Remote-Extra-,"
          + " --proxy-client-cert-file and --proxy-client-key-file (kubeadm does)");
    }
    Pem.certificates(ca, "requestheader-client-ca-file");
    List<String> users = list(data, "requestheader-username-headers");
    if (users.isEmpty()) {
      throw new IllegalStateException("kube-apiserver names no --requestheader-username-headers in kube-system/"
          + CONFIG_MAP);
    }
    return new FrontProxy(ca, list(data, "requestheader-allowed-names"), users,
        list(data, "requestheader-uid-headers"), list(data, "requestheader-group-headers"),
        list(data, "requestheader-extra-headers-prefix"));
  }

  /**
   * The user the headers name, when the peer is the front proxy; otherwise an exception whose
   * message says why not. {@code peer} is the TLS client's chain, already verified against
   * {@link #caPem()} by the server's trust store; {@code headers} gives every value of a header
   * by name, case-insensitively; {@code headerNames} lists the request's header names.
   */
  public Caller authenticate(List<Certificate> peer, List<String> headerNames,
      Function<String, List<String>> headers) {
    if (peer == null || peer.isEmpty() || !(peer.get(0) instanceof X509Certificate leaf)) {
      throw new SecurityException("no client certificate: only kube-apiserver's front proxy may call");
    }
    String cn = commonName(leaf.getSubjectX500Principal());
    if (!allowedNames.isEmpty() && !allowedNames.contains(cn)) {
      throw new SecurityException("client certificate CN=" + cn + " is not one of the front proxy's names "
          + allowedNames);
    }
    String user = first(userHeaders, headers);
    if (user == null) {
      throw new SecurityException("the front proxy named no user (headers " + userHeaders + ")");
    }
    List<String> groups = new ArrayList<>();
    for (String h : groupHeaders) {
      groups.addAll(headers.apply(h));
    }
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (String name : headerNames) {
      for (String prefix : extraPrefixes) {
        if (name.length() > prefix.length() && name.regionMatches(true, 0, prefix, 0, prefix.length())) {
          String key = URLDecoder.decode(name.substring(prefix.length()).toLowerCase(Locale.ROOT),
              StandardCharsets.UTF_8);
          extra.computeIfAbsent(key, k -> new ArrayList<>()).addAll(headers.apply(name));
        }
      }
    }
    return new Caller(user, first(uidHeaders, headers), List.copyOf(groups), extra);
  }

  private static String first(List<String> names, Function<String, List<String>> headers) {
    for (String h : names) {
      for (String v : headers.apply(h)) {
        if (!v.isEmpty()) {
          return v;
        }
      }
    }
    return null;
  }

  static String commonName(X500Principal principal) {
    for (String rdn : principal.getName(X500Principal.RFC2253).split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
      if (rdn.regionMatches(true, 0, "CN=", 0, 3)) {
        return rdn.substring(3);
      }
    }
    return "";
  }

  private static List<String> list(Map<String, String> data, String key) {
    String value = data.get(key);
    if (value == null || value.isBlank()) {
      return List.of();
    }
    try {
      return JSON.readValue(value, new TypeReference<List<String>>() { });
    } catch (java.io.IOException e) {
      throw new IllegalStateException(key + " in kube-system/" + CONFIG_MAP + " is not a JSON list: " + value, e);
    }
  }
}
