package dev.tokengate.sample.legacy;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.PrintWriter;

/** {@code GET /legacy/whoami}: what the standard servlet API tells unmodified code about the caller. */
public final class WhoAmIServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain; charset=UTF-8");
        PrintWriter out = resp.getWriter();
        out.println("remoteUser=" + req.getRemoteUser());
        out.println("authType=" + req.getAuthType());
        for (String scope : new String[] {"read", "trade", "withdraw"}) {
            out.println("isUserInRole(" + scope + ")=" + req.isUserInRole(scope));
        }
    }
}
