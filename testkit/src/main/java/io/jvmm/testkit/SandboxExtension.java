package io.jvmm.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands a test the KVM sandbox and the guest image.  The image is built once per test run and
 * kept in the root store, so every sandbox test of the run boots the same guest.
 */
public final class SandboxExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SandboxExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KvmSandbox.class || type == GuestImage.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == KvmSandbox.class) {
            return new KvmSandbox();
        }
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(GuestImage.class, key -> GuestImage.current(), GuestImage.class);
    }
}
