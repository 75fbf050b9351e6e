/**
 * The tokengate servlet filter module: {@code dev.tokengate.servlet.TokenGateFilter} and what it needs. Servlet
 * containers run it from the class path; this descriptor serves applications on the module path.
 */
module dev.tokengate.servlet {
    requires transitive dev.tokengate;
    requires transitive jakarta.servlet;
    requires org.slf4j;

    exports dev.tokengate.servlet;
}
