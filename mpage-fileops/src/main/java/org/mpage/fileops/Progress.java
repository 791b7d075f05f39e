package org.mpage.fileops;

/**
 * Progress of one long copy, drawn by the front-end (a bar on a terminal, nothing in a script, a
 * status line in a shell). The layer calls {@link #update} as bytes are copied and {@link #finish}
 * once the copy is complete.
 */
public interface Progress {
  /** Draws nothing. */
  Progress NONE =
      new Progress() {
        @Override
        public void update(long done) {}

        @Override
        public void finish() {}
      };

  /** {@code done} bytes of the total are copied. */
  void update(long done);

  /** The copy is complete. */
  void finish();

  /** Where a front-end's progress comes from: one {@link Progress} per copied file. */
  @FunctionalInterface
  interface Factory {
    /** No progress at all. */
    Factory NONE = (label, total) -> Progress.NONE;

    /**
     * Progress for a copy of {@code total} bytes. The label is {@code put}, {@code get} or {@code
     * cat} and the image path; the path is not escaped (escape it with {@link Escape#name} before
     * it reaches a terminal).
     */
    Progress start(String label, long total);
  }
}
