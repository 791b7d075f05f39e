package org.mpage.fs.ext2;

import java.io.IOException;
import org.mpage.api.blockmap.BlockMap;
import org.mpage.api.blockmap.BlockMapContext;
import org.mpage.api.blockmap.BlockMapProvider;

/**
 * One mount's use of one block-mapping scheme: the provider's mapper, opened on first use and again
 * whenever another provider has taken the scheme's place. Without a provider, a lookup is an I/O
 * error naming the scheme, at once: a file whose mapper has left fails, it never waits.
 */
final class MountedScheme {
  private final String scheme;
  private final BlockMaps maps;
  private final BlockMapContext context;
  private volatile Bound bound;

  private record Bound(BlockMapProvider provider, BlockMap map) {}

  MountedScheme(String scheme, BlockMaps maps, BlockMapContext context) {
    this.scheme = scheme;
    this.maps = maps;
    this.context = context;
  }

  /** The mapper of the scheme's present provider. */
  BlockMap map() throws IOException {
    BlockMapProvider p = maps.get(scheme);
    if (p == null) {
      throw missing();
    }
    Bound b = bound;
    if (b == null || b.provider() != p) {
      b = new Bound(p, p.open(context));
      bound = b;
    }
    return b.map();
  }

  /** Whether the scheme has a provider now. */
  boolean present() {
    return maps.get(scheme) != null;
  }

  /** The error of a lookup without a provider. */
  IOException missing() {
    return new IOException(
        "no provider of the block-mapping scheme '" + scheme + "' (its bundle is not active)");
  }
}
