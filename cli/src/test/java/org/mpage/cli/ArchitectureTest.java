package org.mpage.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mpage.device.fake.DeviceReachingIntoCore;
import org.mpage.vfs.fake.MountTableReachingIntoCore;

/**
 * The one-way arrows of ARCHITECTURE.md over the main classes of every module on this class path
 * (api, core, vfs, shell, both devices, ext2, the file operations, JMX, the Web Console page, the
 * CLI): devices, filesystems, the mount table (vfs) and the file operations see only the api (and
 * OSGi, SLF4J, the JDK), the shell the api and the file operations, the core sees none of them nor
 * the CLI, no device, filesystem or mount table sees the file operations, nothing but the CLI
 * itself sees the CLI. Maven's module dependencies already forbid most of this; the rules also
 * catch a dependency that a pom change or a test-scope slip would let through.
 */
class ArchitectureTest {
  private static final String API = "org.mpage.api..";
  private static final String CORE = "org.mpage.core..";
  private static final String FS = "org.mpage.fs..";
  private static final String FILE = "org.mpage.device.file..";
  private static final String RAMDISK = "org.mpage.device.ramdisk..";
  private static final String FAULT = "org.mpage.device.fault..";
  private static final String NBD = "org.mpage.device.nbd..";
  private static final String CLI = "org.mpage.cli..";
  private static final String VFS = "org.mpage.vfs..";
  private static final String SHELL = "org.mpage.shell..";
  private static final String FILEOPS = "org.mpage.fileops..";

  /** What every module may use besides the api: the JDK, OSGi's annotations and API, SLF4J. */
  private static final String[] PLATFORM = {
    "java..", "javax..", "com.sun.nio.file..", "org.osgi..", "org.slf4j..", "aQute.bnd.annotation.."
  };

  private static String[] apiAnd(String... own) {
    String[] allowed = new String[PLATFORM.length + 1 + own.length];
    allowed[0] = API;
    System.arraycopy(own, 0, allowed, 1, own.length);
    System.arraycopy(PLATFORM, 0, allowed, 1 + own.length, PLATFORM.length);
    return allowed;
  }

