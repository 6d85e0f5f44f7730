package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;

/**
 * The CRD schema of one entry of status.conditions, which the model holds as fabric8's
 * {@link io.fabric8.kubernetes.api.model.Condition}: that class carries neither descriptions
 * (kubectl explain showed none) nor required fields, and conditions are a list keyed by type,
 * which the API server accepts only for a required key. The fields are metav1.Condition's, with
 * its own required type and status; CrdShapeTest checks that they stay Condition's fields.
 * Used through {@code @SchemaFrom} only, never instantiated.
 */
@JsonPropertyOrder({"type", "status", "observedGeneration", "lastTransitionTime", "reason", "message"})
public final class ConditionSchema {
  @Required
  @JsonPropertyDescription("Condition type in CamelCase, e.g. Ready; the list's key: one entry per type")
  public String type;

  @Required
  @JsonPropertyDescription("True, False or Unknown")
  public String status;

  @JsonPropertyDescription("The metadata.generation the condition was set from; lower than the VM's generation"
      + " when the condition is out of date")
  public Long observedGeneration;

  @JsonPropertyDescription("When the condition last changed status (RFC 3339)")
  public String lastTransitionTime;

  @JsonPropertyDescription("Why the condition has this status, one CamelCase word for programs")
  public String reason;

  @JsonPropertyDescription("Why the condition has this status, for people")
  public String message;

  private ConditionSchema() {
  }
}
