package org.mpage.jpmslaunch;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.ServiceLoader;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;

/**
 * {@code ReadFile IMAGE PATH}: mounts an ext2 image read-only, with every part found through
 * ServiceLoader, and copies the file at PATH to stdout.
 */
public final class ReadFile {
  private ReadFile() {}

  public static void main(String[] args) throws Exception {
    BlockDeviceProvider files =
        ServiceLoader.load(BlockDeviceProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.type().equals("file"))
            .findFirst()
            .orElseThrow();
    FileSystemType ext2 =
        ServiceLoader.load(FileSystemType.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(t -> t.name().equals("ext2"))
            .findFirst()
            .orElseThrow();
    StorageEngineFactory factory =
        ServiceLoader.load(StorageEngineFactory.class).findFirst().orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BlockDevice dev = files.open("image", Map.of("path", args[0], "read.only", "true"));
        StorageEngine engine = factory.create(Map.of())) {
      FileSystem fs = ext2.mount(dev, engine, new MountOptions(true, Map.of()));
      try (FileHandle file = fs.open(args[1])) {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long pos = 0;
        int n;
        while ((n = file.read(pos, buf.clear())) > 0) {
          out.write(buf.array(), 0, n);
          pos += n;
        }
      } finally {
        fs.close();
      }
    }
    System.out.write(out.toByteArray());
    System.out.flush();
  }
}
