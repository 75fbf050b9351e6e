package dev.tokengate.servlet;

import dev.tokengate.testing.jetty.TestServer;
import dev.tokengate.TokenGate;
import dev.tokengate.authorize.UrlRules;
import dev.tokengate.testing.conformance.GatedApp;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

import java.io.IOException;
import java.util.EnumSet;

/** The conformance application behind the servlet filter, in a real Jetty, with the rules a legacy team would write. */
final class ServletGatedApp implements GatedApp {

    static final String RULES = """
            GET,POST %s = read
            GET %s = admin
            GET %s = permit
            POST %s = withdraw + acr mfa hwk + max-age 5m
            GET %s = read + max-age 60
            """.formatted(READ, ADMIN, OPEN, WITHDRAWALS, FRESH);

    @Override
    public Deployment deploy(TokenGate gate) throws Exception {
        ServletContextHandler context = new ServletContextHandler("/");
        context.addFilter(new FilterHolder(new TokenGateFilter(gate, UrlRules.parse(RULES))), "/*",
                EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new Echo()), "/*");
        return Deployment.start(gate, () -> TestServer.start(context));
    }

    /** 200 {@code subject=<remote user>}, or {@code open} on the open route, {@code withdrawn} on the withdrawals. */
    static final class Echo extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain;charset=UTF-8");
            String note = req.getParameter("note");
            String uri = req.getRequestURI();
            resp.getWriter().print(uri.equals(OPEN) ? "open" : uri.equals(WITHDRAWALS) ? "withdrawn"
                    : "subject=" + req.getRemoteUser() + (note == null ? "" : " note=" + note));
        }
    }
}
