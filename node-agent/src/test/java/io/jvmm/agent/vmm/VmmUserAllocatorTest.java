package io.jvmm.agent.vmm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmm.agent.VmKey;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmmUserAllocatorTest {
  @TempDir
  Path root;

  @Test
  void eachVmGetsAUserOfItsOwnAndKeepsItUntilItsDirectoryGoes() throws Exception {
    VmmUserAllocator users = new VmmUserAllocator(root, 5000, 3);
    StateDirectory a = new StateDirectory(root, new VmKey("ns", "a"));
    StateDirectory b = new StateDirectory(root, new VmKey("ns", "b"));
    StateDirectory c = new StateDirectory(root, new VmKey("other", "c"));
    assertThat(users.assign(a)).isEqualTo(5000);
    assertThat(users.assign(b)).isEqualTo(5001);
    assertThat(users.assign(a)).as("the same VM keeps its user").isEqualTo(5000);
    assertThat(new VmmUserAllocator(root, 5000, 3).assign(b)).as("across agents").isEqualTo(5001);
    assertThat(users.assign(c)).isEqualTo(5002);
    StateDirectory d = new StateDirectory(root, new VmKey("ns", "d"));
    assertThatThrownBy(() -> users.assign(d)).hasMessageContaining("all 3 VMM user ids from 5000 are taken");
    a.delete();
    assertThat(users.assign(d)).as("a freed id is given again").isEqualTo(5000);
  }
}
