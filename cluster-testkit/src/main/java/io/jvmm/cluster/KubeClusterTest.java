package io.jvmm.cluster;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that runs against the real control plane; see {@link KubeClusterExtension}.
 * Tagged {@code kube} so a run can leave these tests out ({@code -Dsurefire.excludedGroups=kube}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KubeClusterExtension.class)
@Tag("kube")
public @interface KubeClusterTest {
}
