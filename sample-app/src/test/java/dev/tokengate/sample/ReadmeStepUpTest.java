package dev.tokengate.sample;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Step-up authentication" commands, run with bash and curl against a running sample app: a sign-in
 * with the one-time code, its token sent alone as a bearer token, is refused a withdrawal with the DPoP-only challenge
 * the README shows (the withdrawal with a proof is {@link DpopClientTest}'s).
 */
class ReadmeStepUpTest {

    private static final Pattern SH_BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);

    @Test
    void readmeStepUpCommandsGiveTheAnswersTheReadmeShows() throws Exception {
        for (String tool : new String[] {"bash", "curl", "sed"}) {
            Assumptions.assumeTrue(onPath(tool), tool + " is not installed");
        }
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("## Step-up authentication");
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        List<String> blocks = new ArrayList<>();
        Matcher m = SH_BLOCK.matcher(section);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).hasSize(1);

        try (SampleApp app = SampleApp.start("127.0.0.1", 0, Map.of())) {
            String script = "set -u\n" + blocks.get(0).replace("http://localhost:8080", app.baseUri().toString());
            Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String shown = readme.substring(start).split("```\n")[3]; // the answer shown after the block
            assertThat(out).contains(shown.strip().split("\n")[0], shown.strip().split("\n")[1]
                    .replace("http://localhost:8080", app.baseUri().toString()));
            assertThat(out).doesNotContain("HTTP/1.1 201");
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
