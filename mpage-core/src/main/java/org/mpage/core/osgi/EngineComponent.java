package org.mpage.core.osgi;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioListener;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.fs.CachedFileData;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.Inode;
import org.mpage.core.MpageEngine;
import org.mpage.core.MpageEngineFactory;
import org.mpage.core.block.BioTracer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The mpage engine as a service: one page cache, buffer layer, mpage engine and flusher for every
 * filesystem in the framework. Configured through PID {@code org.mpage.core.engine}; a new
 * configuration restarts the engine (and with it the mounts that use it). {@link BioListener}
 * services hear of every BIO dispatched to a device; while none is bound, no tracer is installed.
 */
@Component(service = StorageEngine.class, configurationPid = EngineComponent.PID)
@Designate(ocd = EngineComponent.Config.class)
public final class EngineComponent implements StorageEngine {
  static final String PID = "org.mpage.core.engine";

  /** The engine's tunables. */
  @ObjectClassDefinition(name = "mpage engine", description = "Page cache and readahead")
  public @interface Config {
    @AttributeDefinition(name = "Cache pages", description = "Page cache limit, 4 KiB pages")
    long cache_pages() default 65536;

    @AttributeDefinition(name = "Readahead", description = "Largest readahead window, KiB")
    int read_ahead_kb() default 128;

    @AttributeDefinition(name = "Revision", description = "fs/mpage.c revision: 2.6, 5, 6.0, 6.3")
    String revision() default "6.3";
  }

  private final MpageEngine engine;
  private final List<BioListener> listeners = new CopyOnWriteArrayList<>();

  @Activate
  public EngineComponent(Config config) {
    this.engine =
        new MpageEngineFactory()
            .createEngine(
                Map.of(
                    "cache.pages", Long.toString(config.cache_pages()),
                    "read_ahead_kb", Integer.toString(config.read_ahead_kb()),
                    "revision", config.revision()));
  }

  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
  synchronized void addBioListener(BioListener listener) {
    listeners.add(listener);
    engine.setTracer(this::trace);
  }

  synchronized void removeBioListener(BioListener listener) {
    listeners.remove(listener);
    if (listeners.isEmpty()) {
      engine.setTracer(null);
    }
  }

  private void trace(BioTracer.Action action, Bio bio) {
    if (action != BioTracer.Action.DISPATCH) {
      return;
    }
    String device = bio.bdev().name();
    for (BioListener l : listeners) {
      try {
        l.dispatched(device, bio.op(), bio.sector(), bio.sectors());
      } catch (RuntimeException e) {
        // a listener's fault must not fail the BIO; the contract says it never throws
      }
    }
  }

  @Deactivate
  void deactivate() {
    engine.close();
  }

  @Override
  public BufferCache bufferCache(BlockDevice device, int blockSize) {
    return engine.bufferCache(device, blockSize);
  }

  @Override
  public CachedFileData cachedFile(String name, Inode inode, GetBlock getBlock, String pool) {
    return engine.cachedFile(name, inode, getBlock, pool);
  }

  @Override
  public CachedFileData cachedFileAllocatingOnWrite(
      String name, Inode inode, GetBlock getBlock, String pool) {
    return engine.cachedFileAllocatingOnWrite(name, inode, getBlock, pool);
  }

  @Override
  public void forgetDevice(BlockDevice device) {
    engine.forgetDevice(device);
  }

  @Override
  public org.mpage.api.block.BlockStatus flush(BlockDevice device) {
    return engine.flush(device);
  }

  @Override
  public org.mpage.api.block.BlockStatus submitBioWait(org.mpage.api.block.Bio bio) {
    return engine.submitBioWait(bio);
  }

  @Override
  public Map<String, Long> statistics() {
    return engine.statistics();
  }

  @Override
  public Map<String, Long> statistics(String pool) {
    return engine.statistics(pool);
  }

  /** The framework owns this engine: it closes when the component deactivates. */
  @Override
  public void close() {}
}
