package org.mpage.device.fault;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of one flakey device (factory PID {@code org.mpage.device.fault.flakey}), with
 * {@code lower.target=(device.name=LOWER)} beside {@code lower}.
 */
@ObjectClassDefinition(
    name = "mpage flakey device",
    description = "Fails, drops or corrupts I/O to a lower device for a while, periodically.")
@interface FlakeyComponentConfig {
  @AttributeDefinition(name = "Device name", description = "Name mounts refer to")
  String device_name();

  @AttributeDefinition(name = "Lower device", description = "device.name of the device below")
  String lower();

  @AttributeDefinition(
      name = "Mode",
      description =
          "error, error-reads, error-writes, drop-writes, corrupt-reads or corrupt-writes")
  String mode() default "error";

  @AttributeDefinition(name = "Up (ms)", required = false)
  String up_ms() default "";

  @AttributeDefinition(name = "Down (ms)", required = false)
  String down_ms() default "";

  @AttributeDefinition(name = "Up (BIOs)", required = false)
  String up_bios() default "";

  @AttributeDefinition(name = "Down (BIOs)", required = false)
  String down_bios() default "";

  @AttributeDefinition(name = "Corrupted byte in a BIO (0-based)", required = false)
  String corrupt_byte() default "";

  @AttributeDefinition(name = "Corrupted byte's value (0-255; inverted if empty)", required = false)
  String corrupt_value() default "";
}
