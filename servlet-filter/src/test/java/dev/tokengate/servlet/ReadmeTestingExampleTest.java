package dev.tokengate.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's "Testing your application" example is {@code com.example.orders.OrdersApiTest}, which the build runs:
 * this test keeps the two the same, character for character.
 */
class ReadmeTestingExampleTest {

    @Test
    void readmeShowsTheTestTheBuildRuns() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("\n## Testing your application\n");
        assertThat(section).as("README section \"Testing your application\"").isPositive();
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        String example = readme.substring(start, readme.indexOf("```\n", start));
        String source = Files.readString(Path.of("src/test/java/com/example/orders/OrdersApiTest.java"),
                StandardCharsets.UTF_8);
        assertThat(example).isEqualTo(source);
    }
}
