/**
 * A FUSE mount of an image: {@link org.mpage.fuse.FuseMount} shows a mounted {@link
 * org.mpage.api.fs.FileSystem} at a host directory through libfuse 2 (jnr-fuse), a thin adapter
 * that keeps no file data of its own and answers errors with the errnos of the file-operations
 * layer ({@link org.mpage.fileops.Errors#errno}). A front-end like the command line, not a bundle.
 */
package org.mpage.fuse;
