/**
 * A {@link java.nio.file.spi.FileSystemProvider} for images: {@code
 * FileSystems.newFileSystem(Path.of("disk.img"))} mounts the image through the engine, and the
 * usual {@link java.nio.file.Files} calls work on the paths it gives. URIs follow the zip
 * filesystem's form: {@code ext2:file:///path/disk.img!/dir/file}.
 */
@Export
@Version("1.0.0")
package org.mpage.nio;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
