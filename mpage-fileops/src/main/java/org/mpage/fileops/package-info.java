/**
 * File operations over a mounted {@link org.mpage.api.fs.FileSystem}, written once for every
 * front-end (the command line, the Gogo shell, and later a java.nio.file provider and a FUSE
 * mount): copy in and out with progress, recursive remove, {@code mkdir -p}, listing, {@code stat}
 * and {@code info} text, name escaping, and the mapping of an exception to one line {@code mpage:
 * <path>: <reason>} and an exit status. A front-end parses its own arguments, supplies where
 * output, failures and progress go ({@link org.mpage.fileops.Reporter}, {@link
 * org.mpage.fileops.Progress.Factory}) and calls {@link org.mpage.fileops.FileOps}.
 */
@Export
@Version("1.0.0")
package org.mpage.fileops;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
