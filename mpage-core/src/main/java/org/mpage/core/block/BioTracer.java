package org.mpage.core.block;

import org.mpage.api.block.Bio;

/**
 * Observer of BIO events, like blktrace's queue (Q), dispatch (D) and complete (C) actions. Called
 * on the submitting or completing thread: implementations must be quick and thread-safe.
 */
@FunctionalInterface
public interface BioTracer {
  /** What happened to a BIO. */
  enum Action {
    /** Submitted by the engine ({@code submit_bio}). */
    QUEUE,
    /** Handed to the device, possibly merged with others. */
    DISPATCH,
    /** Completed by the device. */
    COMPLETE
  }

  void event(Action action, Bio bio);
}
