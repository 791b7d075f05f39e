package org.mpage.nio;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import org.mpage.api.fs.FsInfo;

/** The one store of an image: its sizes come from the superblock's counters. */
final class ImageFileStore extends FileStore {
  private final ImageFileSystem fs;

  ImageFileStore(ImageFileSystem fs) {
    this.fs = fs;
  }

  private FsInfo info() throws IOException {
    return fs.call(api -> api.info());
  }

  @Override
  public String name() {
    return fs.image().toString();
  }

  @Override
  public String type() {
    try {
      return info().type();
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public boolean isReadOnly() {
    return fs.isReadOnly();
  }

  @Override
  public long getTotalSpace() throws IOException {
    FsInfo i = info();
    return i.blocksCount() * i.blockSize();
  }

  @Override
  public long getUsableSpace() throws IOException {
    return getUnallocatedSpace();
  }

  @Override
  public long getUnallocatedSpace() throws IOException {
    FsInfo i = info();
    return i.freeBlocks() * i.blockSize();
  }

  @Override
  public long getBlockSize() throws IOException {
    return info().blockSize();
  }

  @Override
  public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
    return ImageAttributeViews.supports(type)
        || type == java.nio.file.attribute.UserDefinedFileAttributeView.class;
  }

  @Override
  public boolean supportsFileAttributeView(String name) {
    return ImageAttributeViews.NAMES.contains(name) || name.equals(ImageUserAttributes.NAME);
  }

  @Override
  public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
    return null;
  }

  @Override
  public Object getAttribute(String attribute) throws IOException {
    return switch (attribute) {
      case "totalSpace" -> getTotalSpace();
      case "usableSpace" -> getUsableSpace();
      case "unallocatedSpace" -> getUnallocatedSpace();
      case "blockSize" -> getBlockSize();
      default -> throw new UnsupportedOperationException("no store attribute " + attribute);
    };
  }

  @Override
  public String toString() {
    return name() + " (" + type() + ")";
  }
}
