package org.mpage.device.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;

/**
 * The protocol against a scripted server: the fallback to {@code NBD_OPT_EXPORT_NAME}, an error
 * reply to {@code NBD_OPT_GO}, replies out of order matched by handle, {@code NBD_CMD_DISC} on
 * close; URIs; the provider through {@link ServiceLoader}.
 */
class NbdProtocolTest {
  private static Folio page() {
    return new Folio(null, 0, ByteBuffer.allocateDirect(Folio.PAGE_SIZE));
  }

  @Test
  void withoutOptGo_exportNameIsUsed_repliesOutOfOrderAreMatched_andCloseDisconnects()
      throws Exception {
    try (FakeServer server = new FakeServer(FakeServer.Go.UNSUPPORTED, 4)) {
      BlockDevice dev = NbdDevice.open(NbdDeviceConfig.of("fake", server.uri()));
      assertEquals((1 << 20) / 512, dev.capacitySectors());
      List<Folio> pages = new ArrayList<>();
      List<CompletableFuture<BlockStatus>> done = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Folio p = page();
        pages.add(p);
        Bio bio = new Bio(dev, BioOp.READ, Set.of(), 1);
        bio.setSector(i * 8L + 1);
        bio.addFolio(p, Folio.PAGE_SIZE, 0);
        CompletableFuture<BlockStatus> f = new CompletableFuture<>();
        bio.setEndIo(b -> f.complete(b.status()));
        done.add(f);
        dev.submit(bio);
      }
      for (int i = 0; i < 4; i++) {
        assertEquals(BlockStatus.OK, done.get(i).get(10, TimeUnit.SECONDS));
        long at = (i * 8L + 1) * 512;
        for (int k = 0; k < Folio.PAGE_SIZE; k += 511) {
          assertEquals(
              (byte) (at + k), pages.get(i).rawMemory().get(k), "page " + i + " byte " + k);
        }
      }
      dev.close();
      assertEquals(
          List.of(Nbd.CMD_READ, Nbd.CMD_READ, Nbd.CMD_READ, Nbd.CMD_READ, Nbd.CMD_DISC),
          server.commands.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void tlsRequired_isRefusedWithItsReason() throws Exception {
    try (FakeServer server = new FakeServer(FakeServer.Go.TLS_REQUIRED, 1)) {
      IOException e =
          assertThrows(
              IOException.class, () -> NbdDevice.open(NbdDeviceConfig.of("f", server.uri())));
      assertEquals(
          "export 'fake': the server requires TLS, which this client does not speak",
          e.getMessage());
    }
  }

  @Test
  void uris_parseOrSayWhatIsWrong() {
    NbdUri tcp = NbdUri.parse("nbd://example.org/disk%20one");
    assertEquals("example.org", tcp.host());
    assertEquals(NbdUri.DEFAULT_PORT, tcp.port());
    assertEquals("disk one", tcp.export());
    NbdUri v6 = NbdUri.parse("nbd://[::1]:10810/");
    assertEquals("::1", v6.host());
    assertEquals(10810, v6.port());
    assertEquals("", v6.export());
    NbdUri unix = NbdUri.parse("nbd+unix:///d?socket=/tmp/x.sock");
    assertTrue(unix.isUnix());
    assertEquals("/tmp/x.sock", unix.socket().toString());
    assertEquals("d", unix.export());
    for (String[] bad :
        new String[][] {
          {"nbds://h/e", "nbds://h/e: NBD over TLS is not supported"},
          {"nbd+unix:///e", "nbd+unix:///e: no socket (nbd+unix:///EXPORT?socket=PATH)"},
          {"nbd:///e", "nbd:///e: no host (nbd://HOST[:PORT]/EXPORT)"},
          {"nbd://h:0/e", "nbd://h:0/e: port 0 is not in 1..65535"},
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> NbdUri.parse(bad[0]));
      assertEquals(bad[1], e.getMessage());
    }
  }

  @Test
  void provider_isFoundByType_andNeedsAUri() {
    BlockDeviceProvider p =
        ServiceLoader.load(BlockDeviceProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(x -> x.type().equals("nbd"))
            .findFirst()
            .orElseThrow();
    assertEquals("org.mpage.device.nbd", p.factoryPid());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> p.open("n", Map.of()));
    assertEquals("nbd device n: option 'uri' is required", e.getMessage());
  }

  @Test
  void component_activationFailsNamingTheUri() throws Exception {
    String uri = "nbd://127.0.0.1:" + NbdServer.freePort() + "/x";
    IOException e =
        assertThrows(IOException.class, () -> new NbdDeviceComponent(NbdDeviceConfig.of("c", uri)));
    assertEquals(uri + ": connection refused", e.getMessage());
  }

  @Test
  void silentServer_handshakeTimesOut() throws Exception {
    // The kernel accepts the connection into the backlog; nobody ever speaks.
    try (java.nio.channels.ServerSocketChannel silent =
        java.nio.channels.ServerSocketChannel.open()) {
      silent.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
      int port = ((java.net.InetSocketAddress) silent.getLocalAddress()).getPort();
      long t0 = System.nanoTime();
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  NbdDevice.open(
                      NbdDeviceConfig.of("s", "nbd://127.0.0.1:" + port + "/x")
                          .withTimeouts(500, 1_000, 1_000)));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals("the handshake took longer than 500 ms", e.getMessage());
      assertTrue(ms < 3_000, "gave up after " + ms + " ms");
    }
  }

  @Test
  void unknownHost_saysWhich() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> NbdDevice.open(NbdDeviceConfig.of("h", "nbd://no.such.host.invalid/x")));
    assertEquals("unknown host no.such.host.invalid", e.getMessage());
  }
}
