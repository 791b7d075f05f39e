package org.mpage.core;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.util.Map;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;
import org.mpage.core.mpage.Revision;

/** Makes {@link MpageEngine}s for {@link java.util.ServiceLoader} users. */
@ServiceProvider(value = StorageEngineFactory.class, resolution = Resolution.OPTIONAL)
public final class MpageEngineFactory implements StorageEngineFactory {
  @Override
  public StorageEngine create(Map<String, String> options) {
    MpageEngine.Config c = MpageEngine.Config.defaults();
    long pages = number(options, "cache.pages", c.cacheLimitPages());
    long dirty = number(options, "dirty.pages", Math.min(pages, Math.max(1, pages / 5)));
    c = c.withCacheLimit(pages, dirty);
    c = c.withReadAheadKb((int) number(options, "read_ahead_kb", c.readAheadKb()));
    String rev = options.get("revision");
    if (rev != null) {
      c = c.withRevision(revision(rev));
    }
    return new MpageEngine(c);
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
