package dev.tokengate.servlet;

import dev.tokengate.BearerError;
import dev.tokengate.ConfigurationException;
import dev.tokengate.ErrorResponse;
import dev.tokengate.Outcome;
import dev.tokengate.TokenGate;
import dev.tokengate.VerifiedToken;
import dev.tokengate.authorize.Requirement;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.config.ConfigKey;
import dev.tokengate.config.ConfigKeys;
import dev.tokengate.config.ConfigSource;
import dev.tokengate.log.Loggers;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;

/**
 * A servlet filter that admits a request only with a bearer token that meets the {@link UrlRules rule} of its
 * URL, and otherwise answers with the RFC 6750 error (401, 400, 403 or 503, a {@code WWW-Authenticate}
 * challenge and an {@code application/problem+json} body), or with a {@link dev.tokengate.policy.TokenPolicy
 * policy}'s own answer (e.g. 429 with {@code Retry-After}), without calling the application.
 *
 * <p>An admitted request reaches the application wrapped so that unmodified code sees the caller through the
 * standard servlet methods: {@code getUserPrincipal()} is the {@link VerifiedToken}, {@code getRemoteUser()} its
 * subject (or client id), {@code getAuthType()} is {@code "BEARER"} and {@code isUserInRole(scope)} asks whether
 * the token has that scope. The token is also the request attribute {@value #TOKEN_ATTRIBUTE}. Requests on a
 * {@code permit} route pass unwrapped, and their token, if any, is not checked. Each request produces exactly
 * one call-log event, with the status actually sent (for asynchronous requests, when they complete), and its
 * response, refused or not, carries the request id in the {@value TokenGate#REQUEST_ID_HEADER} header (the client's
 * own when it sent a sane one).
 *
 * <h2>Declared in {@code web.xml}</h2>
 * <pre>{@code
 * <filter>
 *   <filter-name>tokengate</filter-name>
 *   <filter-class>dev.tokengate.servlet.TokenGateFilter</filter-class>
 *   <async-supported>true</async-supported>
 *   <init-param>
 *     <param-name>tokengate.jwt.issuer</param-name>
 *     <param-value>https://login.example.com/</param-value>
 *   </init-param>
 *   <init-param>
 *     <param-name>tokengate.jwt.audience</param-name>
 *     <param-value>https://api.example.com</param-value>
 *   </init-param>
 *   <init-param>
 *     <param-name>tokengate.rules</param-name>
 *     <param-value>
 *       GET,HEAD /api/accounts/* = read
 *       POST /api/orders = trade
 *       /api/public/* = permit
 *       /* = authenticated
 *     </param-value>
 *   </init-param>
 * </filter>
 * <filter-mapping>
 *   <filter-name>tokengate</filter-name>
 *   <url-pattern>/*</url-pattern>
 * </filter-mapping>
 * }</pre>
 * Every {@code tokengate.*} setting is read from Java system properties, then environment variables
 * ({@code tokengate.jwt.issuer} ⇔ {@code TOKENGATE_JWT_ISSUER}), then the init-params, so an operator can
 * override what the WAR ships; a blank value counts as unset, so it never hides a lower layer. System properties
 * and environment variables apply to every application of the JVM: a WAR on a shared server that must not be
 * affected by them sets the init-param {@code tokengate.config.layers} to {@code parameters} (its init-params
 * only). The start-up line lists each effective setting with the layer it came from, secrets masked. An unknown
 * {@code tokengate.*} key or a bad value fails {@link #init} with a {@link ServletException} whose message starts
 * with the key and the layer it came from ({@code tokengate.rules (init-param): line 2 …}); the application then
 * does not start. A key of another adapter ({@code tokengate.jaxrs.unannotated}) is ignored.
 *
 * <h2>Init-params</h2>
 * <table>
 *   <caption>Settings of this filter</caption>
 *   <tr><th>name</th><th>default</th><th>example</th><th>meaning</th></tr>
 *   <tr><td>{@value #RULES}</td><td>none (required unless {@value #UNMATCHED} is not {@code deny})</td>
 *       <td>{@code GET /api/* = read; /* = authenticated}</td>
 *       <td>URL rules, one per line or {@code ;}-separated: {@code [METHODS] PATTERN = REQUIREMENT} (see
 *       {@link UrlRules})</td></tr>
 *   <tr><td>{@value #UNMATCHED}</td><td>{@code deny}</td><td>{@code authenticated}</td>
 *       <td>what a request that no rule matches needs: {@code deny} (403 {@code access_denied} for every caller,
 *       token or not: no token can open a URL nobody configured), {@code authenticated} or {@code permit}</td></tr>
 *   <tr><td>{@code tokengate.config.layers}</td><td>{@code system-properties, environment, parameters}</td>
 *       <td>{@code parameters}</td><td>the layers settings are read from; {@code parameters}: this WAR's init-params
 *       only, whatever system properties and environment variables the server sets (init-param only)</td></tr>
 *   <tr><td>{@code tokengate.cors-preflight}</td><td>{@code pass}</td><td>{@code rules}</td>
 *       <td>a CORS preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}, never
 *       credentials): {@code pass} to the application unchecked, or let the URL rule decide it</td></tr>
 *   <tr><td>{@code tokengate.mode}</td><td>{@code enforce}</td><td>{@code report-only}</td>
 *       <td>{@code report-only}: every decision is computed and logged ({@code would_deny}) and none enforced: each
 *       request reaches the application, with the principal of a valid token (logged as a warning at start-up)</td></tr>
 *   <tr><td>{@code tokengate.realm}</td><td>{@code api}</td><td>{@code orders}</td><td>the challenge's realm</td></tr>
 *   <tr><td>{@code tokengate.error-uri}</td><td>none</td><td>{@code https://api.example.com/errors}</td>
 *       <td>sent as {@code error_uri}</td></tr>
 *   <tr><td>{@code tokengate.challenge.include-scope}</td><td>{@code true}</td><td>{@code false}</td>
 *       <td>whether {@code insufficient_scope} answers name the scopes required (challenge, description, problem body)</td></tr>
 *   <tr><td>{@code tokengate.token.form-body}</td><td>{@code false}</td><td>{@code true}</td>
 *       <td>accept {@code access_token} in a urlencoded {@code POST} body (the application can still read the
 *       body's parameters)</td></tr>
 *   <tr><td>{@code tokengate.token.query-parameter}</td><td>{@code false}</td><td>{@code true}</td>
 *       <td>accept {@code access_token} in the query string (logged as a warning: URLs are logged everywhere)</td></tr>
 *   <tr><td>{@code tokengate.token.cookie}</td><td>none</td><td>{@code api_token}</td><td>a cookie carrying the raw token</td></tr>
 *   <tr><td>{@code tokengate.token.header}</td><td>none</td><td>{@code X-Api-Token}</td>
 *       <td>a header carrying the raw token without scheme</td></tr>
 *   <tr><td>{@code tokengate.jwt.issuer}</td><td>none (required)</td><td>{@code https://login.example.com/}</td>
 *       <td>trusted issuers, comma-separated</td></tr>
 *   <tr><td>{@code tokengate.jwt.audience}</td><td>none (required unless {@code allow-any-audience})</td>
 *       <td>{@code https://api.example.com}</td><td>accepted audiences, any-of</td></tr>
 *   <tr><td>{@code tokengate.jwt.allow-any-audience}</td><td>{@code false}</td><td>{@code true}</td>
 *       <td>accept tokens for any audience (logged as a warning)</td></tr>
 *   <tr><td>{@code tokengate.jwt.jwks-uri}</td><td>found by discovery</td>
 *       <td>{@code https://login.example.com/.well-known/jwks.json}</td><td>the issuer's JWKS (single issuer only)</td></tr>
 *   <tr><td>{@code tokengate.jwt.public-key}</td><td>none</td><td>{@code /etc/api/issuer.pem}</td>
 *       <td>a PEM public key file instead of a JWKS</td></tr>
 *   <tr><td>{@code tokengate.jwt.jwks-file}</td><td>none</td><td>{@code /etc/api/jwks.json}</td><td>a JWKS file instead of a JWKS URI</td></tr>
 *   <tr><td>{@code tokengate.jwt.hmac-secret-env}</td><td>none</td><td>{@code API_JWT_SECRET}</td>
 *       <td>the environment variable holding an HMAC secret (HS* only; logged as a warning)</td></tr>
 *   <tr><td>{@code tokengate.jwt.algorithms}</td><td>{@code RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512}</td>
 *       <td>{@code ES256}</td><td>the algorithm allow-list</td></tr>
 *   <tr><td>{@code tokengate.jwt.type}</td><td>none (no {@code typ}, {@code JWT}, {@code at+jwt} pass; other types are refused)</td><td>{@code at+jwt}</td><td>the required {@code typ} header; {@code at+jwt} also requires the RFC 9068 claims</td></tr>
 *   <tr><td>{@code tokengate.jwt.clock-skew}</td><td>{@code 60s}</td><td>{@code 30s}</td><td>leeway for {@code exp}, {@code nbf}, {@code iat}</td></tr>
 *   <tr><td>{@code tokengate.jwt.scope-claim}</td><td>{@code scope}, then {@code scp}</td><td>{@code permissions}</td>
 *       <td>the claim holding scopes</td></tr>
 *   <tr><td>{@code tokengate.jwt.required-claims}</td><td>none beyond {@code exp}</td><td>{@code sub,jti}</td>
 *       <td>claims every token must have</td></tr>
 *   <tr><td>{@code tokengate.jwks.connect-timeout}</td><td>{@code 2s}</td><td>{@code 500ms}</td><td>JWKS connect timeout</td></tr>
 *   <tr><td>{@code tokengate.jwks.read-timeout}</td><td>{@code 5s}</td><td>{@code 2s}</td><td>JWKS read timeout</td></tr>
 *   <tr><td>{@code tokengate.jwks.refetch-interval}</td><td>{@code 30s}</td><td>{@code 1m}</td>
 *       <td>least time between two refetches for an unknown {@code kid}</td></tr>
 *   <tr><td>{@code tokengate.jwks.stale-window}</td><td>{@code 24h}</td><td>{@code 6h}</td>
 *       <td>how long known keys are served while the JWKS endpoint fails</td></tr>
 *   <tr><td>{@code tokengate.cache.spec}</td><td>{@code maximumSize=10000}</td><td>{@code maximumSize=50000}</td>
 *       <td>Caffeine spec of the verified-token cache; {@code maximumSize=0} disables it</td></tr>
 *   <tr><td>{@code tokengate.cache.max-ttl}</td><td>{@code 5m}</td><td>{@code 1m}</td>
 *       <td>longest life of a cached verified token (never beyond its {@code exp})</td></tr>
 * </table>
 * Durations are written {@code 500ms}, {@code 60s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601; lists are
 * comma-separated. The core keys are defined in {@link dev.tokengate.config.ConfigKeys}.
 *
 * <h2>Registered programmatically</h2>
 * <pre>{@code
 * TokenGate gate = TokenGate.builder()
 *         .issuer(JwtValidator.builder()
 *                 .issuer("https://login.example.com/")
 *                 .audiences("https://api.example.com")
 *                 .keySource(KeySources.discover(URI.create("https://login.example.com/")).build()))
 *         .build();
 * UrlRules rules = UrlRules.parse("GET /api/* = read; /* = authenticated");
 * servletContext.addFilter("tokengate", new TokenGateFilter(gate, rules))
 *         .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
 * // or, on Jetty: context.addFilter(new FilterHolder(new TokenGateFilter(gate, rules)), "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 * A filter built this way ignores its init-params (and logs a warning if it has {@code tokengate.*} ones).
 *
 * <p>Declare it {@code <async-supported>true</async-supported>}: otherwise the container refuses
 * {@code startAsync()} to every servlet behind it. The wrapped request survives {@code startAsync()}, so code
 * inside {@code AsyncContext.start} and a servlet reached by {@code AsyncContext.dispatch()} see the caller too.
 *
 * <h2>Mapping</h2>
 * Map the filter to {@code /*} for the {@code REQUEST} dispatch, ahead of filters that use the caller's identity.
 * Rules are checked once per request, on the path the client asked for; forwards and includes made by the
 * application are trusted. If the filter is also mapped to other dispatch types, a request it already decided
 * passes again with the same principal.
 *
 * <p>Each instance owns its pipeline; thread-safe once initialised.
 */
