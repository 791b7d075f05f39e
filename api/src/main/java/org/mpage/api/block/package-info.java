/**
 * The block layer contracts: the {@link org.mpage.api.block.BlockDevice} SPI that backends
 * implement, and the {@link org.mpage.api.block.Bio} requests the engine hands them.
 */
@Export
@Version("2.3.0")
package org.mpage.api.block;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
