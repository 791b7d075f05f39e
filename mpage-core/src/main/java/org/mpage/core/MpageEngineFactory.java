package org.mpage.core;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;
import org.mpage.core.block.BlkTraceWriter;
import org.mpage.core.mpage.Revision;

/**
 * Makes {@link MpageEngine}s for {@link java.util.ServiceLoader} users. Options: {@code
 * cache.pages}, {@code dirty.pages}, {@code read_ahead_kb}, {@code revision} (2.6, 5, 6.0, 6.3),
 * {@code data.path} ({@code mpage}, or {@code buffer} for the buffer path only) and {@code
 * trace.file} (a BIO trace, see {@link BlkTraceWriter}).
 */
@ServiceProvider(value = StorageEngineFactory.class, resolution = Resolution.OPTIONAL)
public final class MpageEngineFactory implements StorageEngineFactory {
  @Override
  public StorageEngine create(Map<String, String> options) {
    return createEngine(options);
  }

  /** {@link #create}, typed: for the DS component, which installs BIO listeners on it. */
  public MpageEngine createEngine(Map<String, String> options) {
    MpageEngine.Config c = MpageEngine.Config.defaults();
    long pages = number(options, "cache.pages", c.cacheLimitPages());
    long dirty = number(options, "dirty.pages", Math.min(pages, Math.max(1, pages / 5)));
    c = c.withCacheLimit(pages, dirty);
    c = c.withReadAheadKb((int) number(options, "read_ahead_kb", c.readAheadKb()));
    String rev = options.get("revision");
    if (rev != null) {
      c = c.withRevision(revision(rev));
    }
    MpageEngine engine = new MpageEngine(c);
    String path = options.getOrDefault("data.path", "mpage");
    switch (path) {
      case "mpage" -> {}
      case "buffer" -> engine.setBufferPathOnly(true);
      default -> throw new IllegalArgumentException("data.path must be mpage or buffer: " + path);
    }
    String trace = options.get("trace.file");
    if (trace != null) {
      try {
        engine.setTracer(new BlkTraceWriter(Path.of(trace)));
      } catch (IOException e) {
        engine.close();
        throw new UncheckedIOException(trace + ": cannot write the trace: " + e.getMessage(), e);
      }
    }
    return engine;
  }

  private static long number(Map<String, String> options, String key, long dflt) {
    String v = options.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + key + " must be a number: " + v, e);
    }
  }

  private static Revision revision(String v) {
    return switch (v.trim()) {
      case "2.6" -> Revision.V2_6;
      case "5" -> Revision.V5;
      case "6.0" -> Revision.V6_0;
      case "6.3" -> Revision.V6_3;
      default -> throw new IllegalArgumentException("revision must be 2.6, 5, 6.0 or 6.3: " + v);
    };
  }
}
