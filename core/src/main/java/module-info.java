/**
 * The tokengate core module: the container-neutral pipeline (extract, validate, authorize, call log), its
 * configuration and its token sources. It exports its API packages; {@code dev.tokengate.internal} is not exported.
 */
module dev.tokengate {
    requires transitive com.github.benmanes.caffeine; // Ticker in the builders
    requires transitive java.net.http;                // HttpClient in the JWKS and introspection builders
    requires transitive java.sql;                     // DataSource in the token store's builder
    requires com.maxmind.db;                          // the anomaly rules' country database (.mmdb)
    requires com.zaxxer.hikari;                       // the token store's pool for tokengate.store.jdbc-url
    requires java.naming;                             // the token store's DataSource by JNDI name
    requires org.slf4j;
    requires transitive io.github.bucket4j.core;      // the rate limits' buckets (SharedBuckets)
    requires static io.opentelemetry.api;             // spans (OpenTelemetryObserver), when the API is there
    requires static io.opentelemetry.context;

    uses dev.tokengate.control.SharedControlProvider; // tokengate-redis, when tokengate.redis.uri is set
    uses dev.tokengate.observe.GateObserverProvider;  // tokengate-micrometer, when tokengate.metrics=auto

    exports dev.tokengate;
    exports dev.tokengate.authorize;
    exports dev.tokengate.config;
    exports dev.tokengate.control;
    exports dev.tokengate.extract;
    exports dev.tokengate.health;
    exports dev.tokengate.introspection;
    exports dev.tokengate.jwks;
    exports dev.tokengate.jwt;
    exports dev.tokengate.log;
    exports dev.tokengate.observe;
    exports dev.tokengate.policy;
    exports dev.tokengate.store;
    exports dev.tokengate.validate;
}
