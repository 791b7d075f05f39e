package org.mpage.api.page;

/** Writeback mode: the kernel's {@code enum writeback_sync_modes}. */
public enum SyncMode {
  /** Background writeback: skip what is busy, stop when the quota is used. */
  NONE,
  /** Data integrity (fsync, sync): wait for pages under writeback and write every dirty page. */
  ALL
}
