package org.mpage.core.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.Inode;
import org.mpage.api.page.NoSpaceException;

/**
 * A get_block whose answers are scripted per file block and whose calls are logged: mapped blocks
 * (extents as long as the physical blocks continue, stopping after a boundary block), holes, blocks
 * the "filesystem" fills itself (UPTODATE), errors, and allocation on create.
 */
public final class ScriptedGetBlock implements GetBlock {
  /** One logged call. */
  public record Call(long iblock, int requestedBytes, boolean create) {
    @Override
    public String toString() {
      return (create ? "create " : "") + iblock + "+" + requestedBytes;
    }
  }

  private final BlockDevice bdev;
  private final int blockBits;
  private final Map<Long, Long> map = new HashMap<>();
  private final Set<Long> boundary = new HashSet<>();
  private final Set<Long> uptodate = new HashSet<>();
  private final Map<Long, IOException> errors = new HashMap<>();
  private final Map<Long, IOException> createErrors = new HashMap<>();
  private final Map<Long, Long> planned = new HashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private final List<Long> allocated = new ArrayList<>();
  private boolean multiBlock = true;
  private LongSupplier allocator =
      () -> {
        throw new IllegalStateException("no allocator scripted");
      };
  private LongConsumer beforeMapping = b -> {};
  private LongConsumer onCall = b -> {};

  public ScriptedGetBlock(BlockDevice bdev, int blockBits) {
    this.bdev = bdev;
    this.blockBits = blockBits;
  }

  /** Maps file blocks {@code first..first+count-1} to {@code phys..phys+count-1}. */
  public ScriptedGetBlock map(long first, long phys, int count) {
    for (int i = 0; i < count; i++) {
      map.put(first + i, phys + i);
    }
    return this;
  }

  public ScriptedGetBlock boundaryAt(long iblock) {
    boundary.add(iblock);
    return this;
  }

  /** The block is mapped to {@code phys} and filled by the filesystem with {@link #fsByte}. */
  public ScriptedGetBlock uptodateAt(long iblock, long phys) {
    map.put(iblock, phys);
    uptodate.add(iblock);
    return this;
  }

  public ScriptedGetBlock errorAt(long iblock, IOException e) {
    errors.put(iblock, e);
    return this;
  }

  /** Allocation of {@code iblock} fails with ENOSPC. */
  public ScriptedGetBlock noSpaceAt(long iblock) {
    createErrors.put(iblock, new NoSpaceException("no space for block " + iblock));
    return this;
  }

  /** When {@code iblock} is allocated, it gets {@code phys} (instead of the allocator's next). */
  public ScriptedGetBlock allocationFor(long iblock, long phys) {
    planned.put(iblock, phys);
    return this;
  }

  /** Map one block per call, as a get_block without the multi-block contract. */
  public ScriptedGetBlock singleBlock() {
    multiBlock = false;
    return this;
  }

  /** Physical blocks handed out, in order, to unmapped blocks asked with create. */
  public ScriptedGetBlock allocateFrom(long... physical) {
    long[] next = {0};
    allocator =
        () -> {
          if (next[0] >= physical.length) {
            throw new IllegalStateException("allocator exhausted");
          }
          return physical[(int) next[0]++];
        };
    return this;
  }

  public ScriptedGetBlock allocator(LongSupplier supplier) {
    this.allocator = supplier;
    return this;
  }

  /** Runs before every mapping answer, e.g. to read an indirect block. */
  public ScriptedGetBlock beforeMapping(LongConsumer hook) {
    this.beforeMapping = hook;
    return this;
  }

  /** Runs on every call before anything else. */
  public ScriptedGetBlock onCall(LongConsumer hook) {
    this.onCall = hook;
    return this;
  }

  /** The byte a filesystem that fills block data itself puts at file offset {@code pos}. */
  public static byte fsByte(long pos) {
    return (byte) (0xA5 ^ (pos * 13));
  }

  @Override
  public synchronized void getBlock(Inode inode, long iblock, BufferHead bh, boolean create)
      throws IOException {
    calls.add(new Call(iblock, bh.size(), create));
    onCall.accept(iblock);
    IOException err = errors.get(iblock);
    if (err != null) {
      throw err;
    }
    int bs = 1 << blockBits;
    Long phys = map.get(iblock);
    if (phys == null) {
      if (!create) {
        return; // hole: unmapped, size untouched
      }
      IOException cerr = createErrors.get(iblock);
      if (cerr != null) {
        throw cerr;
      }
      Long plan = planned.get(iblock);
      phys = plan != null ? plan : allocator.getAsLong();
      map.put(iblock, phys);
      allocated.add(iblock);
      bh.set(BhState.NEW);
    }
    beforeMapping.accept(iblock);
    bh.map(bdev, phys);
    if (uptodate.contains(iblock)) {
      fill(bh, iblock, bs);
      bh.set(BhState.UPTODATE);
      bh.setSize(bs);
      return;
    }
    int max = multiBlock ? Math.max(1, bh.size() / bs) : 1;
    int count = 1;
    while (count < max
        && !boundary.contains(iblock + count - 1)
        && Long.valueOf(phys + count).equals(map.get(iblock + count))
        && !uptodate.contains(iblock + count)
        && !errors.containsKey(iblock + count)) {
      count++;
    }
    bh.setSize(count * bs);
    if (boundary.contains(iblock + count - 1)) {
      bh.set(BhState.BOUNDARY);
    }
  }

  private static void fill(BufferHead bh, long iblock, int bs) {
    Folio folio = bh.folio();
    if (folio == null) {
      return;
    }
    long pos = iblock * bs;
    int offset = (int) (pos - folio.pos());
    for (int i = 0; i < bs; i++) {
      folio.rawMemory().put(offset + i, fsByte(pos + i));
    }
  }

  public synchronized List<Call> calls() {
    return new ArrayList<>(calls);
  }

  /** Calls as strings, e.g. {@code "0+32768"} or {@code "create 4+1024"}. */
  public synchronized List<String> callBriefs() {
    List<String> out = new ArrayList<>();
    for (Call c : calls) {
      out.add(c.toString());
    }
    return out;
  }

  public synchronized void clearCalls() {
    calls.clear();
  }

  /** File blocks allocated by create calls, in order. */
  public synchronized List<Long> allocated() {
    return new ArrayList<>(allocated);
  }

  /** The physical block of {@code iblock}, or null. */
  public synchronized Long physical(long iblock) {
    return map.get(iblock);
  }
}
