package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * libvirt {@code <iotune>}, every field libvirt has (formatdomain "Block I/O Tuning"), with
 * its rule that a total limit excludes the read and write limits of the same kind.
 * The VMM limits total IOPS only; validation refuses the other fields for the command line.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"totalBytesSec", "readBytesSec", "writeBytesSec", "totalIopsSec", "readIopsSec", "writeIopsSec", "totalBytesSecMax", "readBytesSecMax", "writeBytesSecMax", "totalIopsSecMax", "readIopsSecMax", "writeIopsSecMax", "sizeIopsSec", "totalBytesSecMaxLength", "readBytesSecMaxLength", "writeBytesSecMaxLength", "totalIopsSecMaxLength", "readIopsSecMaxLength", "writeIopsSecMaxLength", "groupName"})
@ValidationRule(value = "!has(self.totalBytesSec) || (!has(self.readBytesSec) && !has(self.writeBytesSec))",
    message = "totalBytesSec excludes readBytesSec and writeBytesSec")
@ValidationRule(value = "!has(self.totalIopsSec) || (!has(self.readIopsSec) && !has(self.writeIopsSec))",
    message = "totalIopsSec excludes readIopsSec and writeIopsSec")
@ValidationRule(value = "!has(self.totalBytesSecMax) || (!has(self.readBytesSecMax) && !has(self.writeBytesSecMax))",
    message = "totalBytesSecMax excludes readBytesSecMax and writeBytesSecMax")
@ValidationRule(value = "!has(self.totalIopsSecMax) || (!has(self.readIopsSecMax) && !has(self.writeIopsSecMax))",
    message = "totalIopsSecMax excludes readIopsSecMax and writeIopsSecMax")
@ValidationRule(value = "!has(self.totalBytesSecMaxLength) || (!has(self.readBytesSecMaxLength) && !has(self.writeBytesSecMaxLength))",
    message = "totalBytesSecMaxLength excludes readBytesSecMaxLength and writeBytesSecMaxLength")
@ValidationRule(value = "!has(self.totalIopsSecMaxLength) || (!has(self.readIopsSecMaxLength) && !has(self.writeIopsSecMaxLength))",
    message = "totalIopsSecMaxLength excludes readIopsSecMaxLength and writeIopsSecMaxLength")
public class Iotune {
  /** libvirt element name of each field, in libvirt's order; the domain XML mapping uses it. */
  public static final Map<String, String> XML_NAMES;

  static {
    Map<String, String> names = new LinkedHashMap<>();
    names.put("totalBytesSec", "total_bytes_sec");
    names.put("readBytesSec", "read_bytes_sec");
    names.put("writeBytesSec", "write_bytes_sec");
    names.put("totalIopsSec", "total_iops_sec");
    names.put("readIopsSec", "read_iops_sec");
    names.put("writeIopsSec", "write_iops_sec");
    names.put("totalBytesSecMax", "total_bytes_sec_max");
    names.put("readBytesSecMax", "read_bytes_sec_max");
    names.put("writeBytesSecMax", "write_bytes_sec_max");
    names.put("totalIopsSecMax", "total_iops_sec_max");
    names.put("readIopsSecMax", "read_iops_sec_max");
    names.put("writeIopsSecMax", "write_iops_sec_max");
    names.put("sizeIopsSec", "size_iops_sec");
    names.put("totalBytesSecMaxLength", "total_bytes_sec_max_length");
    names.put("readBytesSecMaxLength", "read_bytes_sec_max_length");
    names.put("writeBytesSecMaxLength", "write_bytes_sec_max_length");
    names.put("totalIopsSecMaxLength", "total_iops_sec_max_length");
    names.put("readIopsSecMaxLength", "read_iops_sec_max_length");
    names.put("writeIopsSecMaxLength", "write_iops_sec_max_length");
    names.put("groupName", "group_name");
    XML_NAMES = java.util.Collections.unmodifiableMap(names);
  }

  @Min(0)
  @JsonPropertyDescription("Total throughput limit, bytes per second (<total_bytes_sec>)")
  public Long totalBytesSec;

  @Min(0)
  @JsonPropertyDescription("Read throughput limit, bytes per second (<read_bytes_sec>)")
  public Long readBytesSec;

