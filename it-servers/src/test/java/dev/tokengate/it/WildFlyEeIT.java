package dev.tokengate.it;

import java.io.IOException;
import java.nio.file.Path;

import static dev.tokengate.it.Prerequisites.requiredPath;

/**
 * {@link EeServerContract} on a standalone WildFly 39 ({@link WildFly}), its configuration changed in one place:
 * undertow's {@code application-security-domain} {@code other} gets {@code integrated-jaspi="false"}, so that the
 * caller tokengate's Jakarta Security mechanism reports is taken as it is (an ad hoc identity) instead of being
 * looked up in Elytron's {@code ApplicationRealm}, where no token subject is a user. Its files stay in
 * {@code target/it-work/wildfly-ee}.
 */
class WildFlyEeIT extends EeServerContract {

    static final String UNDERTOW_DOMAIN = "<application-security-domain name=\"other\" security-domain=\"ApplicationDomain\"/>";

    @Override
    AppServer start(Path work) throws IOException {
        Path home = requiredPath("it.wildfly.home", "the WildFly distribution (unpacked by the build's pre-integration-test phase)");
        return WildFly.start(home, Jdks.forServer(), work.resolve("wildfly-ee"), WildFlyEeIT::adHocIdentities);
    }

    /** Undertow's mapping of {@code other} (the second in standalone.xml; the first is ejb3's) with integrated JASPI off. */
    static String adHocIdentities(String standaloneXml) {
        int undertow = standaloneXml.indexOf("<subsystem xmlns=\"urn:jboss:domain:undertow");
        int mapping = standaloneXml.indexOf(UNDERTOW_DOMAIN, undertow);
        if (undertow < 0 || mapping < 0) {
            throw new IllegalStateException("no " + UNDERTOW_DOMAIN + " in undertow's subsystem of standalone.xml");
        }
        return standaloneXml.substring(0, mapping)
                + "<application-security-domain name=\"other\" security-domain=\"ApplicationDomain\" integrated-jaspi=\"false\"/>"
                + standaloneXml.substring(mapping + UNDERTOW_DOMAIN.length());
    }
}
