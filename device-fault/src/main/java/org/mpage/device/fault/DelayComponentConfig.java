package org.mpage.device.fault;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of one delay device (factory PID {@code org.mpage.device.fault.delay}), with {@code
 * lower.target=(device.name=LOWER)} beside {@code lower}.
 */
@ObjectClassDefinition(
    name = "mpage delay device",
    description = "Delays every read and write to a lower device.")
@interface DelayComponentConfig {
  @AttributeDefinition(name = "Device name", description = "Name mounts refer to")
  String device_name();

  @AttributeDefinition(name = "Lower device", description = "device.name of the device below")
  String lower();

  @AttributeDefinition(name = "Read delay (ms)")
  String read_ms() default "0";

  @AttributeDefinition(
      name = "Write and flush delay (ms)",
      description = "The read delay if empty",
      required = false)
  String write_ms() default "";
}
