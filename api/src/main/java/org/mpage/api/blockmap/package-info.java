/**
 * Block-mapping schemes as services: how a filesystem finds the disk blocks of a file's blocks (the
 * read side of a {@code get_block}). A filesystem bundle asks for a scheme by name, per inode, and
 * a provider bundle (such as ext4's extent tree) supplies it, as a Declarative Services component
 * in OSGi or through {@link java.util.ServiceLoader} elsewhere.
 */
@Export
@Version("1.0.0")
package org.mpage.api.blockmap;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
