/**
 * Filesystems and what they need from the engine: the {@link org.mpage.api.fs.FileSystemType} SPI
 * that filesystems implement, the mounted {@link org.mpage.api.fs.FileSystem} users call, and the
 * {@link org.mpage.api.fs.StorageEngine} (page cache, mpage, buffer cache) the core provides.
 */
@Export
@Version("1.7.0")
package org.mpage.api.fs;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
