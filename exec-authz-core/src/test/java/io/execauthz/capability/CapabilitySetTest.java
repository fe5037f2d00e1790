package io.execauthz.capability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class CapabilitySetTest {

  private static final CapabilitySet BATCH =
      CapabilitySet.parse("tool.call tool:github/*", "fs.read fs:/repo/**");

  @Test
  void parse_keepsOrderOfFirstAppearance_andDropsDuplicates() {
    CapabilitySet s =
        CapabilitySet.parse(
            "fs.read fs:/repo/**", "tool.call tool:**", "fs.read  fs:/repo/**", "* net:*");

    assertThat(s.size()).isEqualTo(3);
    assertThat(s.texts()).containsExactly("fs.read fs:/repo/**", "tool.call tool:**", "* net:*");
    assertThat(s.asList()).containsExactlyElementsOf(s);
    assertThat(s).hasToString("[fs.read fs:/repo/**, tool.call tool:**, * net:*]");
  }

  @Test
  void parse_malformedEntry_isRefusedWithItsPosition() {
    assertThatThrownBy(() -> CapabilitySet.parse("fs.read fs:/repo/**", "fs.read fs:/repo/**/x"))
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .satisfies(
            e -> {
              assertThat(e.input()).isEqualTo("fs.read fs:/repo/**/x");
              assertThat(e.position()).isEqualTo(19);
            });
  }

  @Test
  void empty_allowsAndCoversNothingButTheEmptySet() {
    CapabilitySet empty = CapabilitySet.empty();

    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.size()).isZero();
    assertThat(empty).isEqualTo(CapabilitySet.of()).isEqualTo(CapabilitySet.parse(List.of()));
    assertThat(empty.allows("fs.read", "fs:/a")).isFalse();
    assertThat(empty.covers(CapabilitySet.empty())).isTrue();
    assertThat(empty.covers(CapabilitySet.parse("fs.read fs:/a"))).isFalse();
    assertThat(BATCH.covers(empty)).isTrue();
    assertThat(empty.intersect(BATCH)).isEqualTo(empty);
  }

  @Test
  void asList_isUnmodifiable() {
    assertThatThrownBy(() -> BATCH.asList().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void of_copiesItsArgument() {
    List<Capability> caps = new ArrayList<>(List.of(Capability.parse("* fs:**")));
    CapabilitySet s = CapabilitySet.of(caps);

    caps.add(Capability.parse("* tool:**"));

    assertThat(s.size()).isEqualTo(1);
  }

  @Test
  void covers_capability_whenSomeElementCoversIt() {
    assertThat(BATCH.covers(Capability.parse("tool.call tool:github/create_issue"))).isTrue();
    assertThat(BATCH.covers(Capability.parse("fs.read fs:/repo/src/**"))).isTrue();
    assertThat(BATCH.covers(Capability.parse("fs.write fs:/repo/src/**"))).isFalse();
    assertThat(BATCH.covers(Capability.parse("tool.call tool:**"))).isFalse();
  }

  @Test
  void covers_widerChild_isFalse() {
    CapabilitySet child =
        CapabilitySet.parse("fs.read fs:/repo/src/**", "fs.write fs:/repo/src/**");

    assertThat(BATCH.covers(child)).isFalse();
    assertThat(BATCH.firstUncovered(child)).contains(Capability.parse("fs.write fs:/repo/src/**"));
  }

  @Test
  void covers_narrowerSet_isTrue_andNothingIsUncovered() {
    CapabilitySet child =
        CapabilitySet.parse("fs.read fs:/repo/docs/** maxCalls=3", "tool.call tool:github/x");

    assertThat(BATCH.covers(child)).isTrue();
    assertThat(BATCH.firstUncovered(child)).isEmpty();
    assertThat(child.covers(BATCH)).isFalse();
    assertThat(BATCH.covers(BATCH)).isTrue();
  }

  @Test
  void covers_elementNeededByTwoParents_isNotCoveredByTheirUnion() {
    // fs:/a/** ∪ fs:/b/** covers fs:/*/x only pointwise; no single element covers it
    CapabilitySet parent = CapabilitySet.parse("* fs:/a/**", "* fs:/b/**");

    assertThat(parent.covers(CapabilitySet.parse("* fs:/*/x"))).isFalse();
  }

  @Test
  void firstUncovered_returnsTheFirstInOrder() {
    CapabilitySet child =
        CapabilitySet.parse("fs.read fs:/repo/a", "net.connect net:*", "secret.read secret:X");

    assertThat(BATCH.firstUncovered(child)).contains(Capability.parse("net.connect net:*"));
  }

  @Test
  void allows_matchingRequest_isTrue() {
    assertThat(BATCH.allows("tool.call", "tool:github/create_issue")).isTrue();
    assertThat(BATCH.allows("fs.read", "fs:/repo/a/b.md")).isTrue();
    assertThat(BATCH.allows("fs.write", "fs:/repo/a/b.md")).isFalse();
    assertThat(BATCH.allows("tool.call", "tool:github/a/b")).isFalse();
    assertThat(BATCH.allows("fs.read", "fs:/etc/passwd")).isFalse();
  }

  @Test
  void allows_ignoresConstraints() {
    CapabilitySet s =
        CapabilitySet.parse("fs.read fs:/repo/** maxCalls=0 approval until=2000-01-01T00:00:00Z");

    assertThat(s.allows("fs.read", "fs:/repo/a")).isTrue();
  }

  @Test
  void allows_wildcardOrMalformedRequest_isRefused() {
    assertThatThrownBy(() -> BATCH.allows("fs.*", "fs:/repo/a"))
        .isInstanceOf(CapabilitySyntaxException.class);
    assertThatThrownBy(() -> BATCH.allows("*", "fs:/repo/a"))
        .isInstanceOf(CapabilitySyntaxException.class);
    assertThatThrownBy(() -> BATCH.allows("fs.read", "fs:/repo/*"))
        .isInstanceOf(CapabilitySyntaxException.class);
    assertThatThrownBy(() -> BATCH.allows("fs.read", "fs:/repo/../etc/passwd"))
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .extracting(CapabilitySyntaxException::position)
        .isEqualTo(9);
    assertThatThrownBy(() -> BATCH.allows("fs.read", "/repo/a"))
        .isInstanceOf(CapabilitySyntaxException.class);
  }

  @Test
  void matching_returnsEveryMatchingCapabilityInOrder() {
    CapabilitySet s =
        CapabilitySet.parse(
            "fs.* fs:/repo/** maxCalls=5",
            "fs.write fs:/repo/**",
            "fs.read fs:/repo/src/* approval",
            "fs.read fs:/**");

    assertThat(s.matching("fs.read", ResourcePattern.parseConcrete("fs:/repo/src/a.c")))
        .extracting(Capability::toString)
        .containsExactly(
            "fs.* fs:/repo/** maxCalls=5", "fs.read fs:/repo/src/* approval", "fs.read fs:/**");
    assertThat(s.matching("net.connect", ResourcePattern.parseConcrete("net:x"))).isEmpty();
  }

  @Test
  void coversResource_isAboutResourcesOnly() {
    assertThat(BATCH.coversResource(ResourcePattern.parse("fs:/repo/docs/**"))).isTrue();
    assertThat(BATCH.coversResource(ResourcePattern.parse("tool:github/*"))).isTrue();
    assertThat(BATCH.coversResource(ResourcePattern.parse("tool:github/**"))).isFalse();
    assertThat(BATCH.coversResource(ResourcePattern.parse("fs:/**"))).isFalse();
  }

  @Test
  void intersect_narrowsBothActionAndResource() {
    CapabilitySet a = CapabilitySet.parse("fs.* fs:/repo/**");
    CapabilitySet b = CapabilitySet.parse("fs.read fs:/**");

    CapabilitySet i = a.intersect(b);

    assertThat(i.texts()).containsExactly("fs.read fs:/repo/**");
    assertThat(b.intersect(a)).isEqualTo(i);
    assertThat(a.covers(i)).isTrue();
    assertThat(b.covers(i)).isTrue();
  }

  @Test
  void intersect_takesTheStricterConstraints() {
    CapabilitySet a = CapabilitySet.parse("fs.* fs:/repo/** maxCalls=10");
    CapabilitySet b =
        CapabilitySet.parse(
            "fs.read fs:/repo/src/** maxCalls=20 approval until=2026-01-01T00:00:00Z");

    CapabilitySet i = a.intersect(b);

    assertThat(i.texts())
        .containsExactly("fs.read fs:/repo/src/** maxCalls=10 approval until=2026-01-01T00:00:00Z");
    assertThat(a.covers(i)).isTrue();
    assertThat(b.covers(i)).isTrue();
  }

  @Test
  void intersect_ofCrossingWildcards_isTheirCommonPart() {
    CapabilitySet i =
        CapabilitySet.parse("* fs:/a/*").intersect(CapabilitySet.parse("fs.read fs:/*/b"));

    assertThat(i.texts()).containsExactly("fs.read fs:/a/b");
  }

  @Test
  void intersect_disjoint_isEmpty() {
    assertThat(
            CapabilitySet.parse("fs.read fs:/a/**", "net.connect net:x")
                .intersect(CapabilitySet.parse("fs.write fs:/a/**", "fs.read fs:/b/**")))
        .isEqualTo(CapabilitySet.empty());
  }

  @Test
  void intersect_sharingOnlyTheEmptyPath_isEmpty() {
    // the meet of "fs:*" and "fs:/**" used to be printed as the unparseable "* fs:"
    CapabilitySet i = CapabilitySet.parse("* fs:*").intersect(CapabilitySet.parse("* fs:/**"));

    assertThat(i.isEmpty()).isTrue();
  }

  @Test
  void intersect_dropsEntriesAnotherEntryCovers() {
    CapabilitySet a = CapabilitySet.parse("fs.* fs:/**", "fs.read fs:/a/**");
    CapabilitySet b = CapabilitySet.parse("* fs:/**", "fs.read fs:/a/**");

    assertThat(a.intersect(b).texts()).containsExactly("fs.* fs:/**");
  }

  @Test
  void intersect_keepsTheFirstOfMutuallyCoveringEntries() {
    // "fs:**" and "fs:*/**" match the same resources, so each covers the other
    CapabilitySet a = CapabilitySet.parse("* fs:**", "* fs:*/**");

    assertThat(a.intersect(CapabilitySet.parse("* fs:**")).texts()).containsExactly("* fs:**");
  }

  @Test
  void intersect_resultTextsParseBack() {
    CapabilitySet i =
        CapabilitySet.parse("fs.* fs:**", "* tool:*/x")
            .intersect(CapabilitySet.parse("fs.read fs:/a/*", "tool.call tool:/**"));

    assertThat(i.texts()).containsExactly("fs.read fs:/a/*", "tool.call tool:/x");
    assertThat(CapabilitySet.parse(i.texts())).isEqualTo(i);
  }

  @Test
  void equals_isByElementsInOrder() {
    CapabilitySet s = CapabilitySet.parse("* fs:**", "* tool:**");

    assertThat(s).isEqualTo(CapabilitySet.parse("* fs:**", "* tool:**")).hasSameHashCodeAs(s);
    assertThat(s).isNotEqualTo(CapabilitySet.parse("* tool:**", "* fs:**"));
  }
}
