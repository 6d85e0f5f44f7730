package io.jvmm.vmm.kvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;

/**
 * A KVM structure held on the Java side as little-endian bytes and copied to and from native
 * memory around each ioctl. The subclasses give the fields names.
 */
abstract class NativeStruct {
    protected final ByteBuffer bytes;

    NativeStruct(int size) {
        bytes = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    final Pointer toNative() {
        Pointer p = LibC.allocate(bytes.capacity());
        p.put(0, bytes.array(), 0, bytes.capacity());
        return p;
    }

    final void fromNative(Pointer p) {
        p.get(0, bytes.array(), 0, bytes.capacity());
    }
}