  static final List<ArchRule> RULES =
      List.of(
          classes()
              .that()
              .resideInAPackage("org.mpage.fuse..")
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(
                  API, FILEOPS, "org.mpage.fuse..", "ru.serce.jnrfuse..", "jnr.ffi..", "java..")
              .because("the FUSE mount is a front-end over the api and the file operations"),
          noClasses()
              .that()
              .resideInAPackage(API)
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(CORE, FS, "org.mpage.device..", CLI)
              .because("the api is the contract every other module depends on"),
          noClasses()
              .that()
              .resideInAPackage("org.mpage.device..")
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(CORE, FS, CLI)
              .because("devices depend on the api only"),
          noClasses()
              .that()
              .resideInAPackage(FILE)
              .should()
              .dependOnClassesThat()
              .resideInAPackage(RAMDISK)
              .because("devices never depend on each other"),
          noClasses()
              .that()
              .resideInAPackage(RAMDISK)
              .should()
              .dependOnClassesThat()
              .resideInAPackage(FILE)
              .because("devices never depend on each other"),
          noClasses()
              .that()
              .resideInAPackage(FS)
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(CORE, "org.mpage.device..", CLI)
              .because("filesystems depend on the api only"),
          noClasses()
              .that()
              .resideInAPackage(CORE)
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(FS, "org.mpage.device..", CLI)
              .because("the engine knows devices and filesystems through the api only"),
          noClasses()
              .that()
              .resideInAPackage(CORE)
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(VFS, SHELL)
              .because(
                  "mpage-core is the engine only; the mount table and shell use it as a service"),
          classes()
              .that()
              .resideInAPackage(VFS)
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd(VFS))
              .because("the mount table reaches the engine, devices and filesystems as services"),
          classes()
              .that()
              .resideInAPackage(SHELL)
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd(SHELL, FILEOPS))
              .because(
                  "the shell knows the mounts, engine and device types as services, and does its"
                      + " file commands through the file operations"),
          classes()
              .that()
              .resideInAPackage(FILE)
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd(FILE))
              .because("devices depend on the api only"),
          classes()
              .that()
              .resideInAPackage(RAMDISK)
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd(RAMDISK))
              .because("devices depend on the api only"),
          classes()
              .that()
              .resideInAPackage(NBD)
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd(NBD))
              .because("devices depend on the api only"),
          classes()
              .that()
              .resideInAPackage(FAULT)
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd(FAULT))
              .because("fault targets depend on the api only: they stack on any device through it"),
          classes()
              .that()
              .resideInAPackage(FS)
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd(FS))
              .because("filesystems depend on the api only"),
          noClasses()
              .that()
              .resideOutsideOfPackage(CLI)
              .should()
              .dependOnClassesThat()
              .resideInAPackage(CLI)
              .because("nothing depends on the command line"),
          classes()
              .that()
              .resideInAPackage(FILEOPS)
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd(FILEOPS, "org.apache.commons.compress.."))
              .because(
                  "the file operations of every front-end see a FileSystem through the api only"
                      + " (and read tars with Commons Compress)"),
          noClasses()
              .that()
              .resideInAnyPackage(API, CORE, FS, "org.mpage.device..", VFS)
              .should()
              .dependOnClassesThat()
              .resideInAPackage(FILEOPS)
              .because("the file operations sit above the api, for front-ends only"),
          classes()
              .that()
              .resideInAPackage("org.mpage.nio..")
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd("org.mpage.nio.."))
              .because(
                  "the java.nio.file provider finds engines, devices and filesystems as services"),
          noClasses()
              .that()
              .resideInAPackage("org.mpage.fs.ext2..")
              .should()
              .dependOnClassesThat()
              .resideInAPackage("org.mpage.fs.ext4.extents..")
              .because("ext2 finds the extent scheme as a BlockMapProvider service"),
          classes()
              .that()
              .resideInAPackage("org.mpage.fs.ext4.extents..")
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd("org.mpage.fs.ext4.extents.."))
              .because("a block-mapping scheme reads through the context the api lends it"),
          classes()
              .that()
              .resideInAPackage("org.mpage.jmx..")
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd("org.mpage.jmx.."))
              .because("the MBeans read devices, mounts and the engine as services"),
          classes()
              .that()
              .resideInAPackage("org.mpage.webconsole..")
              .should()
              .onlyDependOnClassesThat()
              .resideInAnyPackage(apiAnd("org.mpage.webconsole..", "jakarta.servlet.."))
              .because("the Web Console page sees mounts and BIOs through the api's services"));

  private static JavaClasses mainClasses() {
    return new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        // test jars (fs-ext2's helpers) may use anything: only shipped classes are judged
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("org.mpage");
  }

  @Test
  void dependenciesPointOneWay() {
    JavaClasses classes = mainClasses();
    for (String pkg :
        List.of(
            "org.mpage.api",
            "org.mpage.core",
            "org.mpage.vfs",
            "org.mpage.shell",
            "org.mpage.device.file",
            "org.mpage.device.ramdisk",
            "org.mpage.device.fault",
            "org.mpage.device.nbd",
            "org.mpage.fs.ext2",
            "org.mpage.fs.ext4.extents",
            "org.mpage.fileops",
            "org.mpage.fuse",
            "org.mpage.nio",
            "org.mpage.jmx",
            "org.mpage.webconsole")) {
      assertTrue(
          classes.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)),
          "no classes of " + pkg + " imported: the rules would check nothing");
    }
    for (ArchRule rule : RULES) {
      rule.check(classes);
    }
  }

  @Test
  void aDeviceReachingIntoTheCore_breaksARule() {
    JavaClasses bad = new ClassFileImporter().importClasses(DeviceReachingIntoCore.class);
    assertThrows(AssertionError.class, () -> RULES.get(2).check(bad));
  }

  @Test
  void theMountTableReachingIntoTheEngine_breaksARule() {
    JavaClasses bad = new ClassFileImporter().importClasses(MountTableReachingIntoCore.class);
    assertThrows(AssertionError.class, () -> RULES.get(8).check(bad));
  }
}
