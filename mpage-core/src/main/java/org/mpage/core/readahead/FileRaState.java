package org.mpage.core.readahead;

/**
 * Readahead state of one open file: the kernel's {@code struct file_ra_state}. Used by one reader
 * at a time (the open file's own lock guards it).
 *
 * <pre>
 *                 |<------------------ size ------------------>|
 *                 |                     |<---- asyncSize ----->|
 *   ==============#=====================#======================#==========
 *                 ^start                ^marker page            ^start+size
 *                                       (READAHEAD flag)
 * </pre>
 *
 * When the reader reaches the marker page the next window, starting at {@code start + size}, is
 * read asynchronously, so a sequential reader never waits once the window has ramped up.
 */
public final class FileRaState {
  long start;
  int size;
  int asyncSize;
  int raPages;
  long prevPos = -1;

  /**
   * @param raPages the most pages one window may hold (read_ahead_kb / 4)
   */
  public FileRaState(int raPages) {
    if (raPages < 0) {
      throw new IllegalArgumentException("negative readahead window " + raPages);
    }
    this.raPages = raPages;
  }

  public long start() {
    return start;
  }

  public int size() {
    return size;
  }

  public int asyncSize() {
    return asyncSize;
  }

  public int raPages() {
    return raPages;
  }

  public long prevPos() {
    return prevPos;
  }

  /** Records the end of the last read, for sequential detection. */
  public void setPrevPos(long pos) {
    this.prevPos = pos;
  }

  @Override
  public String toString() {
    return "FileRaState{start=" + start + " size=" + size + " async=" + asyncSize + "}";
  }
}
