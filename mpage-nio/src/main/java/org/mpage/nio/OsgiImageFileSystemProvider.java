package org.mpage.nio;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.List;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.StorageEngine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The provider as an OSGi service ({@code scheme=ext2}): a bundle gets it from the registry and
 * calls {@code newFileSystem} on it, since the JDK's own lookup only sees providers on the system
 * class path. Its mounts use the framework's engine, file device provider and filesystem types, all
 * services; unmounting tells the shared engine to forget the image's device.
 */
@Component(
    service = FileSystemProvider.class,
    property = "scheme=" + ImageFileSystemProvider.SCHEME)
public final class OsgiImageFileSystemProvider extends ImageFileSystemProvider {
  @Activate
  public OsgiImageFileSystemProvider(
      @Reference StorageEngine engine,
      @Reference(policyOption = ReferencePolicyOption.GREEDY) List<BlockDeviceProvider> devices,
      @Reference(policyOption = ReferencePolicyOption.GREEDY) List<FileSystemType> types) {
    super(
        new ImageMount.Sources() {
          @Override
          public BlockDevice openFile(Path image, boolean readOnly) throws IOException {
            BlockDeviceProvider files =
                devices.stream()
                    .filter(p -> p.type().equals("file"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no 'file' block device service"));
            return ImageMount.openFile(files, image, readOnly);
          }

          @Override
          public FileSystemType type(String name) {
            return types.stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow(
                    () -> new IllegalStateException("no '" + name + "' filesystem type service"));
          }

          @Override
          public StorageEngine engine(ImageMount.Env env) {
            return engine;
          }

          @Override
          public void release(StorageEngine shared, BlockDevice device) {
            shared.forgetDevice(device);
          }
        });
  }
}
