package io.jvmm.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SpecChangesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode spec(String json) throws Exception {
    return JSON.readTree(json.replace('\'', '"'));
  }

  @Test
  void namesWhatOnlyANewVmmAppliesDownToTheSecondLevel() throws Exception {
    JsonNode started = spec("{'memory':'1GiB','vcpu':1,'os':{'kernel':'/k','cmdline':'a'},"
        + "'devices':{'disks':[{'target':{'dev':'vda'}}],'vsock':{'cid':{'address':3}}},'runState':'Running'}");
    JsonNode now = spec("{'memory':'2GiB','vcpu':1,'os':{'kernel':'/k','cmdline':'b'},"
        + "'devices':{'disks':[],'vsock':{'cid':{'address':3}},'rngs':[{}]},'runState':'Paused',"
        + "'restartPolicy':'Never','updatePolicy':'Restart','nodeSelector':{'a':'b'}}");

    assertThat(SpecChanges.needingRestart(started, now))
        .containsExactly("spec.devices.disks", "spec.devices.rngs", "spec.memory", "spec.os.cmdline");
  }

  @Test
  void anAbsentFieldAndANullOneAreTheSameAndAnUnchangedSpecNeedsNothing() throws Exception {
    JsonNode started = spec("{'memory':'1GiB','emulator':null,'devices':{'disks':[]}}");

    assertThat(SpecChanges.needingRestart(started, spec("{'memory':'1GiB','devices':{'disks':[]}}"))).isEmpty();
    assertThat(SpecChanges.needingRestart(started, spec("{'memory':'1GiB'}"))).containsExactly("spec.devices");
  }
}
