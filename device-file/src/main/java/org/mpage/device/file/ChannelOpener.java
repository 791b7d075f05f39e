package org.mpage.device.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/** How the device opens its channels; a seam for tests that count system calls. */
@FunctionalInterface
public interface ChannelOpener {
  /** The plain {@link FileChannel#open}. */
  ChannelOpener DEFAULT = FileChannel::open;

  FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
}
