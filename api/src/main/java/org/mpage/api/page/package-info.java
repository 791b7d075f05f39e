/**
 * Page cache contracts: folios, buffer heads, the filesystem's {@code get_block}, address spaces,
 * writeback and readahead control, and the cleancache SPI.
 */
@Export
@Version("1.1.0")
package org.mpage.api.page;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
