package dev.tokengate.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.tokengate.it.Prerequisites.requiredFile;
import static dev.tokengate.it.Prerequisites.skip;

/**
 * {@link EeServerContract} on Payara Micro 7, started from its jar (Maven Central's
 * {@code fish.payara.extras:payara-micro}) on a JDK 21+ ({@link Jdks}), see {@link PayaraMicro}. Its files stay in
 * {@code target/it-work/payara-micro}.
 */
class PayaraMicroEeIT extends EeServerContract {

    @Override
    AppServer start(Path work) throws IOException {
        Path jar = requiredFile("it.payara-micro.jar", "the Payara Micro jar (copied by the build's pre-integration-test phase)");
        Path javaHome = Jdks.forServer();
        if (Jdks.feature(javaHome) < 21) {
            skip("Payara Micro 7 needs Java 21+, and no JDK 21+ was found (" + javaHome + "): set it.server.java.home");
        }
        return PayaraMicro.start(jar, javaHome, work.resolve("payara-micro"), List.of());
    }

    /**
     * Payara Micro 7.2025.1 keeps the last undeployed copy of an application of a given name: its
     * {@code ComponentEnvManagerImpl.compId2Env} (reached from {@code PayaraMicroRuntimeImpl} through
     * {@code HazelcastCore} and {@code JavaEEContextUtilImpl}) still maps the component to its environment, and
     * that to the application's class loader (found in a heap dump of this test: no object of tokengate's on the
     * path). Payara 7's class-loader leaks on undeploy are reported as payara/Payara#7759 (a fix: #7760, after
     * 7.2025.1 was built); whether that fix covers this path is not checked here. One loader after three cycles: a
     * leak of tokengate's would keep three.
     */
    @Override
    int loadersTheServerKeeps() {
        return 1;
    }
}
