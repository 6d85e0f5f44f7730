package io.jvmm.agent.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvmm.crds.v1alpha1.NodeContract;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the cluster that this node's agent lives and what the node offers: renews the Lease
 * jvmm-agent-NODE in the agent's namespace every {@code interval} (the operator calls the node
 * lost when it goes stale), and applies the node's jvmm.io/ labels and annotations. Both are
 * server-side applies as jvmm-node-agent, so the agent owns only its own fields. The Node
 * itself is the kubelet's: the agent never creates one, it waits for it.
 */
public final class NodePublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodePublisher.class);

  private final KubernetesClient client;
  private final String nodeName;
  private final String namespace;
  private final Duration interval;
  private final Supplier<NodeFacts> facts;
  private final Map<String, String> extraAnnotations;
  private final Clock clock;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "node-publisher");
    t.setDaemon(true);
    return t;
  });
  private ZonedDateTime acquired;
  private boolean nodeMissingLogged;
  private volatile long lastPublishedNanos;
  private volatile boolean published;

  public NodePublisher(KubernetesClient client, String nodeName, String namespace, Duration interval,
      Supplier<NodeFacts> facts, Map<String, String> extraAnnotations, Clock clock) {
    this.client = client;
    this.nodeName = nodeName;
    this.namespace = namespace;
    this.interval = interval;
    this.facts = facts;
    this.extraAnnotations = Map.copyOf(extraAnnotations);
    this.clock = clock;
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::publishQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void publishQuietly() {
    try {
      publish();
    } catch (RuntimeException e) {
      log.warn("cannot publish node {}: {}", nodeName, e.getMessage());
    }
  }

  /** One heartbeat: the Lease, then the Node's labels and annotations. */
  public void publish() {
    ZonedDateTime now = ZonedDateTime.now(clock).withZoneSameInstant(ZoneOffset.UTC);
    if (acquired == null) {
      acquired = now;
    }
    client.resource(lease(now)).fieldManager(NodeContract.AGENT_FIELD_MANAGER).forceConflicts()
        .serverSideApply();
    if (client.nodes().withName(nodeName).get() == null) {
      if (!nodeMissingLogged) {
        log.warn("node {} does not exist yet; its labels and annotations wait for it (the kubelet registers"
            + " nodes, the agent does not)", nodeName);
        nodeMissingLogged = true;
      }
      return;
    }
    nodeMissingLogged = false;
    client.resource(nodeMetadata(facts.get())).fieldManager(NodeContract.AGENT_FIELD_MANAGER).forceConflicts()
        .serverSideApply();
    lastPublishedNanos = System.nanoTime();
    published = true;
  }

  /**
   * Whether the Lease and the Node's metadata were last applied within {@code within}: an agent
   * that cannot reach the API server for longer is lost to the operator, hence not ready.
   */
  public boolean publishedWithin(Duration within) {
    return published && System.nanoTime() - lastPublishedNanos < within.toNanos();
  }

  /** How long the Lease lasts without a renewal. */
  public Duration leaseDuration() {
    return interval.multipliedBy(4);
  }

  Lease lease(ZonedDateTime now) {
    return new LeaseBuilder().withNewMetadata().withNamespace(namespace)
        .withName(NodeContract.LEASE_PREFIX + nodeName).endMetadata()
        .withNewSpec()
        .withHolderIdentity(nodeName)
        // Four missed heartbeats before the lease runs out, as the kubelet's node lease.
        .withLeaseDurationSeconds((int) leaseDuration().toSeconds())
        .withAcquireTime(acquired)
        .withRenewTime(now)
        .endSpec().build();
  }

  /** The apply configuration for the Node: only the agent's labels and annotations. */
  Node nodeMetadata(NodeFacts f) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NodeContract.ARCH_LABEL, f.arch());
    labels.put(NodeContract.KVM_LABEL, Boolean.toString(f.kvm()));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(NodeContract.ALLOCATABLE_VCPUS_ANNOTATION, Integer.toString(f.allocatableVcpus()));
    annotations.put(NodeContract.ALLOCATABLE_MEMORY_ANNOTATION, Long.toString(f.allocatableMemory()));
    annotations.put(NodeContract.PASSTHROUGH_DEVICES_ANNOTATION, String.join(",", f.passthroughDevices()));
    annotations.putAll(extraAnnotations);
    return new NodeBuilder().withNewMetadata().withName(nodeName).withLabels(labels).withAnnotations(annotations)
        .endMetadata().build();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
