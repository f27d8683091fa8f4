package io.dvr.lab;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.vertx.core.eventbus.EventBus;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The module list is the architecture: no service reaches into another, store is plumbing only,
 * and only the bus package talks to the Vert.x event bus (so BusContract sees every address).
 * Main code only; the lab depends on every module, so every service is on its class path.
 */
class ArchitectureTest {
  static final List<String> SERVICES = List.of("io.dvr.gateway..", "io.dvr.scheduler..", "io.dvr.arp..",
      "io.dvr.macalloc..", "io.dvr.agent..");
  static JavaClasses main;

  @BeforeAll
  static void importMainCode() {
    // Tests excluded whether they come as test-classes directories or as -tests.jar files.
    ImportOption mainOnly = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
    main = new ClassFileImporter().withImportOption(mainOnly).importPackages("io.dvr");
  }

  @Test
  @DisplayName("no service imports another service's package")
  void servicesAreIndependent() {
    for (String service : SERVICES) {
      String[] others = SERVICES.stream().filter(s -> !s.equals(service)).toArray(String[]::new);
      noClasses().that().resideInAPackage(service)
          .should().dependOnClassesThat().resideInAnyPackage(others)
          .because("a service asks another over the event bus or gRPC instead of using its code")
          .check(main);
    }
  }

  @Test
  @DisplayName("store depends on no service and holds only the shared plumbing")
  void storeIsPlumbing() {
    noClasses().that().resideInAPackage("io.dvr.store..")
        .should().dependOnClassesThat().resideInAnyPackage(SERVICES.toArray(String[]::new))
        .check(main);
    classes().that().resideInAPackage("io.dvr.store..")
        .should().haveNameMatching(
            "io\\.dvr\\.store\\.(Database|DatabaseFailures|DatabaseHealth|EmbeddedServer|EmbeddedPassword|EmbeddedSupervisor|LeftoverServer"
                + "|Migrations|Tx|Store|Outbox|OutboxRelay|OutboxMeters|OutboxPublisher|OutboxPublication|Page|package-info)(\\$.*)?")
        .because("placement, ARP, MAC, IPAM and resource rules live in the service that owns them")
        .check(main);
  }

  @Test
  @DisplayName("only io.dvr.common.bus sends, publishes, requests or consumes on the Vert.x event bus")
  void onlyTheBusPackageTouchesTheEventBus() {
    Set<String> methods = Set.of("send", "publish", "request", "consumer", "localConsumer");
    DescribedPredicate<JavaMethodCall> eventBusCall = new DescribedPredicate<>(
        "a send, publish, request or consumer call on the Vert.x EventBus") {
      @Override
      public boolean test(JavaMethodCall call) {
        return call.getTargetOwner().isAssignableTo(EventBus.class) && methods.contains(call.getName());
      }
    };
    noClasses().that().resideOutsideOfPackage("io.dvr.common.bus..")
        .should().callMethodWhere(eventBusCall)
        .because("Bus checks every address against BusContract")
        .check(main);
  }
}
