package org.mpage.core.mpage;

/**
 * Which kernel revision's optional behaviour the engine shows. Bug fixes of later revisions are
 * always in (the read BIO cap, guard_bio_eod zeroing every cut segment, no allocation for a page
 * wholly beyond EOF, cleaning buffers before unlock); what differs is the capabilities each era
 * had, switched the way the kernel switched them.
 */
public enum Revision {
  /**
   * 2.6: as {@link #V6_3} on the engine paths; page-list {@code mpage_readpages} and single-page
   * {@code mpage_writepage} (returning EAGAIN when confused) are available in every revision, and
   * the 2.6 error reporting (the first fsync overall sees an error, through {@code AS_EIO}) is used
   * by open files.
   */
  V2_6(false, false, true),
  /**
   * 5.x (3.16 to 5.16): the synchronous {@code rw_page} fast path for devices that offer it, and
   * the cleancache lookup before reading a one-block-per-page folio.
   */
  V5(true, true, false),
  /** 6.0 to 6.2: folios, the {@code rw_page} fast path still there, cleancache gone. */
  V6_0(true, false, false),
  /** 6.3 and later, the default: ordinary BIOs only, separate read and write completions. */
  V6_3(false, false, false);

  private final boolean rwPage;
  private final boolean cleancache;
  private final boolean asErrorFlags;

  Revision(boolean rwPage, boolean cleancache, boolean asErrorFlags) {
    this.rwPage = rwPage;
    this.cleancache = cleancache;
    this.asErrorFlags = asErrorFlags;
  }

  /** Use {@code bdev_read_page}/{@code bdev_write_page} when the device has {@code rw_page}. */
  public boolean rwPage() {
    return rwPage;
  }

  /** Ask the cleancache before reading a fully mapped one-block-per-page folio. */
  public boolean cleancache() {
    return cleancache;
  }

  /** fsync reports errors through the 2.6 {@code AS_EIO}/{@code AS_ENOSPC} flags, not errseq. */
  public boolean asErrorFlags() {
    return asErrorFlags;
  }
}
