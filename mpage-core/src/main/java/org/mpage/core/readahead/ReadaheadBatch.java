package org.mpage.core.readahead;

import java.util.ArrayList;
import java.util.List;
import org.mpage.api.page.AddressSpace;
import org.mpage.api.page.Folio;
import org.mpage.api.page.ReadaheadControl;
import org.mpage.core.pagecache.Mapping;

/**
 * A run of consecutive, locked, newly added folios handed to a filesystem's readahead: the kernel's
 * {@code readahead_control} between {@code page_cache_ra_unbounded} and {@code read_pages}. Not
 * thread-safe.
 */
final class ReadaheadBatch implements ReadaheadControl {
  private final Mapping mapping;
  private final List<Folio> folios = new ArrayList<>();
  private long index;
  private int taken;

  ReadaheadBatch(Mapping mapping, long index) {
    this.mapping = mapping;
    this.index = index;
  }

  void add(Folio folio) {
    folios.add(folio);
  }

  boolean isEmpty() {
    return folios.size() == taken;
  }

  @Override
  public AddressSpace mapping() {
    return mapping;
  }

  @Override
  public Folio nextFolio() {
    if (taken > 0) {
      index++;
    }
    if (taken == folios.size()) {
      return null;
    }
    return folios.get(taken++);
  }

  @Override
  public int count() {
    // Pages left including the one last returned, as readahead_count() after readahead_folio().
    return folios.size() - taken + (taken > 0 ? 1 : 0);
  }

  @Override
  public long index() {
    return index;
  }

  /** Folios the filesystem did not take: unlock them unread. */
  List<Folio> untaken() {
    List<Folio> rest = new ArrayList<>(folios.subList(taken, folios.size()));
    taken = folios.size();
    return rest;
  }

  /** All folios of the batch, for dropping the batch's pins. */
  List<Folio> all() {
    return folios;
  }
}
