package dev.tokengate.config;

import dev.tokengate.config.ConfigKey.Component;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The key registry: complete, unambiguous, and what the README documents. */
class ConfigKeysTest {

    private static List<String> constants() throws IllegalAccessException {
        List<String> keys = new ArrayList<>();
        for (Field f : ConfigKeys.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                keys.add((String) f.get(null));
            }
        }
        return keys;
    }

    @Test
    void everyKeyConstantIsRegisteredAndEveryRegisteredKeyIsAConstant() throws Exception {
        assertThat(ConfigKeys.registry()).extracting(ConfigKey::name).containsExactlyInAnyOrderElementsOf(constants());
    }

    @Test
    void everyKeyIsATokengateKeyAndHasADescription() {
        assertThat(ConfigKeys.registry()).allSatisfy(k -> {
            assertThat(k.name()).matches("tokengate\\.[a-z0-9.-]+");
            assertThat(k.description()).isNotBlank();
            k.defaultValue().ifPresent(d -> assertThat(d).isNotBlank());
        });
    }

    @Test
    void noTwoKeysShareAnEnvironmentVariable() {
        Set<String> names = ConfigKeys.registry().stream().map(ConfigKey::environmentName).collect(Collectors.toSet());
        assertThat(names).hasSameSizeAs(ConfigKeys.registry());
    }

    @Test
    void adapterKeysAreReadByTheirAdapterOnly() {
        assertThat(ConfigKeys.find(ConfigKeys.RULES)).hasValueSatisfying(k -> assertThat(k.reader()).isEqualTo(Component.SERVLET_FILTER));
        assertThat(ConfigKeys.find(ConfigKeys.UNMATCHED)).hasValueSatisfying(k -> assertThat(k.reader()).isEqualTo(Component.SERVLET_FILTER));
        assertThat(ConfigKeys.find(ConfigKeys.JAXRS_UNANNOTATED)).hasValueSatisfying(k -> {
            assertThat(k.reader()).isEqualTo(Component.JAXRS);
            assertThat(k.isReadBy(Component.JAXRS)).isTrue();
            assertThat(k.isReadBy(Component.SERVLET_FILTER)).isFalse();
        });
        assertThat(ConfigKeys.ALL).contains(ConfigKeys.JWT_ISSUER).doesNotContain(ConfigKeys.RULES, ConfigKeys.JAXRS_UNANNOTATED);
        assertThat(ConfigKeys.find(ConfigKeys.REALM)).hasValueSatisfying(k -> assertThat(Component.values())
                .allSatisfy(c -> assertThat(k.isReadBy(c)).isTrue()));
    }

    @Test
    void findWhenNotRegisteredThenEmpty() {
        assertThat(ConfigKeys.find("tokengate.jwt.isuer")).isEmpty();
    }

    /** The README's "Configuration keys" table lists every key, and a key's default as the registry writes it. */
    @Test
    void readmeTableListsEveryKeyWithTheRegisteredDefault() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher row = Pattern.compile("(?m)^\\| `(tokengate\\.[a-z0-9.-]+)` \\| ([^|]*) \\|").matcher(
                readme.substring(readme.indexOf("## Configuration keys")));
        Map<String, String> defaults = new HashMap<>();
        while (row.find()) {
            defaults.put(row.group(1), row.group(2).strip());
        }
        assertThat(defaults.keySet()).containsAll(ConfigKeys.registry().stream().map(ConfigKey::name).toList());
        for (ConfigKey k : ConfigKeys.registry()) {
            k.defaultValue().ifPresent(d -> assertThat(defaults.get(k.name())).as(k.name()).isEqualTo("`" + d + "`"));
        }
    }
}