public class TokenGateFilter implements Filter {

    /** Init-param: the URL rules (see {@link UrlRules}). */
    public static final String RULES = ConfigKeys.RULES;
    /** Init-param: {@code deny} (default), {@code authenticated} or {@code permit} for requests no rule matches. */
    public static final String UNMATCHED = ConfigKeys.UNMATCHED;
    /** The request attribute holding the {@link VerifiedToken} of an admitted request. */
    public static final String TOKEN_ATTRIBUTE = "dev.tokengate.VerifiedToken";

    private static final Logger LOG = Loggers.logger(TokenGateFilter.class);

    private final Function<ConfigSource, TokenGate> gateFactory;
    private final String filteredAttribute = TokenGateFilter.class.getName() + ".FILTERED@"
            + Integer.toHexString(System.identityHashCode(this));
    private final Map<String, String> environment;
    private final Properties systemProperties;
    private volatile Pipeline pipeline;

    /** A filter configured by its init-params (system properties and environment variables first) in {@link #init}. */
    public TokenGateFilter() {
        this(TokenGate::create);
    }

    /**
     * A filter configured by its init-params, whose pipeline is built by {@code gateFactory} from the settings
     * read. For tests that declare the filter in {@code web.xml} but validate tokens with a stub.
     */
    TokenGateFilter(Function<ConfigSource, TokenGate> gateFactory) {
        this(gateFactory, System.getenv(), System.getProperties());
    }

