/**
 * The tokengate Jakarta REST module: {@code dev.tokengate.jaxrs.TokenGateFeature}, its annotations and filters,
 * on the Jakarta REST API alone.
 */
module dev.tokengate.jaxrs {
    requires transitive dev.tokengate;
    requires transitive jakarta.ws.rs;
    requires transitive jakarta.annotation; // @RolesAllowed and friends are read; close() is @PreDestroy
    requires org.slf4j;
    requires static jakarta.servlet; // the client's address where the runtime serves from a servlet (optional)

    exports dev.tokengate.jaxrs;
}
