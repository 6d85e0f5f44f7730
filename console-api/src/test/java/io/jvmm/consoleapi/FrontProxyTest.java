package io.jvmm.consoleapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.agent.pki.CertificateAuthority;
import io.jvmm.agent.pki.Pem;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Who the front proxy says the user is, and whom the console API believes. */
class FrontProxyTest {
  private static final CertificateAuthority CA = CertificateAuthority.create("front-proxy-ca");
  private static final Map<String, String> SETTINGS = Map.of(
      "requestheader-client-ca-file", CA.certificatePem(),
      "requestheader-allowed-names", "[\"front-proxy-client\"]",
      "requestheader-username-headers", "[\"X-Remote-User\"]",
      "requestheader-uid-headers", "[\"X-Remote-Uid\"]",
      "requestheader-group-headers", "[\"X-Remote-Group\"]",
      "requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]");

  @Test
  void readsTheUserGroupsAndExtrasWhenTheFrontProxyCalls() {
    FrontProxy proxy = FrontProxy.from(SETTINGS);
    Map<String, List<String>> headers = Map.of(
        "x-remote-user", List.of("alice"),
        "x-remote-uid", List.of("1234"),
        "x-remote-group", List.of("devs", "system:authenticated"),
        "x-remote-extra-scopes", List.of("a", "b"),
        "x-remote-extra-example.com%2fteam", List.of("blue"),
        "authorization", List.of("Bearer never-here"));
    Caller caller = proxy.authenticate(peer("front-proxy-client"), List.of("X-Remote-User", "X-Remote-Uid",
        "X-Remote-Group", "X-Remote-Extra-Scopes", "X-Remote-Extra-Example.com%2fTeam", "Authorization"),
        lookup(headers));
    assertThat(caller).isEqualTo(new Caller("alice", "1234", List.of("devs", "system:authenticated"),
        Map.of("scopes", List.of("a", "b"), "example.com/team", List.of("blue"))));
  }

  @Test
  void believesNoOtherCaller() {
    FrontProxy proxy = FrontProxy.from(SETTINGS);
    Function<String, List<String>> headers = lookup(Map.of("x-remote-user", List.of("system:admin")));
    assertThatThrownBy(() -> proxy.authenticate(List.of(), List.of("X-Remote-User"), headers))
        .isInstanceOf(SecurityException.class).hasMessageContaining("no client certificate");
    assertThatThrownBy(() -> proxy.authenticate(peer("someone-else"), List.of("X-Remote-User"), headers))
        .isInstanceOf(SecurityException.class)
        .hasMessage("client certificate CN=someone-else is not one of the front proxy's names [front-proxy-client]");
    assertThatThrownBy(() -> proxy.authenticate(peer("front-proxy-client"), List.of(), lookup(Map.of())))
        .isInstanceOf(SecurityException.class).hasMessageContaining("named no user");
  }

  @Test
  void refusesToStartWithoutTheAggregationLayer() {
    assertThatThrownBy(() -> FrontProxy.from(Map.of("client-ca-file", CA.certificatePem())))
        .hasMessageContaining("runs without the aggregation layer")
        .hasMessageContaining("--requestheader-client-ca-file");
    Map<String, String> noUsers = new java.util.HashMap<>(SETTINGS);
    noUsers.remove("requestheader-username-headers");
    assertThatThrownBy(() -> FrontProxy.from(noUsers)).hasMessageContaining("--requestheader-username-headers");
    Map<String, String> garbled = new java.util.HashMap<>(SETTINGS);
    garbled.put("requestheader-group-headers", "X-Remote-Group");
    assertThatThrownBy(() -> FrontProxy.from(garbled)).hasMessageContaining("is not a JSON list");
  }

  private static List<Certificate> peer(String commonName) {
    return List.copyOf(Pem.certificates(CA.issueClient(commonName).certificatePem(), "test"));
  }

  private static Function<String, List<String>> lookup(Map<String, List<String>> headers) {
    return name -> headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }
}
