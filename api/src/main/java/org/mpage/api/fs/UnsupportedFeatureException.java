package org.mpage.api.fs;

import java.io.IOException;
import java.util.List;

/** The filesystem uses features this driver does not implement; the mount is refused. */
public class UnsupportedFeatureException extends IOException {
  private static final long serialVersionUID = 1L;

  private final List<String> features;

  public UnsupportedFeatureException(String fsType, List<String> features) {
    super("unsupported " + fsType + " feature(s): " + String.join(", ", features));
    this.features = List.copyOf(features);
  }

  /** The names of the unsupported features, as e2fsprogs spells them. */
  public List<String> features() {
    return features;
  }
}
