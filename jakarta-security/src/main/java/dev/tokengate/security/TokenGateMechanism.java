package dev.tokengate.security;

import dev.tokengate.ErrorResponse;
import dev.tokengate.Outcome;
import dev.tokengate.ResourceMetadata;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.config.ConfigKey;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.servlet.ServletRequestView;
import dev.tokengate.servlet.ServletResponses;
import dev.tokengate.servlet.TokenGateFilter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Destroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.event.Observes;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import dev.tokengate.log.Loggers;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * tokengate as a Jakarta Security {@link HttpAuthenticationMechanism}: the container asks it who the caller of each
 * request is, and it answers with the bearer token's subject and groups, through the same pipeline as the servlet
 * filter (extraction, validation, revocation, rate limits, anomaly rules, IP ranges, challenges, call log).
 *
 * <ul>
 *   <li>A valid token: the container is told the caller ({@link HttpMessageContext#notifyContainerAboutLogin}), the
 *       {@link VerifiedToken} as principal (its name is the subject, else the client id) and its groups: the token's
 *       scopes, or the strings at the claim path {@value ConfigKeys#GROUPS_CLAIM} ({@code realm_access.roles}).
 *       {@code @RolesAllowed} (JAX-RS, EJB, CDI), {@code web.xml} constraints, {@code isUserInRole} and
 *       {@code SecurityContext.isCallerInRole} then compare roles with those groups.</li>
 *   <li>A malformed, invalid, revoked or rate-limited token, or one a policy refuses: refused here, on every
 *       resource, with tokengate's answer (400/401/403/429/503, {@code WWW-Authenticate}, problem body).</li>
 *   <li>No token: nothing to do on a resource the container does not protect; on a protected one, 401 with the
 *       {@code Bearer} challenge.</li>
 * </ul>
 * Each request gets one call-log event with the status sent, when the request ends, and its response, refused or
 * not, the request id in the {@value TokenGate#REQUEST_ID_HEADER} header. A tokengate servlet filter or
 * JAX-RS feature in the same application joins the request's call: they add their rules without validating the token
 * again, and the event stays one.
 *
 * <p>It serves the API's RFC 9728 metadata ({@link ResourceMetadata}) at
 * {@code /.well-known/oauth-protected-resource} below the application's context path, or at the path-suffixed URL of
 * {@value ConfigKeys#RESOURCE}, and every 401 challenge names it as {@code resource_metadata}.
 *
 * <p>Turned on by {@link TokenGateMechanismDefinition} or {@value ConfigKeys#MECHANISM_ENABLED}; configured by the
 * {@code tokengate.*} keys from system properties, environment variables and the application's MicroProfile Config.
 * The pipeline is built when the application starts (a bad setting fails the deployment, naming the key) and closed
 * when it stops.
 */
@ApplicationScoped
public class TokenGateMechanism implements HttpAuthenticationMechanism {

    /** The request attribute of the mechanism's exchange with one request. */
    static final String EXCHANGE = TokenGateMechanism.class.getName() + ".exchange";

    private static final Logger LOG = Loggers.logger(TokenGateMechanism.class);

    private volatile Pipeline pipeline;

    /** For CDI. */
    public TokenGateMechanism() {
    }

    /**
     * Builds the pipeline as the application starts, so that a bad setting fails its deployment. (The event's payload
     * is the {@code ServletContext} in a web application, as CDI says; not every container delivers it to an
     * observer of that type, so any payload is taken.)
     */
    void started(@Observes @Initialized(ApplicationScoped.class) Object application) {
        pipeline();
    }

    private Pipeline pipeline() {
        Pipeline p = pipeline;
        if (p == null) {
            synchronized (this) {
                p = pipeline;
                if (p == null) {
                    p = Pipeline.configured();
                    pipeline = p;
                }
            }
        }
        return p;
    }

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response,
                                                HttpMessageContext context) {
        Exchange exchange = request.getAttribute(EXCHANGE) instanceof Exchange e ? e : null;
        if (exchange == null) {
            Pipeline p = pipeline();
            ServletRequestView view = new ServletRequestView(request);
            ResourceMetadata metadata = p.gate().resourceMetadata();
            if (metadata.isMetadataRequest(view)) {
                return sendMetadata(response, metadata.document(view, List.of()), "HEAD".equals(view.method()));
            }
            TokenGate.Call call;
            try {
                call = p.gate().begin(view);
            } catch (RuntimeException e) {
                LOG.error("tokengate could not start checking {} {}", view.method(), view.path(), e);
                return unavailable(response);
            }
            exchange = new Exchange(call, response);
            request.setAttribute(EXCHANGE, exchange);
            request.setAttribute(TokenGate.CALL_ATTRIBUTE, call); // the filter and the JAX-RS feature join it
            exchange.outcome = decide(call, view, context.isProtected());
            call.responseHeaders().forEach(response::setHeader);
        }
        if (exchange.outcome instanceof Outcome.Rejected rejected) {
            return refuse(exchange, rejected, response);
        }
        if (exchange.outcome instanceof Outcome.Authenticated authenticated) {
            VerifiedToken token = authenticated.token();
            request.setAttribute(TokenGateFilter.TOKEN_ATTRIBUTE, token);
            return context.notifyContainerAboutLogin(token, pipeline().groups().of(token));
        }
        if (context.isProtected()) { // anonymous, and the container asks for a caller (another request, same exchange)
            exchange.outcome = decide(exchange.call, null, true);
            return refuse(exchange, (Outcome.Rejected) exchange.outcome, response);
        }
        return context.doNothing();
    }

    private static Outcome decide(TokenGate.Call call, ServletRequestView view, boolean containerProtected) {
        try {
            Outcome outcome = call.authenticate();
            // without a token, a resource the container protects is refused the way a rule that needs a token is
            return outcome instanceof Outcome.Anonymous && containerProtected
                    ? call.authorize(Requirement.authenticated()) : outcome;
        } catch (RuntimeException e) {
            LOG.error("tokengate could not decide request {} ({})", call.requestId(),
                    view == null ? "again" : view.method() + " " + view.path(), e);
            return new Outcome.Rejected(dev.tokengate.BearerError.unavailable(
                    "The server could not check the request; try again shortly."));
        }
    }

    /**
     * Sends tokengate's refusal, completed (its output closed), and answers {@code SEND_CONTINUE}: the mechanism has
     * written the response (a challenge, in Jakarta Security's words), so the container sends it as it is. Undertow
     * (WildFly) sends an error page of its own over any 4xx response that is not complete when authentication ends,
     * and with {@code SEND_FAILURE}, or over HTTP/2, it logged {@code UT010019: Response already commited} per
     * refusal.
     */
    private static AuthenticationStatus refuse(Exchange exchange, Outcome.Rejected rejected, HttpServletResponse response) {
        ErrorResponse error = exchange.call.errorResponse(rejected.error());
        exchange.status = error.status();
        try {
            ServletResponses.send(response, error);
            response.getOutputStream().close(); // complete: Undertow then sends no error page of its own
        } catch (IOException e) {
            LOG.debug("tokengate: the refusal of request {} could not be sent: {}", exchange.call.requestId(), e.toString());
        }
        return AuthenticationStatus.SEND_CONTINUE;
    }

    /**
     * Sends the RFC 9728 document, completed, as the servlet filter does (open, the same for every caller, not in the
     * call log). Without URL rules or annotations of its own, the mechanism names no {@code scopes_supported}.
     */
    private static AuthenticationStatus sendMetadata(HttpServletResponse response, String document, boolean head) {
        try {
            ServletResponses.sendMetadata(response, document, head);
            response.getOutputStream().close();
        } catch (IOException e) {
            LOG.debug("tokengate: the metadata document could not be sent: {}", e.toString());
        }
        return AuthenticationStatus.SEND_CONTINUE;
    }

    private static AuthenticationStatus unavailable(HttpServletResponse response) {
        try {
            ServletResponses.sendUnavailable(response);
            response.getOutputStream().close();
        } catch (IOException e) {
            LOG.debug("tokengate: a 503 could not be sent: {}", e.toString());
        }
        return AuthenticationStatus.SEND_CONTINUE;
    }

    /** Emits the request's call-log event, with the status sent, when the container ends the request. */
    void ended(@Observes @Destroyed(RequestScoped.class) ServletRequest request) {
        Object attribute;
        try {
            attribute = request.getAttribute(EXCHANGE);
        } catch (RuntimeException e) {
            return; // a request the container has already recycled
        }
        if (attribute instanceof Exchange exchange) {
            request.removeAttribute(EXCHANGE);
            exchange.finish();
        }
    }

    /** Closes the pipeline (its token store flushes its pending writes, its threads stop). */
    @PreDestroy
    void close() {
        Pipeline p = pipeline;
        pipeline = null;
        if (p != null) {
            p.gate().close();
        }
    }

    /** The mechanism's gate and how it reads groups. */
    private record Pipeline(TokenGate gate, Groups groups) {
        static Pipeline configured() {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            ConfigSource source = ConfigSource.of(Map.of())
                    .withMicroProfileConfig(loader != null ? loader : TokenGateMechanism.class.getClassLoader())
                    .readBy(ConfigKey.Component.JAKARTA_SECURITY, "mechanism setting");
            TokenGate gate = TokenGate.create(source);
            try {
                Groups groups = source.get(ConfigKeys.GROUPS_CLAIM, Groups::claim).orElse(Groups.scopes());
                LOG.info("tokengate: Jakarta Security mechanism started; the caller's groups are {}; settings: {}",
                        groups, source.describe());
                return new Pipeline(gate, groups);
            } catch (RuntimeException e) {
                gate.close();
                throw e;
            }
        }
    }

    /** One request's call, the response it is sent on, and what was decided. */
    private static final class Exchange {
        final TokenGate.Call call;
        final HttpServletResponse response;
        Outcome outcome;
        /** The status of tokengate's own refusal, else 0: the response's status when the request ends. */
        int status;

        Exchange(TokenGate.Call call, HttpServletResponse response) {
            this.call = call;
            this.response = response;
        }

        void finish() {
            int sent = status;
            if (sent == 0) {
                try {
                    sent = response.getStatus();
                } catch (RuntimeException e) {
                    sent = HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
                }
            }
            call.finish(sent);
        }
    }
}
