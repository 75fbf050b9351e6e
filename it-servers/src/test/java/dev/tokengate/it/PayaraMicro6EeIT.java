package dev.tokengate.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.tokengate.it.Prerequisites.requiredFile;

/**
 * {@link EeServerContract} on Payara Micro 6, Jakarta EE 10 (Jakarta Security 3.0, Soteria 3), the platform the
 * mechanism is compiled against, on the JDK running the tests (Payara 6 supports Java 11 to 21; the tests run on
 * 17). Its files stay in {@code target/it-work/payara-micro6}.
 */
class PayaraMicro6EeIT extends EeServerContract {

    @Override
    AppServer start(Path work) throws IOException {
        Path jar = requiredFile("it.payara-micro6.jar", "the Payara Micro 6 jar (copied by the build's pre-integration-test phase)");
        return PayaraMicro.start(jar, Path.of(System.getProperty("java.home")), work.resolve("payara-micro6"), List.of());
    }

    /** As on Payara Micro 7 ({@link PayaraMicroEeIT#loadersTheServerKeeps()}): the server keeps the last copy. */
    @Override
    int loadersTheServerKeeps() {
        return 1;
    }
}
