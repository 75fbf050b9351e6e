package dev.tokengate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** Runs test classes that use the extension (the nested fixtures, which Surefire does not run alone) on JUnit. */
class LoopbackIssuerExtensionTest {

    /** What the fixtures saw while they ran. */
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @WithLoopbackIssuer(systemProperties = true, audience = "https://orders.example.com", algorithm = "ES256")
    static class AnnotatedFixture {

        static LoopbackIssuer fromBeforeAll;

        @BeforeAll
        static void before(LoopbackIssuer issuer) {
            fromBeforeAll = issuer;
        }

        @Test
        void first(LoopbackIssuer issuer) {
            assertThat(issuer).isSameAs(fromBeforeAll);
            assertThat(issuer.audience()).isEqualTo("https://orders.example.com");
            assertThat(issuer.signingKey().algorithm()).isEqualTo("ES256");
            issuer.settings().forEach((k, v) -> assertThat(System.getProperty(k)).as(k).isEqualTo(v));
            SEEN.add("annotated " + issuer.issuer());
        }

        @Test
        void second(LoopbackIssuer issuer) {
            assertThat(issuer).isSameAs(fromBeforeAll);
            SEEN.add("annotated " + issuer.issuer());
        }

        @Nested
        class Inner {
            @Test
            void sharesTheEnclosingIssuer(LoopbackIssuer issuer) {
                assertThat(issuer).isSameAs(fromBeforeAll);
                SEEN.add("nested " + issuer.issuer());
            }
        }
    }

    static class FieldFixture {

        @RegisterExtension
        static final LoopbackIssuerExtension ISSUER = LoopbackIssuerExtension.create()
                .configure(b -> b.clientCredentials("orders-api", "s3cret"));

        @Test
        void reachesTheIssuerThroughTheField(LoopbackIssuer issuer) {
            assertThat(ISSUER.issuer()).isSameAs(issuer);
            assertThat(issuer.clientId()).isEqualTo("orders-api");
            assertThat(System.getProperty("tokengate.jwt.issuer")).as("not published unless asked").isNull();
            SEEN.add("field " + issuer.issuer());
        }
    }

    static class InstanceFieldFixture {

        @RegisterExtension
        final LoopbackIssuerExtension issuer = LoopbackIssuerExtension.create();

        @Test
        void neverRuns() {
            SEEN.add("instance field");
        }
    }

    @AfterAll
    static void clear() {
        SEEN.clear();
    }

    @Test
    void annotatedClassGetsOneIssuerWithItsSettingsAsSystemPropertiesWhileItRuns() {
        System.setProperty("tokengate.jwt.audience", "before-the-class");
        try {
            SEEN.clear();
            TestExecutionSummary summary = run(AnnotatedFixture.class);
            assertThat(summary.getFailures()).isEmpty();
            assertThat(summary.getTestsSucceededCount()).isEqualTo(3);
            assertThat(SEEN).hasSize(3);
            assertThat(SEEN.stream().map(s -> s.substring(s.indexOf(' ') + 1)).distinct()).hasSize(1);
            assertThat(System.getProperty("tokengate.jwt.audience")).as("restored").isEqualTo("before-the-class");
            assertThat(System.getProperty("tokengate.jwt.issuer")).as("removed").isNull();
            String issuer = SEEN.get(0).substring(SEEN.get(0).indexOf(' ') + 1);
            assertThat(AnnotatedFixture.fromBeforeAll.issuer()).isEqualTo(issuer);
            assertThat(AnnotatedFixture.fromBeforeAll.settings()).containsKey("tokengate.jwt.issuer");
        } finally {
            System.clearProperty("tokengate.jwt.audience");
        }
    }

    @Test
    void issuerIsStoppedAfterTheClass() throws Exception {
        TestExecutionSummary summary = run(FieldFixture.class);
        assertThat(summary.getFailures()).isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(FieldFixture.ISSUER).extracting(e -> {
            try {
                e.issuer();
                return "running";
            } catch (IllegalStateException stopped) {
                return stopped.getMessage();
            }
        }).asString().contains("runs only while its test class does");
    }

    @Test
    void instanceFieldRegistrationFailsWithWhatToDo() {
        SEEN.clear();
        TestExecutionSummary summary = run(InstanceFieldFixture.class);
        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures().get(0).getException()).hasMessageContaining("static field");
        assertThat(SEEN).isEmpty();
    }

    private static TestExecutionSummary run(Class<?> fixture) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture))
                .build(), listener);
        return listener.getSummary();
    }
}
