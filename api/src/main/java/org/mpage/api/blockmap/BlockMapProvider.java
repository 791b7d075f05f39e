package org.mpage.api.blockmap;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A block-mapping scheme, registered as a service with the property {@link #SCHEME} naming it (and
 * found by {@link java.util.ServiceLoader} outside OSGi). A mount opens one {@link BlockMap} per
 * provider it uses; when the provider goes away, the mount's files mapped by it fail with an I/O
 * error rather than wait for it to come back.
 */
@ConsumerType
public interface BlockMapProvider {
  /** The service property that names the scheme, equal to {@link #scheme()}. */
  String SCHEME = "mpage.blockmap.scheme";

  /** The scheme's name, e.g. {@code ext4-extents}. */
  String scheme();

  /** A mapper for one mounted filesystem, reading its mapping blocks through {@code context}. */
  BlockMap open(BlockMapContext context);
}
