package org.mpage.device.nbd;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one NBD device (factory PID {@code org.mpage.device.nbd}). */
@ObjectClassDefinition(
    name = "mpage NBD device",
    description = "An export of an NBD server (qemu-nbd, nbd-server, nbdkit) as a block device.")
@interface NbdDeviceComponentConfig {
  @AttributeDefinition(name = "Device name", description = "Name mounts refer to")
  String device_name();

  @AttributeDefinition(
      name = "URI",
      description = "nbd://HOST[:PORT]/EXPORT or nbd+unix:///EXPORT?socket=PATH")
  String uri();

  @AttributeDefinition(name = "Read only", description = "Writes fail; required for ro exports")
  boolean read_only() default false;

  @AttributeDefinition(name = "Connect timeout (ms)", description = "Connect and handshake")
  long connect_timeout_ms() default 10_000;

  @AttributeDefinition(
      name = "I/O timeout (ms)",
      description = "A request without a reply this long ends the connection")
  long io_timeout_ms() default 30_000;

  @AttributeDefinition(
      name = "Reconnect wait (ms)",
      description = "How long BIOs wait for a reconnect before they fail")
  long reconnect_wait_ms() default 10_000;

  @AttributeDefinition(
      name = "Structured replies",
      description = "Ask for structured replies (reads as data and hole chunks)")
  boolean structured_replies() default true;
}
