package dev.tokengate.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.PrintWriter;
import java.security.Principal;

/**
 * A servlet written before tokengate: it knows only the standard servlet security methods and parameters. It
 * prints what it sees, one {@code name=value} per line; {@code ?status=201} sets the status, a path ending in
 * {@code /boom} throws.
 */
public class LegacyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getRequestURI().endsWith("/boom")) {
            throw new IllegalStateException("legacy code failed");
        }
        String status = req.getParameter("status");
        resp.setStatus(status == null ? 200 : Integer.parseInt(status));
        resp.setContentType("text/plain;charset=utf-8");
        resp.setHeader("X-Legacy", "yes");
        Principal principal = req.getUserPrincipal();
        PrintWriter out = resp.getWriter();
        out.println("method=" + req.getMethod());
        out.println("principal=" + (principal == null ? "null" : principal.getName()));
        out.println("remoteUser=" + req.getRemoteUser());
        out.println("authType=" + req.getAuthType());
        out.println("role.read=" + req.isUserInRole("read"));
        out.println("role.admin=" + req.isUserInRole("admin"));
        Object attribute = req.getAttribute(TokenGateFilter.TOKEN_ATTRIBUTE);
        out.println("attribute=" + (attribute == null ? "null" : ((Principal) attribute).getName()));
        out.println("param.comment=" + req.getParameter("comment"));
        String[] tokens = req.getParameterValues("access_token");
        out.println("param.access_token.count=" + (tokens == null ? 0 : tokens.length));
    }
}
