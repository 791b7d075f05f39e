package org.mpage.bench.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;

/**
 * An image mounted the way {@code ./mpage} mounts it: file device, engine (1 MiB readahead, 64 MiB
 * cache), ext2, all found through {@link ServiceLoader}. {@code dataPath} is {@code mpage} or
 * {@code buffer}.
 */
final class Stack implements AutoCloseable {
  final BlockDevice device;
  final StorageEngine engine;
  final FileSystem fs;

  Stack(Path image, boolean readOnly, String dataPath) throws IOException {
    this(image, readOnly, dataPath, null);
  }

  /** With a BIO trace written to {@code trace} (null for none). */
  Stack(Path image, boolean readOnly, String dataPath, Path trace) throws IOException {
    Map<String, String> dev = new HashMap<>();
    dev.put("path", image.toString());
    dev.put("read.only", Boolean.toString(readOnly));
    this.device = provider(BlockDeviceProvider.class, "file").open("bench", dev);
    this.engine =
        ServiceLoader.load(StorageEngineFactory.class)
            .findFirst()
            .orElseThrow()
            .create(engineOptions(dataPath, trace));
    FileSystemType ext2 =
        ServiceLoader.load(FileSystemType.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(t -> t.name().equals("ext2"))
            .findFirst()
            .orElseThrow();
    this.fs = ext2.mount(device, engine, new MountOptions(readOnly, Map.of()));
  }

  private static Map<String, String> engineOptions(String dataPath, Path trace) {
    Map<String, String> o = new HashMap<>();
    o.put("read_ahead_kb", "1024");
    o.put("cache.pages", "16384");
    o.put("dirty.pages", "4096");
    o.put("data.path", dataPath);
    if (trace != null) {
      o.put("trace.file", trace.toString());
    }
    return o;
  }

  private static <T extends BlockDeviceProvider> BlockDeviceProvider provider(
      Class<T> type, String name) {
    return ServiceLoader.load(type).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + name + " device on the class path"));
  }

  long stat(String key) {
    return engine.statistics().getOrDefault(key, 0L);
  }

  @Override
  public void close() throws Exception {
    try {
      fs.close();
    } finally {
      engine.close();
      device.close();
    }
  }
}