  @Min(0)
  @JsonPropertyDescription("Write throughput limit, bytes per second (<write_bytes_sec>)")
  public Long writeBytesSec;

  @Min(0)
  @JsonPropertyDescription("Total I/O operations per second (<total_iops_sec>)")
  public Long totalIopsSec;

  @Min(0)
  @JsonPropertyDescription("Read I/O operations per second (<read_iops_sec>)")
  public Long readIopsSec;

  @Min(0)
  @JsonPropertyDescription("Write I/O operations per second (<write_iops_sec>)")
  public Long writeIopsSec;

  @Min(0)
  @JsonPropertyDescription("Burst total throughput, bytes per second (<total_bytes_sec_max>)")
  public Long totalBytesSecMax;

  @Min(0)
  @JsonPropertyDescription("Burst read throughput, bytes per second (<read_bytes_sec_max>)")
  public Long readBytesSecMax;

  @Min(0)
  @JsonPropertyDescription("Burst write throughput, bytes per second (<write_bytes_sec_max>)")
  public Long writeBytesSecMax;

  @Min(0)
  @JsonPropertyDescription("Burst total I/O operations per second (<total_iops_sec_max>)")
  public Long totalIopsSecMax;

  @Min(0)
  @JsonPropertyDescription("Burst read I/O operations per second (<read_iops_sec_max>)")
  public Long readIopsSecMax;

  @Min(0)
  @JsonPropertyDescription("Burst write I/O operations per second (<write_iops_sec_max>)")
  public Long writeIopsSecMax;

  @Min(0)
  @JsonPropertyDescription("Size in bytes of one I/O operation for IOPS accounting (<size_iops_sec>)")
  public Long sizeIopsSec;

  @Min(0)
  @JsonPropertyDescription("Seconds the total throughput burst may last (<total_bytes_sec_max_length>)")
  public Long totalBytesSecMaxLength;

  @Min(0)
  @JsonPropertyDescription("Seconds the read throughput burst may last (<read_bytes_sec_max_length>)")
  public Long readBytesSecMaxLength;

  @Min(0)
  @JsonPropertyDescription("Seconds the write throughput burst may last (<write_bytes_sec_max_length>)")
  public Long writeBytesSecMaxLength;

  @Min(0)
  @JsonPropertyDescription("Seconds the total IOPS burst may last (<total_iops_sec_max_length>)")
  public Long totalIopsSecMaxLength;

  @Min(0)
  @JsonPropertyDescription("Seconds the read IOPS burst may last (<read_iops_sec_max_length>)")
  public Long readIopsSecMaxLength;

  @Min(0)
  @JsonPropertyDescription("Seconds the write IOPS burst may last (<write_iops_sec_max_length>)")
  public Long writeIopsSecMaxLength;

  @Pattern("^[A-Za-z0-9_.-]{1,64}$")
  @JsonPropertyDescription("Throttle group shared by disks (<group_name>)")
  public String groupName;

  /** The fields' values by manifest name, for mapping and validation (one place knows them all). */
  public Map<String, Object> values() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("totalBytesSec", totalBytesSec);
    values.put("readBytesSec", readBytesSec);
    values.put("writeBytesSec", writeBytesSec);
    values.put("totalIopsSec", totalIopsSec);
    values.put("readIopsSec", readIopsSec);
    values.put("writeIopsSec", writeIopsSec);
    values.put("totalBytesSecMax", totalBytesSecMax);
    values.put("readBytesSecMax", readBytesSecMax);
    values.put("writeBytesSecMax", writeBytesSecMax);
    values.put("totalIopsSecMax", totalIopsSecMax);
    values.put("readIopsSecMax", readIopsSecMax);
    values.put("writeIopsSecMax", writeIopsSecMax);
    values.put("sizeIopsSec", sizeIopsSec);
    values.put("totalBytesSecMaxLength", totalBytesSecMaxLength);
    values.put("readBytesSecMaxLength", readBytesSecMaxLength);
    values.put("writeBytesSecMaxLength", writeBytesSecMaxLength);
    values.put("totalIopsSecMaxLength", totalIopsSecMaxLength);
    values.put("readIopsSecMaxLength", readIopsSecMaxLength);
    values.put("writeIopsSecMaxLength", writeIopsSecMaxLength);
    values.put("groupName", groupName);
    return values;
  }
}
