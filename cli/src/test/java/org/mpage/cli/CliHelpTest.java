package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The command line's manners: help on stdout with status 0, each command's options, --version. */
class CliHelpTest {
  /**
   * The usage text as it was before the commands were split up (usage errors still print it), with
   * getfattr and setfattr added.
   */
  private static final String USAGE =
      String.join(
          "\n",
          "usage: mpage [--stats] [--trace FILE] [--data-path mpage|buffer] [--debug]"
              + " [--device file|ramdisk] [--fault TYPE[:KEY=VALUE,...]] [--read-only] COMMAND ...",
          "  info IMAGE                      superblock summary",
          "  ls [-l] IMAGE [PATH]            one name per line",
          "  cat IMAGE PATH                  bytes to stdout (symlinks followed)",
          "  stat IMAGE PATH",
          "  get [-r] IMAGE PATH LOCAL       copy out (symlinks kept as symlinks)",
          "  mkfs IMAGE SIZE|auto [--block-size 1024|2048|4096] [--from DIR|TAR|-] [--uuid UUID]"
              + " [--label LABEL] [--hash-seed UUID]  new ext2; with --from, built from a folder or"
              + " a tar (stdin: -)",
          "  put [-r] [--owner UID:GID] [--mode OCTAL] IMAGE LOCAL PATH  copy in (replaces an"
              + " existing file)",
          "  mknod [-m MODE] IMAGE PATH TYPE [MAJOR MINOR]",
          "  write IMAGE PATH [--offset N]   stdin written at offset N (file created if missing)",
          "  mkdir [-p] IMAGE PATH",
          "  rm [-r] IMAGE PATH",
          "  mv IMAGE FROM TO",
          "  ln [-s] IMAGE TARGET PATH",
          "  truncate IMAGE PATH SIZE",
          "  getfattr [-d] [-n NAME] [-m PATTERN] [-e ENC] IMAGE PATH",
          "  setfattr -n NAME [-v VALUE] | -x NAME IMAGE PATH",
          "  mount [-o ro] IMAGE DIR         FUSE mount in the foreground; fusermount -u or Ctrl-C"
              + " syncs and ends",
          "  plot TRACE [TRACE...] OUT.svg   BIO traces (--trace) drawn as sector against time",
          "  bench [--quick]                 the benchmark harness (./mpage bench)",
          "  container                       Felix with all bundles (./mpage container)");

  private static CliTest.Result mpage(String... args) {
    return CliWriteTest.mpage(args);
  }

  @Test
  void usageError_printsTheSameUsageTextAsBefore_onStderr_status2() {
    CliTest.Result r = mpage();
    assertEquals(2, r.status());
    assertEquals("", r.text());
    assertEquals("mpage: no command\n" + USAGE + "\n", r.err());
  }

  @Test
  void help_dashH_andDashDashHelp_printUsageOnStdout_status0() {
    for (String[] args : new String[][] {{"--help"}, {"-h"}, {"help"}, {"--stats", "--help"}}) {
      CliTest.Result r = mpage(args);
      assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
      assertEquals("", r.err());
      assertTrue(r.text().startsWith(USAGE + "\n"), r.text());
      assertTrue(r.text().contains("\n  --version "), r.text());
      assertTrue(r.text().contains("mpage help COMMAND"), r.text());
    }
  }

  @Test
  void helpCommand_namesEveryOptionOfItsSynopsis() {
    Pattern option = Pattern.compile("\\[(--?[a-z-]+)");
    for (Map.Entry<String, Usage.Command> c : Usage.COMMANDS.entrySet()) {
      CliTest.Result r = mpage("help", c.getKey());
      assertEquals(0, r.status(), c.getKey() + ": " + r.err());
      assertEquals("", r.err());
      String text = r.text();
      assertTrue(text.startsWith("usage: mpage " + c.getValue().synopsis() + "\n"), text);
      String options = text.substring(text.indexOf("\noptions:"));
      Matcher m = option.matcher(c.getValue().synopsis());
      boolean any = false;
      while (m.find()) {
        any = true;
        assertTrue(options.contains("\n  " + m.group(1) + " "), c.getKey() + ": " + text);
      }
      if (!any) {
        assertTrue(options.startsWith("\noptions: none\n"), text);
      }
    }
    assertEquals(mpage("help", "get").text(), mpage("get", "--help").text());
    assertEquals(0, mpage("put", "-h").status());
  }

  @Test
  void helpUnknownCommand_isAUsageError() {
    CliTest.Result r = mpage("help", "frobnicate");
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("mpage: unknown command frobnicate\n"), r.err());
  }

  @Test
  void version_printsTheProjectVersion() {
    CliTest.Result r = mpage("--version");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.text().matches("mpage \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n"), r.text());
    assertEquals(2, mpage("--version", "extra").status());
  }
}
