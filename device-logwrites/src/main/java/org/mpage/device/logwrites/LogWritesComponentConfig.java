package org.mpage.device.logwrites;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one log-writes device (factory PID {@code org.mpage.device.logwrites}). */
@ObjectClassDefinition(
    name = "mpage log-writes device",
    description = "Logs every write to a lower device, for replay up to any flush.")
@interface LogWritesComponentConfig {
  @AttributeDefinition(name = "Device name", description = "Name mounts refer to")
  String device_name();

  @AttributeDefinition(
      name = "Lower device",
      description = "Filter of the device written to, e.g. (device.name=disk0)")
  String lower_target();
}
