package io.jvmm.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.Kubectl;
import io.jvmm.crds.v1alpha1.ConsoleSubresources;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.testkit.ProjectRoot;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * deploy/ as a GitOps tool would take it: `kubectl kustomize deploy/` holds everything jvmm
 * needs, wired together, and `kubectl apply -k deploy/ --dry-run=server` (and the example
 * overlay) passes the real API server's validation and admission.
 */
@KubeClusterTest
class DeployManifestsClusterTest {
  static final String SYSTEM = "jvmm-system";

  @Test
  void kustomizeBuildsTheWholeInstallation(ClusterNamespace ns) throws Exception {
    List<HasMetadata> objects = build(ns, "deploy");
    Map<String, HasMetadata> byKindAndName = objects.stream().collect(Collectors.toMap(
        o -> o.getKind() + "/" + o.getMetadata().getName(), o -> o));
    assertThat(byKindAndName).containsKeys("Namespace/" + SYSTEM, "CustomResourceDefinition/" + VirtualMachine.CRD_NAME,
        "ServiceAccount/jvmm-operator", "ServiceAccount/jvmm-node-agent", "ClusterRole/jvmm-operator",
        "ClusterRole/jvmm-node-agent", "ClusterRole/jvmm-vm-console", "ClusterRole/jvmm-vm-console-viewer",
        "Deployment/jvmm-operator", "DaemonSet/jvmm-node-agent", "Deployment/jvmm-console-api",
        "Service/jvmm-console-api", "APIService/" + ConsoleSubresources.API_SERVICE, "ClusterRole/jvmm-console-api");
    for (HasMetadata o : objects) {
      boolean clusterScoped = o instanceof io.fabric8.kubernetes.api.model.Namespace
          || o instanceof CustomResourceDefinition || o instanceof ClusterRole
          || o.getKind().equals("ClusterRoleBinding") || o.getKind().equals("APIService");
      // The console API reads the front proxy's settings through kube-apiserver's own Role there.
      String namespace = o.getMetadata().getName().equals("jvmm-console-api-authentication-reader")
          ? "kube-system" : SYSTEM;
      assertThat(o.getMetadata().getNamespace()).as(o.getKind() + "/" + o.getMetadata().getName())
          .isEqualTo(clusterScoped ? null : namespace);
      assertThat(o.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "jvmm");
    }

    Deployment operator = (Deployment) byKindAndName.get("Deployment/jvmm-operator");
    PodSpec op = operator.getSpec().getTemplate().getSpec();
    assertThat(op.getServiceAccountName()).isEqualTo("jvmm-operator");
    Container operatorContainer = op.getContainers().get(0);
    assertThat(operatorContainer.getImage()).isEqualTo("jvmm/operator:0.1.0-SNAPSHOT");
    Map<String, String> env = operatorContainer.getEnv().stream()
        .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
    assertThat(env).containsEntry("JVMM_AGENT_NAMESPACE", SYSTEM).containsEntry("JVMM_LEADER_ELECTION_NAMESPACE", SYSTEM);
    int healthPort = Integer.parseInt(env.get("JVMM_HEALTH_PORT"));
    assertThat(operatorContainer.getPorts()).anyMatch(p -> p.getContainerPort() == healthPort && "health".equals(p.getName()));
    assertThat(operatorContainer.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(operatorContainer.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(operatorContainer.getResources().getRequests()).containsKeys("cpu", "memory");

    DaemonSet agent = (DaemonSet) byKindAndName.get("DaemonSet/jvmm-node-agent");
    PodSpec ag = agent.getSpec().getTemplate().getSpec();
    assertThat(ag.getServiceAccountName()).isEqualTo("jvmm-node-agent");
    assertThat(ag.getHostNetwork()).isTrue();
    assertThat(ag.getHostPID()).isTrue();
    assertThat(ag.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms().get(0).getMatchExpressions())
        .anyMatch(e -> e.getKey().equals(NodeContract.KVM_LABEL) && e.getValues().equals(List.of("true")));
    Container agentContainer = ag.getContainers().get(0);
    assertThat(agentContainer.getImage()).isEqualTo("jvmm/node-agent:0.1.0-SNAPSHOT");
    assertThat(agentContainer.getSecurityContext().getPrivileged()).isTrue();
    Map<String, String> hostPaths = ag.getVolumes().stream().filter(v -> v.getHostPath() != null)
        .collect(Collectors.toMap(Volume::getName, v -> v.getHostPath().getPath()));
    assertThat(hostPaths.values()).contains("/dev/kvm", "/dev/net/tun", "/dev/vhost-net", "/dev/vhost-vsock",
        "/var/lib/jvmm", "/run/systemd");
    Map<String, String> mounts = agentContainer.getVolumeMounts().stream()
        .collect(Collectors.toMap(m -> m.getName(), m -> m.getMountPath()));
    hostPaths.forEach((volume, path) -> assertThat(mounts).containsEntry(volume, path));
    assertThat(agentContainer.getArgs()).contains("--node=$(NODE_NAME)", "--console-advertise=$(HOST_IP):7443",
        "--vmm=/opt/jvmm/bin/jvmm");
    assertThat(agentContainer.getArgs()).contains("--health-listen=0.0.0.0:7444",
        "--console-client-ca=/etc/jvmm/console-client-ca/ca.crt");
    assertThat(ag.getVolumes()).anyMatch(v -> v.getName().equals("console-client-ca") && v.getConfigMap() != null
        && v.getConfigMap().getName().equals("jvmm-console-client-ca") && v.getConfigMap().getOptional());
    assertThat(mounts).containsEntry("console-client-ca", "/etc/jvmm/console-client-ca");

    Deployment consoleApi = (Deployment) byKindAndName.get("Deployment/jvmm-console-api");
    PodSpec api = consoleApi.getSpec().getTemplate().getSpec();
    assertThat(api.getServiceAccountName()).isEqualTo("jvmm-console-api");
    assertThat(api.getContainers().get(0).getImage()).isEqualTo("jvmm/console-api:0.1.0-SNAPSHOT");
    assertThat(api.getContainers().get(0).getArgs()).contains("--certificates-from-namespace=" + SYSTEM);
    io.fabric8.kubernetes.api.model.APIService apiService =
        (io.fabric8.kubernetes.api.model.APIService) byKindAndName.get("APIService/" + ConsoleSubresources.API_SERVICE);
    assertThat(apiService.getSpec().getGroup()).isEqualTo(ConsoleSubresources.GROUP);
    assertThat(apiService.getSpec().getService().getName()).isEqualTo("jvmm-console-api");
    assertThat(apiService.getSpec().getService().getNamespace()).isEqualTo(SYSTEM);
    assertThat(agentContainer.getPorts()).anyMatch(p -> p.getContainerPort() == 7444 && "health".equals(p.getName()));
    assertThat(agentContainer.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(agentContainer.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("health");
    assertThat(agentContainer.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(agentContainer.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("health");
    assertThat(agentContainer.getResources().getRequests()).containsKeys("cpu", "memory");

    List<HasMetadata> example = build(ns, "examples/deploy-overlay");
    DaemonSet exampleAgent = example.stream().filter(DaemonSet.class::isInstance).map(DaemonSet.class::cast)
        .findFirst().orElseThrow();
    assertThat(exampleAgent.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.example.com/jvmm/node-agent:0.1.0");
  }

  @Test
  void theApiServerAcceptsTheInstallationAndTheExampleOverlay(ClusterNamespace ns) {
    // A real apply creates the Namespace before what goes in it; a dry run creates nothing, so
    // the namespace must exist for the namespaced objects to be checked at all.
    ns.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(SYSTEM).endMetadata().build())
        .serverSideApply();
    Kubectl kubectl = ns.kubectl();
    Kubectl.Result base = kubectl.run("apply", "-k", ProjectRoot.path().resolve("deploy").toString(),
        "--dry-run=server");
    assertThat(base.exitCode()).as(base.stderr()).isZero();
    assertThat(base.stdout()).contains("deployment.apps/jvmm-operator", "daemonset.apps/jvmm-node-agent",
        "customresourcedefinition.apiextensions.k8s.io/" + VirtualMachine.CRD_NAME,
        "clusterrole.rbac.authorization.k8s.io/jvmm-vm-console", "deployment.apps/jvmm-console-api",
        "apiservice.apiregistration.k8s.io/" + ConsoleSubresources.API_SERVICE, "(server dry run)");
    // The only warnings: objects this control plane made without kubectl apply (the test's CRD).
    assertThat(base.stderr().lines().filter(l -> !l.contains("last-applied-configuration"))).isEmpty();

    // As Flux applies: server-side, with its own field manager.
    Kubectl.Result serverSide = kubectl.run("apply", "-k", ProjectRoot.path().resolve("deploy").toString(),
        "--server-side", "--field-manager=kustomize-controller", "--force-conflicts", "--dry-run=server");
    assertThat(serverSide.exitCode()).as(serverSide.stderr()).isZero();
    assertThat(serverSide.stdout()).contains("daemonset.apps/jvmm-node-agent serverside-applied (server dry run)");

    Kubectl.Result overlay = kubectl.run("apply", "-k", ProjectRoot.path().resolve("examples/deploy-overlay").toString(),
        "--dry-run=server");
    assertThat(overlay.exitCode()).as(overlay.stderr()).isZero();
    assertThat(overlay.stdout()).contains("daemonset.apps/jvmm-node-agent");
  }

  private static List<HasMetadata> build(ClusterNamespace ns, String dir) {
    Kubectl.Result built = ns.kubectl().run("kustomize", ProjectRoot.path().resolve(dir).toString());
    assertThat(built.exitCode()).as(built.stderr()).isZero();
    return ns.client().load(new ByteArrayInputStream(built.stdout().getBytes(StandardCharsets.UTF_8))).items();
  }
}
