package org.mpage.api.fs;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/** Makes engines without OSGi: found with {@link java.util.ServiceLoader}. */
@ConsumerType
public interface StorageEngineFactory {
  /**
   * A new engine. Options: {@code cache.pages}, {@code dirty.pages}, {@code read_ahead_kb}, {@code
   * revision} (2.6, 5, 6.0, 6.3).
   */
  StorageEngine create(Map<String, String> options);
}
