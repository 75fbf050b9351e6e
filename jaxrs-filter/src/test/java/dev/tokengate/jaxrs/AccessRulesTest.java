package dev.tokengate.jaxrs;

import dev.tokengate.authorize.Requirement;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The precedence rules, resolved without a runtime. */
class AccessRulesTest {

    private static Requirement of(Class<?> type, String method) {
        Method m = java.util.Arrays.stream(type.getMethods()).filter(x -> x.getName().equals(method)).findFirst()
                .orElseThrow(() -> new AssertionError("no method " + method));
        return AccessRules.requirementFor(type, m, Requirement.authenticated());
    }

    @Test
    void requirementWhenMethodAnnotatedThenMethodReplacesClass() throws Exception {
        assertThat(of(Resources.ClassScoped.class, "replaced")).isEqualTo(Requirement.allOf("admin"));
        assertThat(of(Resources.ClassScoped.class, "inherits")).isEqualTo(Requirement.allOf("read"));
        assertThat(of(Resources.ClosedClass.class, "opened")).isEqualTo(Requirement.allOf("read"));
        assertThat(of(Resources.OpenClass.class, "scoped")).isEqualTo(Requirement.allOf("trade"));
    }

    @Test
    void requirementOfEachAnnotation() throws Exception {
        assertThat(of(Resources.ClassScoped.class, "any")).isEqualTo(Requirement.anyOf("admin", "trade"));
        assertThat(of(Resources.ClassScoped.class, "open")).isEqualTo(Requirement.permit());
        assertThat(of(Resources.ClassScoped.class, "permitAll")).isEqualTo(Requirement.permit());
        assertThat(of(Resources.ClassScoped.class, "denyAll")).isEqualTo(Requirement.deny());
        assertThat(of(Resources.ClassScoped.class, "roles")).isEqualTo(Requirement.anyOf("admin", "trade"));
        assertThat(of(Resources.ClassScoped.class, "anyRole")).isEqualTo(Requirement.authenticated());
        assertThat(of(Resources.ClassScoped.class, "noRole")).isEqualTo(Requirement.deny());
        assertThat(of(Resources.ClosedClass.class, "inherits")).isEqualTo(Requirement.deny());
        assertThat(of(Resources.RolesClass.class, "inherits")).isEqualTo(Requirement.anyOf("trade"));
    }

    @Test
    void requirementWhenDeclaredOnInterfaceThenFound() throws Exception {
        assertThat(of(Resources.QuotesResource.class, "quote")).isEqualTo(Requirement.allOf("quotes"));
        assertThat(of(Resources.QuotesResource.class, "plain")).isEqualTo(Requirement.authenticated());
        assertThat(of(Resources.ScopedApiResource.class, "x")).isEqualTo(Requirement.allOf("read"));
        Method onInterface = Resources.QuotesApi.class.getMethod("quote");
        assertThat(AccessRules.requirementFor(Resources.QuotesResource.class, onInterface, Requirement.permit()))
                .isEqualTo(Requirement.allOf("quotes"));
    }

    /** Resources that require the calling application's API key too. */
    @RequiresScopes("read")
    public static class Partner {
        @RequiresApiKey
        public String keyed() {
            return "ok";
        }

        @RequiresApiKey
        @RequiresScopes("trade")
        public String keyedTrade() {
            return "ok";
        }

        public String plain() {
            return "ok";
        }

        @RequiresApiKey
        @Open
        public String openWithKey() {
            return "ok";
        }
    }

    /** API key required for the whole class, found on its interface. */
    @RequiresApiKey
    public interface KeyedApi {
        String x();
    }

    /** Implements {@link KeyedApi}. */
    public static class KeyedResource implements KeyedApi {
        @Override
        public String x() {
            return "ok";
        }
    }

    @Test
    void requirementWhenRequiresApiKeyThenAddedToTheTokenRequirement() throws Exception {
        assertThat(of(Partner.class, "keyed")).isEqualTo(Requirement.allOf("read").withApiKey());
        assertThat(of(Partner.class, "keyedTrade")).isEqualTo(Requirement.allOf("trade").withApiKey());
        assertThat(of(Partner.class, "plain")).isEqualTo(Requirement.allOf("read"));
        assertThat(of(KeyedResource.class, "x")).isEqualTo(Requirement.authenticated().withApiKey());
    }

    @Test
    void requirementWhenRequiresApiKeyOnOpenMethodThenRefusedAsAmbiguous() {
        assertThatThrownBy(() -> of(Partner.class, "openWithKey")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("openWithKey").hasMessageContaining("API key");
    }

    /** DPoP required for the whole class, but allowed on one method. */
    @Dpop
    public static class Vault {
        @RequiresScopes("withdraw")
        public String withdraw() {
            return "ok";
        }

        @RequiresScopes("read")
        @Dpop(dev.tokengate.jwt.DpopVerifier.Mode.ALLOWED)
        public String balance() {
            return "ok";
        }

        @Open
        public String open() {
            return "ok";
        }
    }

    @Test
    void requirementWhenDpopThenTheRoutesModeAndTheMethodsBeatsTheClasss() throws Exception {
        assertThat(of(Vault.class, "withdraw")).isEqualTo(Requirement.parse("withdraw + dpop required"));
        assertThat(of(Vault.class, "balance")).isEqualTo(Requirement.parse("read + dpop allowed"));
        assertThatThrownBy(() -> of(Vault.class, "open")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("open").hasMessageContaining("@Dpop").hasMessageContaining("token requirement");
    }

    /** A subclass that overrides with its own annotation. */
    public static class Overriding extends Resources.ClassScoped {
        @Override
        @PermitAll
        public String replaced() {
            return "ok";
        }
    }

    @Test
    void requirementWhenSubclassAnnotatesOverrideThenSubclassWinsAndClassRuleIsInherited() throws Exception {
        assertThat(of(Overriding.class, "replaced")).isEqualTo(Requirement.permit());
        assertThat(of(Overriding.class, "inherits")).isEqualTo(Requirement.allOf("read"));
    }

    @Test
    void requirementWhenUnannotatedThenDefault() throws Exception {
        Method m = Resources.Unannotated.class.getMethod("get", jakarta.ws.rs.core.SecurityContext.class);
        assertThat(AccessRules.requirementFor(Resources.Unannotated.class, m, Requirement.permit())).isEqualTo(Requirement.permit());
    }

    /** Conflicting and invalid declarations. */
    public static class Broken {
        @PermitAll
        @RequiresScopes("read")
        public String both() {
            return "";
        }

        @RequiresScopes("read write")
        public String badScope() {
            return "";
        }

        @RequiresScopes({})
        public String noScope() {
            return "";
        }

        @RolesAllowed("a")
        @RequiresScopes("b")
        public String rolesAndScopes() {
            return "";
        }
    }

    @Test
    void requirementWhenAnnotationsConflictThenFailsNamingTheMethod() {
        assertThatThrownBy(() -> of(Broken.class, "both")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Broken#both").hasMessageContaining("@PermitAll").hasMessageContaining("@RequiresScopes");
        assertThatThrownBy(() -> of(Broken.class, "rolesAndScopes")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> of(Broken.class, "badScope")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Broken#badScope").hasMessageContaining("read write");
        assertThatThrownBy(() -> of(Broken.class, "noScope")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("at least one scope");
    }

    @Test
    void binderWhenAnnotationsConflictThenMethodIsClosed() throws Exception {
        Binder binder = new Binder(null, Requirement.authenticated());
        assertThat(binder.requirementFor(Broken.class, Broken.class.getMethod("both"))).isEqualTo(Requirement.deny());
    }
}
