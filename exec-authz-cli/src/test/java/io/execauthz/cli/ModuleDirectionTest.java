package io.execauthz.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The module direction of ARCHITECTURE §2, checked over every module's classes (the CLI sees them
 * all): core uses no Cedar or Nimbus type, nothing depends on the CLI, and no module reaches into
 * another's {@code internal} package.
 */
final class ModuleDirectionTest {
  private static final JavaClasses ALL =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.execauthz");

  @Test
  void core_usesNoCedarOrNimbusType() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.execauthz",
            "io.execauthz.capability",
            "io.execauthz.audit",
            "io.execauthz.spi",
            "io.execauthz.internal")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "com.cedarpolicy..",
            "com.nimbusds..",
            "com.google.crypto..",
            "io.execauthz.cedar..",
            "io.execauthz.jwt..",
            "io.execauthz.cli..")
        .check(ALL);
  }

  @Test
  void nothingDependsOnTheCli() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.execauthz.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.execauthz.cli..")
        .check(ALL);
  }

  @Test
  void noModuleReachesIntoAnotherModulesInternals() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "io.execauthz",
            "io.execauthz.capability",
            "io.execauthz.audit",
            "io.execauthz.spi",
            "io.execauthz.internal")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.execauthz.internal")
        .check(ALL);
    noClasses()
        .that()
        .resideOutsideOfPackage("io.execauthz.cedar..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.execauthz.cedar.internal..")
        .allowEmptyShould(true)
        .check(ALL);
    noClasses()
        .that()
        .resideOutsideOfPackage("io.execauthz.jwt..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.execauthz.jwt.internal..")
        .allowEmptyShould(true)
        .check(ALL);
  }
}
