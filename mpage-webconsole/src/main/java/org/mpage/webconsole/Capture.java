package org.mpage.webconsole;

import org.mpage.api.block.BioListener;
import org.mpage.api.block.BioOp;

/**
 * BIO capture that is on only while somebody looks: each poll of the page {@link #touch}es it,
 * which registers it as a {@link BioListener} (so that the engine installs its tracer) for {@code
 * captureNanos}; {@link #expire} unregisters it after that and forgets the ring, so that a closed
 * page costs the block layer nothing.
 */
final class Capture implements BioListener {
  /** Registers a listener as a service; closing the handle unregisters it. */
  interface Registrar {
    AutoCloseable register(BioListener listener);
  }

  private final IoRing ring;
  private final Registrar registrar;
  private final long captureNanos;
  private long untilNanos;
  private AutoCloseable registration;

  Capture(IoRing ring, Registrar registrar, long captureNanos) {
    this.ring = ring;
    this.registrar = registrar;
    this.captureNanos = captureNanos;
  }

  /** Somebody looked at {@code now}: capture (on, or on for longer). */
  synchronized void touch(long now) {
    untilNanos = now + captureNanos;
    if (registration == null) {
      registration = registrar.register(this);
    }
  }

  /** Switches capture off if nobody looked for {@code captureNanos}. */
  synchronized void expire(long now) {
    if (registration != null && now - untilNanos > 0) {
      close();
    }
  }

  synchronized boolean capturing() {
    return registration != null;
  }

  /** Off now, the ring emptied. */
  synchronized void close() {
    AutoCloseable r = registration;
    registration = null;
    if (r != null) {
      try {
        r.close();
      } catch (Exception e) {
        // the listener's service is gone already (bundle stopping)
      }
    }
    ring.clear();
  }

  @Override
  public void dispatched(String device, BioOp op, long sector, long sectors) {
    ring.record(System.nanoTime(), device, op, sector, sectors);
  }
}
