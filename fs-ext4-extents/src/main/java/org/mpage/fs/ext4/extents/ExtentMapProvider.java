package org.mpage.fs.ext4.extents;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import org.mpage.api.blockmap.BlockMap;
import org.mpage.api.blockmap.BlockMapContext;
import org.mpage.api.blockmap.BlockMapProvider;
import org.osgi.service.component.annotations.Component;

/**
 * ext4's extent trees as a block-mapping scheme ({@value #SCHEME_NAME}): a Declarative Services
 * component in OSGi and a {@link java.util.ServiceLoader} provider elsewhere. fs-ext2 asks for it
 * for every inode with the EXTENTS flag.
 */
@Component(
    service = BlockMapProvider.class,
    property = BlockMapProvider.SCHEME + "=" + ExtentMapProvider.SCHEME_NAME)
@ServiceProvider(value = BlockMapProvider.class, resolution = Resolution.OPTIONAL)
public final class ExtentMapProvider implements BlockMapProvider {
  public static final String SCHEME_NAME = "ext4-extents";

  @Override
  public String scheme() {
    return SCHEME_NAME;
  }

  @Override
  public BlockMap open(BlockMapContext context) {
    return new ExtentTree(context);
  }
}
