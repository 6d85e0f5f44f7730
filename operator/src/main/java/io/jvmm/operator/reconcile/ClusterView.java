package io.jvmm.operator.reconcile;

import io.jvmm.operator.scheduling.NodeReport;
import io.jvmm.operator.scheduling.NodeUsage;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the operator sees of the cluster beyond one VM: the nodes and what is placed on them. */
public interface ClusterView {

    List<NodeReport> nodes();

    /** vCPUs and memory held on each node by the VMs placed there, leaving out the VM named. */
    Map<String, NodeUsage> usageExcluding(String namespace, String name);

    Instant now();
}
