// fs/ext4/inode.c: ext4_map_blocks' choice of mapper, with the mappers as services
package org.mpage.fs.ext2;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.mpage.api.blockmap.BlockMapProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The block-mapping schemes present, by name: the providers Declarative Services binds to the
 * filesystem type in OSGi, or those {@link ServiceLoader} finds elsewhere. A provider that leaves
 * is gone at once for every mount: their next lookup of its scheme fails.
 *
 * <p>The DS registry is one per bundle, not per instance: besides the DS component, the Service
 * Loader Mediator registers a filesystem type instance of its own, which DS never sees, and both
 * must mount with the same providers.
 */
final class BlockMaps {
  private static final Logger LOG = LoggerFactory.getLogger(BlockMaps.class);
  private static final BlockMaps BOUND = new BlockMaps();
  private static volatile BlockMaps loaded;

  private final Map<String, BlockMapProvider> providers = new ConcurrentHashMap<>();
  private volatile boolean active;

  /** The providers Declarative Services binds (empty outside OSGi). */
  static BlockMaps bound() {
    return BOUND;
  }

  /** What a mount uses: the DS registry once DS has activated the type, else ServiceLoader's. */
  static BlockMaps forMount() {
    return BOUND.active ? BOUND : serviceLoaded();
  }

  /** The providers {@link ServiceLoader} finds, looked for once. */
  static BlockMaps serviceLoaded() {
    BlockMaps maps = loaded;
    if (maps == null) {
      synchronized (BlockMaps.class) {
        maps = loaded;
        if (maps == null) {
          maps = new BlockMaps();
          Iterator<BlockMapProvider> it =
              ServiceLoader.load(BlockMapProvider.class, BlockMaps.class.getClassLoader())
                  .iterator();
          while (true) {
            try {
              if (!it.hasNext()) {
                break;
              }
              maps.add(it.next());
            } catch (ServiceConfigurationError e) {
              LOG.warn("block-mapping scheme provider skipped: {}", e.getMessage());
            }
          }
          loaded = maps;
        }
      }
    }
    return maps;
  }

  /** Marks the DS registry as the one to mount with. */
  void activate() {
    active = true;
  }

  void add(BlockMapProvider provider) {
    providers.put(provider.scheme(), provider);
  }

  /** Removes {@code provider}, unless another one has taken its scheme since. */
  void remove(BlockMapProvider provider) {
    providers.remove(provider.scheme(), provider);
  }

  /** The provider of {@code scheme}, or null. */
  BlockMapProvider get(String scheme) {
    return providers.get(scheme);
  }

  List<String> schemes() {
    return List.copyOf(new TreeSet<>(providers.keySet()));
  }
}
