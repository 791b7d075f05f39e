package org.mpage.device.file;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one file device (factory PID {@code org.mpage.device.file}). */
@ObjectClassDefinition(
    name = "mpage file device",
    description = "An image file exposed as a block device.")
@interface FileDeviceComponentConfig {
  @AttributeDefinition(name = "Device name", description = "Name mounts refer to")
  String device_name();

  @AttributeDefinition(name = "Image path", description = "The image file; it must exist")
  String path();

  @AttributeDefinition(name = "Read only", description = "Shared lock; writes fail")
  boolean read_only() default false;

  @AttributeDefinition(name = "Direct I/O", description = "Bypass the host page cache (O_DIRECT)")
  boolean direct() default false;

  @AttributeDefinition(name = "Queue depth", description = "BIOs executed in parallel, 1..64")
  int queue_depth() default 4;
}