    /**
     * A filter configured by its init-params under this environment and these system properties instead of the
     * process's. For tests.
     */
    TokenGateFilter(Function<ConfigSource, TokenGate> gateFactory, Map<String, String> environment,
                    Properties systemProperties) {
        this.gateFactory = Objects.requireNonNull(gateFactory, "gateFactory");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
    }

    /**
     * A filter with its pipeline and rules given; its init-params are ignored.
     *
     * @param gate  the pipeline (e.g. {@code TokenGate.builder().issuer(...).build()}, with a custom validator or
     *              call-log sink if need be); closed by {@link #destroy} only if the filter built it
     * @param rules the URL rules
     */
    public TokenGateFilter(TokenGate gate, UrlRules rules) {
        this.gateFactory = source -> gate;
        this.environment = Map.of();
        this.systemProperties = new Properties();
        this.pipeline = new Pipeline(Objects.requireNonNull(gate, "gate"), Objects.requireNonNull(rules, "rules"), false);
    }

    /**
     * Reads the configuration from system properties, environment variables and the init-params, and builds the
     * pipeline; does nothing more for a filter constructed with its pipeline.
     *
     * @throws ServletException when a setting is unknown, malformed or inconsistent (the message starts with the
     *                          key) or the pipeline cannot be built
     */
    @Override
    public final void init(FilterConfig filterConfig) throws ServletException {
        Map<String, String> params = new LinkedHashMap<>();
        for (String name : Collections.list(filterConfig.getInitParameterNames())) {
            params.put(name, filterConfig.getInitParameter(name));
        }
        String filterName = filterConfig.getFilterName();
        if (pipeline != null) {
            if (params.keySet().stream().anyMatch(k -> k.startsWith("tokengate."))) {
                LOG.warn("tokengate filter '{}' was constructed with its pipeline; its tokengate.* init-params {} are ignored",
                        filterName, params.keySet());
            }
            return;
        }
        try {
            ConfigSource source = ConfigSource.of(params, environment, systemProperties)
                    .withMicroProfileConfig(applicationClassLoader(filterConfig))
                    .readBy(ConfigKey.Component.SERVLET_FILTER, "init-param");
            TokenGate gate = Objects.requireNonNull(gateFactory.apply(source), "the gate factory returned null");
            try {
                Requirement unmatched = source.get(UNMATCHED, UrlRules::parseUnmatched).orElse(Requirement.deny());
                UrlRules rules = source.attributing(() -> UrlRules.parse(source.get(RULES).orElse(""), unmatched));
                pipeline = source.attributing(() -> new Pipeline(gate, rules, true));
            } catch (RuntimeException e) {
                gate.close();
                throw e;
            }
            LOG.info("tokengate filter '{}' started with {}; settings: {}", filterName, pipeline.rules(), source.describe());
        } catch (ConfigurationException e) {
            throw new ServletException(e.getMessage() + " (tokengate filter '" + filterName + "')", e);
        } catch (RuntimeException e) {
            throw new ServletException("tokengate filter '" + filterName + "' could not start: " + e.getMessage(), e);
        }
    }

