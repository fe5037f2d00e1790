package io.execauthz.cli;

import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyLoadException;
import io.execauthz.cedar.PolicyStore;
import io.execauthz.spi.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Loads a scenario's Cedar policies; a scenario without policies relies on the graph alone. */
final class ScenarioPolicies implements AutoCloseable {
  private final List<PolicyStore> stores = new ArrayList<>();

  /**
   * @throws ScenarioException for Cedar syntax errors and schema violations (exit 2)
   */
  PolicyEngine engine(Scenario s) {
    if (s.policies().isEmpty() && s.policyFiles().isEmpty()) {
      return PolicyEngine.permitAll();
    }
    PolicyStore.Builder b = PolicyStore.newBuilder();
    s.policies().forEach(b::policies);
    s.policyFiles().forEach(b::file);
    switch (s.schema()) {
      case "default" -> {}
      case "none" -> b.noSchema();
      default -> {
        Path schema = s.file().toAbsolutePath().getParent().resolve(s.schema());
        if (!Files.isRegularFile(schema)) {
          throw new ScenarioException(
              s.file()
                  + ": key 'schema': expected default, none or a .cedarschema file; no file "
                  + schema);
        }
        b.schemaFile(schema);
      }
    }
    PolicyStore store;
    try {
      store = b.build();
    } catch (PolicyLoadException e) {
      throw new ScenarioException(
          s.file() + ": policies do not load: " + String.join("; ", e.errors()), e);
    }
    stores.add(store);
    return CedarPolicyEngine.of(store);
  }

  @Override
  public void close() {
    for (PolicyStore s : stores) {
      s.close();
    }
    stores.clear();
  }
}
