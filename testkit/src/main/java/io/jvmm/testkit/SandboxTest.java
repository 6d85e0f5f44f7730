package io.jvmm.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that runs a scenario on hardware-style KVM.  Its parameters may be a {@link KvmSandbox}
 * and a {@link GuestImage}; it is tagged "sandbox" so that a quick run can leave it out with
 * -Dsurefire.excludedGroups=sandbox.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Test
@Tag("sandbox")
@ExtendWith(SandboxExtension.class)
public @interface SandboxTest {}
