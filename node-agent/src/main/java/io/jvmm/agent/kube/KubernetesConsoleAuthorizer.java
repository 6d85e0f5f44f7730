package io.jvmm.agent.kube;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jvmm.agent.console.ConsoleAuthorizer;
import io.jvmm.agent.console.ConsoleRequest;
import io.jvmm.crds.v1alpha1.VirtualMachine;

/**
 * Who may use a VM's console, decided by the API server as for any other request: TokenReview
 * says whose bearer token it is, SubjectAccessReview whether that user may {@value #VERB} the
 * subresource virtualmachines/console of that VM in its namespace. The verb is get, as for
 * KubeVirt's virtualmachineinstances/console and for pods/log: a Role that grants
 * "get virtualmachines/console" lets its subjects watch and type.
 */
public final class KubernetesConsoleAuthorizer implements ConsoleAuthorizer {
  public static final String VERB = "get";
  public static final String SUBRESOURCE = "console";

  private final KubernetesClient client;

  public KubernetesConsoleAuthorizer(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public String refusal(ConsoleRequest request) {
    if (request.token == null || request.token.isBlank()) {
      return "no bearer token: send the Kubernetes token of the user or service account in the request's token field";
    }
    try {
      TokenReview review = client.resource(new TokenReviewBuilder().withNewSpec().withToken(request.token).endSpec()
          .build()).create();
      if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())) {
        String why = review.getStatus() == null ? null : review.getStatus().getError();
        return "the token is not valid" + (why == null || why.isBlank() ? "" : ": " + why);
      }
      UserInfo user = review.getStatus().getUser();
      SubjectAccessReview access = client.resource(new SubjectAccessReviewBuilder().withNewSpec()
          .withUser(user.getUsername())
          .withUid(user.getUid())
          .withGroups(user.getGroups())
          .withExtra(user.getExtra() == null ? null : new java.util.HashMap<>(user.getExtra()))
          .withNewResourceAttributes()
          .withGroup(VirtualMachine.GROUP)
          .withResource("virtualmachines")
          .withSubresource(SUBRESOURCE)
          .withVerb(VERB)
          .withNamespace(request.namespace)
          .withName(request.name)
          .endResourceAttributes()
          .endSpec().build()).create();
      if (access.getStatus() == null || !Boolean.TRUE.equals(access.getStatus().getAllowed())) {
        String reason = access.getStatus() == null ? null : access.getStatus().getReason();
        return "user \"" + user.getUsername() + "\" may not " + VERB + " virtualmachines/" + SUBRESOURCE + " of "
            + request.namespace + "/" + request.name + (reason == null || reason.isBlank() ? "" : ": " + reason);
      }
      return null;
    } catch (KubernetesClientException e) {
      return "cannot check the token with the API server: " + e.getMessage();
    }
  }
}
