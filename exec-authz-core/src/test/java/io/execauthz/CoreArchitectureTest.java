package io.execauthz;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Core stands alone: the JDK, Caffeine and jackson-core only (ARCHITECTURE §2). */
final class CoreArchitectureTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.execauthz");

  @Test
  void core_dependsOnlyOnTheJdkAndItself() {
    classes()
        .that()
        .resideInAnyPackage("io.execauthz..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "javax.crypto..",
            "io.execauthz",
            "io.execauthz.capability",
            "io.execauthz.audit",
            "io.execauthz.spi",
            "io.execauthz.internal",
            "com.github.benmanes.caffeine..",
            "com.fasterxml.jackson.core..")
        .check(CORE);
  }

  @Test
  void jackson_staysBehindTheJsonHelperAndTheAuditFormat() {
    noClasses()
        .that()
        .resideInAnyPackage("io.execauthz..")
        .and()
        .haveNameNotMatching(
            "io\\.execauthz\\.(internal\\.Json(Reader)?|audit\\.AuditLogFormat)(\\$.*)?")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.fasterxml.jackson..")
        .check(CORE);
  }

  @Test
  void theApiDoesNotReachIntoModulesBuiltOnIt() {
    classes()
        .that()
        .resideInAnyPackage("io.execauthz..")
        .should()
        .onlyDependOnClassesThat()
        .resideOutsideOfPackages(
            "io.execauthz.cedar..",
            "io.execauthz.jwt..",
            "io.execauthz.cli..",
            "io.execauthz.mcp..")
        .check(CORE);
  }

  @Test
  void capabilities_areTheBottom_theyNeedOnlyTheJdkAndInternal() {
    classes()
        .that()
        .resideInAPackage("io.execauthz.capability")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "io.execauthz.capability", "io.execauthz.internal")
        .check(CORE);
  }

  @Test
  void theAuditLog_knowsNoEntryPoint_onlyTheReasonItRecords() {
    noClasses()
        .that()
        .resideInAPackage("io.execauthz.audit")
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage("io.execauthz")
                .and(DescribedPredicate.not(JavaClass.Predicates.equivalentTo(Reason.class))))
        .check(CORE);
  }

  @Test
  void capabilitiesAndInternal_neverReachTheAuditLog() {
    noClasses()
        .that()
        .resideInAnyPackage("io.execauthz.capability", "io.execauthz.internal")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.execauthz.audit")
        .check(CORE);
  }
}
