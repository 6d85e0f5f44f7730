package io.jvmm.consoleapi;

import io.jvmm.crds.v1alpha1.ConsoleSubresources;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;

/**
 * Whether a caller may use a VM's console, asked of the API server with a SubjectAccessReview
 * of exactly what kube-apiserver authorized before proxying ({@code get} on
 * {@code virtualmachines/console} or {@code virtualmachines/consoleview} in
 * {@value ConsoleSubresources#GROUP}): the console API does not trust that check to have happened,
 * as every aggregated API server authorizes for itself.
 */
public final class ConsoleAccess {
  private final KubernetesClient client;

  public ConsoleAccess(KubernetesClient client) {
    this.client = client;
  }

  /** Null when allowed, else why not. */
  public String refusal(Caller caller, String namespace, String name, String subresource) {
    SubjectAccessReview review = client.resource(new SubjectAccessReviewBuilder().withNewSpec()
        .withUser(caller.user())
        .withUid(caller.uid())
        .withGroups(caller.groups())
        .withExtra(caller.extra().isEmpty() ? null : new HashMap<>(caller.extra()))
        .withNewResourceAttributes()
        .withGroup(ConsoleSubresources.GROUP)
        .withVersion(ConsoleSubresources.VERSION)
        .withResource(ConsoleSubresources.RESOURCE)
        .withSubresource(subresource)
        .withVerb(ConsoleSubresources.VERB)
        .withNamespace(namespace)
        .withName(name)
        .endResourceAttributes()
        .endSpec().build()).create();
    if (review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAllowed())) {
      return null;
    }
    String reason = review.getStatus() == null ? null : review.getStatus().getReason();
    return "User \"" + caller.user() + "\" cannot " + ConsoleSubresources.VERB + " resource \""
        + ConsoleSubresources.RESOURCE + "/" + subresource + "\" in API group \"" + ConsoleSubresources.GROUP
        + "\" in the namespace \"" + namespace + "\"" + (reason == null || reason.isBlank() ? "" : ": " + reason);
  }
}
