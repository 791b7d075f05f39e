package org.mpage.device.fault;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of one dust device (factory PID {@code org.mpage.device.fault.dust}), with {@code
 * lower.target=(device.name=LOWER)} beside {@code lower}. An update that changes only {@code
 * enabled} or {@code blocks} applies them to the running device.
 */
@ObjectClassDefinition(
    name = "mpage dust device",
    description = "Fails reads of listed bad blocks of a lower device until they are written.")
@interface DustComponentConfig {
  @AttributeDefinition(name = "Device name", description = "Name mounts refer to")
  String device_name();

  @AttributeDefinition(name = "Lower device", description = "device.name of the device below")
  String lower();

  @AttributeDefinition(
      name = "Bad blocks",
      description = "Block numbers, separated by '+', ',' or spaces",
      required = false)
  String blocks() default "";

  @AttributeDefinition(name = "Block size", description = "Bytes: a power of two, 512 or more")
  String block_size() default "512";

  @AttributeDefinition(name = "Enabled", description = "false: every BIO passes (bypass)")
  String enabled() default "true";
}
