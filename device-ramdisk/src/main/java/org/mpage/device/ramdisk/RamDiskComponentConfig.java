package org.mpage.device.ramdisk;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one RAM disk (factory PID {@code org.mpage.device.ramdisk}). */
@ObjectClassDefinition(name = "mpage RAM disk", description = "A sparse RAM disk block device.")
@interface RamDiskComponentConfig {
  @AttributeDefinition(name = "Device name", description = "Name mounts refer to")
  String device_name();

  @AttributeDefinition(name = "Size", description = "Bytes, or with a K, M or G suffix")
  String size() default "64M";
}