    /**
     * Decides the request by its URL rule: refuses it with the error response, or passes it on (wrapped when a
     * token was verified); then emits its call-log event with the status sent.
     */
    @Override
    public final void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        Pipeline p = pipeline;
        if (p == null) {
            LOG.error("tokengate filter called before init(); refusing {} {}", request.getMethod(), request.getRequestURI());
            ServletResponses.sendUnavailable(response);
            return;
        }
        if (request.getAttribute(filteredAttribute) != null) {
            Object token = request.getAttribute(TOKEN_ATTRIBUTE);
            chain.doFilter(token instanceof VerifiedToken t ? new AuthenticatedRequest(request, response, t) : request, response);
            return;
        }
        request.setAttribute(filteredAttribute, Boolean.TRUE);

        ServletRequestView view = new ServletRequestView(request);
        if (p.gate.resourceMetadata().isMetadataRequest(view)) {
            // RFC 9728: open, the same for every caller, not in the call log
            ServletResponses.sendMetadata(response, p.gate.resourceMetadata().document(view, p.rules.scopes()),
                    "HEAD".equals(view.method()));
            return;
        }
        if (request.getAttribute(TokenGate.CALL_ATTRIBUTE) instanceof TokenGate.Call joined) {
            // the Jakarta Security mechanism began the request's call: this filter adds its rule and the mechanism
            // finishes the call (one call-log event)
            decideJoined(p, joined, view, request, response, chain);
            return;
        }
        TokenGate.Call call;
        try {
            call = p.gate.begin(view);
        } catch (RuntimeException e) {
            LOG.error("tokengate could not start checking {} {}", view.method(), view.path(), e);
            ServletResponses.sendUnavailable(response);
            return;
        }
        request.setAttribute(TokenGate.CALL_ATTRIBUTE, call); // a JAX-RS layer behind this filter joins the call
        int status = HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
        boolean finishesLater = false;
        try {
            Outcome outcome = decide(p, call, view);
            call.responseHeaders().forEach(response::setHeader); // on the refusal and the application's answer
            if (outcome instanceof Outcome.Rejected rejected) {
                ErrorResponse error = call.errorResponse(rejected.error());
                status = error.status();
                ServletResponses.send(response, error);
                return;
            }
            HttpServletRequest next = request;
            if (outcome instanceof Outcome.Authenticated authenticated) {
                request.setAttribute(TOKEN_ATTRIBUTE, authenticated.token());
                next = new AuthenticatedRequest(request, response, authenticated.token());
            }
            boolean returned = false;
            try {
                chain.doFilter(next, response);
                returned = true;
            } finally {
                status = returned || response.isCommitted() ? response.getStatus() : HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
            }
            if (request.isAsyncStarted()) {
                finishesLater = finishOnComplete(request, response, call);
            }
        } finally {
            if (finishesLater) {
                // the call finishes on another thread; this thread goes back to the pool without its MDC
                call.detach();
            } else {
                call.finish(status);
            }
        }
    }

    /**
     * Closes the gate that {@link #init} built (its token store flushes pending writes and stops its thread); a gate
     * given to the constructor stays the caller's to close.
     */
    @Override
    public final void destroy() {
        Pipeline p = pipeline;
        if (p != null && p.owned()) {
            p.gate().close(); // flushes the token store's batched last-used writes
        }
    }

    private static Outcome decide(Pipeline p, TokenGate.Call call, ServletRequestView view) {
        try {
            return call.authorize(p.rules.requirementFor(view.method(), view.path()));
        } catch (RuntimeException e) {
            // a fault of tokengate itself, not of the client: logged with its stack, answered without it
            LOG.error("tokengate could not decide request {} ({} {})", call.requestId(), view.method(), view.path(), e);
            return new Outcome.Rejected(BearerError.unavailable("The server could not check the request; try again shortly."));
        }
    }

    private static boolean finishOnComplete(HttpServletRequest request, HttpServletResponse response, TokenGate.Call call) {
        try {
            request.getAsyncContext().addListener(new FinishOnComplete(call, response));
            return true;
        } catch (IllegalStateException e) {
            LOG.debug("request {} went asynchronous but is already completing; its call log uses the status now",
                    call.requestId());
            return false;
        }
    }

    /** A request whose call another adapter began and finishes: this filter's rule is added to its decision. */
    private static void decideJoined(Pipeline p, TokenGate.Call call, ServletRequestView view, HttpServletRequest request,
                                     HttpServletResponse response, FilterChain chain) throws IOException, ServletException {
        Outcome outcome = decide(p, call, view);
        if (outcome instanceof Outcome.Rejected rejected) {
            ServletResponses.send(response, call.errorResponse(rejected.error()));
            return;
        }
        HttpServletRequest next = request;
        if (outcome instanceof Outcome.Authenticated authenticated && request.getUserPrincipal() == null) {
            request.setAttribute(TOKEN_ATTRIBUTE, authenticated.token());
            next = new AuthenticatedRequest(request, response, authenticated.token());
        }
        chain.doFilter(next, response);
    }

    /** The web application's class loader, where its MicroProfile Config is found. */
    private static ClassLoader applicationClassLoader(FilterConfig filterConfig) {
        try {
            ClassLoader loader = filterConfig.getServletContext().getClassLoader();
            if (loader != null) {
                return loader;
            }
        } catch (RuntimeException | LinkageError e) {
            // a container that does not tell (or a security manager): the thread's
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : TokenGateFilter.class.getClassLoader();
    }

    /** The filter's gate and rules; {@code owned} when {@link #init} built the gate, so {@link #destroy} closes it. */
    private record Pipeline(TokenGate gate, UrlRules rules, boolean owned) {
        Pipeline {
            if (rules.requiresApiKeys() && !gate.supportsApiKeys()) {
                throw new ConfigurationException(RULES, "a rule requires an API key ('+ api-key'), but no token store "
                        + "is configured to look API keys up in: set " + ConfigKeys.STORE_JDBC_URL);
            }
            for (dev.tokengate.authorize.Requirement requirement : rules.requirements()) {
                gate.checkRoute(requirement).ifPresent(problem -> {
                    throw new ConfigurationException(RULES, problem);
                });
            }
        }
    }

    /** Finishes an asynchronous request's call when the container completes it, with the status sent. */
    private static final class FinishOnComplete implements AsyncListener {
        private final TokenGate.Call call;
        private final HttpServletResponse response;

        FinishOnComplete(TokenGate.Call call, HttpServletResponse response) {
            this.call = call;
            this.response = response;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            ServletResponse supplied = event.getSuppliedResponse();
            int status = supplied instanceof HttpServletResponse r ? r.getStatus() : response.getStatus();
            call.finish(status);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // onComplete follows
        }

        @Override
        public void onError(AsyncEvent event) {
            // onComplete follows
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }
}
