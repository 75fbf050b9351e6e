package dev.tokengate.servlet;

import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.testing.jetty.MutualTlsContract;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Certificate-bound tokens (RFC 8705) over real mutual TLS through the filter, which reads the client certificate
 * from {@code jakarta.servlet.request.X509Certificate} ({@link MutualTlsContract}): the legacy application below
 * {@code /app}, whose answers carry {@code X-Legacy: yes}.
 */
class MtlsFilterTest extends MutualTlsContract {

    MtlsFilterTest() {
        super("/app/api/accounts/1", r -> assertThat(r.headers().firstValue("X-Legacy")).hasValue("yes"),
                r -> assertThat(r.headers().firstValue("X-Legacy")).isEmpty());
    }

    @Override
    protected Handler context(TokenGate gate) {
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addFilter(new FilterHolder(new TokenGateFilter(gate, UrlRules.parse(GatedApp.RULES))), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new LegacyServlet()), "/*");
        return context;
    }
}
