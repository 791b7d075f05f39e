package org.mpage.cli;

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

/**
 * The one-way arrows of ARCHITECTURE.md over the main classes of every module on this class path
 * (api, core, both devices, ext2, the file operations, the CLI): devices and filesystems see only
 * the api, the core sees neither them nor the CLI, the file operations see only the api and are
 * seen by no device or filesystem, nothing but the CLI's own callers sees the CLI. Maven's module
 * dependencies already forbid most of this; the rules also catch a dependency that a pom change or
 * a test-scope slip would let through.
 */
class ArchitectureTest {
  private static final String API = "org.mpage.api..";
  private static final String CORE = "org.mpage.core..";
  private static final String FS = "org.mpage.fs..";
  private static final String FILE = "org.mpage.device.file..";
  private static final String RAMDISK = "org.mpage.device.ramdisk..";
  private static final String CLI = "org.mpage.cli..";
  private static final String FILEOPS = "org.mpage.fileops..";

  static final List<ArchRule> RULES =
      List.of(
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
              .resideInAPackage(FILEOPS)
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(CORE, FS, "org.mpage.device..", CLI)
              .because(
                  "the file operations of every front-end see a FileSystem through the api only"),
          noClasses()
              .that()
              .resideInAnyPackage(API, FS, "org.mpage.device..")
              .should()
              .dependOnClassesThat()
              .resideInAPackage(FILEOPS)
              .because("the file operations sit above the api, for front-ends only"));

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
        List.of("org.mpage.api", "org.mpage.core", "org.mpage.fs.ext2", "org.mpage.fileops")) {
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
    assertThrows(AssertionError.class, () -> RULES.get(1).check(bad));
  }
}
