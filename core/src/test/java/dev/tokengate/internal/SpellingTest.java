package dev.tokengate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** "Did you mean": the nearest known word within a distance, never the word itself. */
class SpellingTest {

    @Test
    void nearestWhenTheWordItselfIsACandidateThenItIsNotSuggested() {
        assertThat(Spelling.nearest("environment", List.of("environment", "parameters"), 4)).isEmpty();
        assertThat(Spelling.nearest("environmen", List.of("environment", "parameters"), 4)).contains("environment");
    }

    @Test
    void nearestOnlyWithinTheDistance() {
        assertThat(Spelling.nearest("paramtrs", List.of("parameters"), 2)).contains("parameters");
        assertThat(Spelling.nearest("prmtrs", List.of("parameters"), 3)).isEmpty();
    }
}
