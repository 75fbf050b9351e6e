import fish.payara.micro.PayaraMicro;
import fish.payara.micro.PayaraMicroRuntime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Payara Micro as its own command line starts it ({@code PayaraMicro.main}, the jar's {@code Main-Class}, with the
 * same options), plus what Payara Micro has no command-line option for: deploying and undeploying applications
 * while it runs. That goes through Payara Micro's public API ({@code PayaraMicroRuntime.deploy} and
 * {@code undeploy}, "Deploying an Application Programmatically after Bootstrap" in its documentation), driven by
 * marker files in a directory, as WildFly's deployment scanner is:
 * <ul>
 *   <li>{@code NAME.war} and {@code NAME.war.dodeploy}: deploys it under the name and context root {@code NAME},
 *       then writes {@code NAME.war.deployed}, or {@code NAME.war.failed} with the reason;</li>
 *   <li>{@code NAME.war.deployed} deleted: undeploys {@code NAME}, then writes {@code NAME.war.undeployed}.</li>
 * </ul>
 * {@code control.ready} says that Payara Micro has booted and the markers are looked at (every 100 ms).
 *
 * <p>Run by the Payara Micro JDK as a single source file ({@code java -cp payara-micro.jar PayaraMicroControl.java
 * DIR --payara-micro-options}): the build's JDK is too old to compile against Payara Micro 7, and nothing of the
 * tests is on the server's class path.
 */
public class PayaraMicroControl {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        PayaraMicro.main(Arrays.copyOfRange(args, 1, args.length));
        PayaraMicroRuntime runtime;
        try {
            runtime = PayaraMicro.getInstance().getRuntime();
        } catch (IllegalStateException e) {
            System.err.println("PayaraMicroControl: Payara Micro did not boot (its log says why): " + e);
            System.exit(2);
            return;
        }
        write(dir.resolve("control.ready"), "");
        Set<String> deployed = new LinkedHashSet<>();
        while (true) {
            for (String marker : list(dir, ".dodeploy")) {
                String war = marker.substring(0, marker.length() - ".dodeploy".length());
                Files.delete(dir.resolve(marker));
                String app = war.endsWith(".war") ? war.substring(0, war.length() - 4) : war;
                String failure;
                try {
                    failure = runtime.deploy(app, app, dir.resolve(war).toFile()) ? null
                            : "Payara Micro did not deploy it; its log says why";
                } catch (RuntimeException e) {
                    failure = e.toString();
                }
                if (failure == null) {
                    deployed.add(war);
                    write(dir.resolve(war + ".deployed"), app);
                } else {
                    write(dir.resolve(war + ".failed"), failure);
                }
            }
            for (String war : List.copyOf(deployed)) {
                if (!Files.exists(dir.resolve(war + ".deployed"))) {
                    runtime.undeploy(war.endsWith(".war") ? war.substring(0, war.length() - 4) : war);
                    deployed.remove(war);
                    write(dir.resolve(war + ".undeployed"), "");
                }
            }
            Thread.sleep(100);
        }
    }

    private static List<String> list(Path dir, String suffix) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + suffix)) {
            files.forEach(f -> names.add(f.getFileName().toString()));
        }
        return names;
    }

    /** Writes a marker whole: the harness never sees it half-written. */
    private static void write(Path marker, String text) throws IOException {
        Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
