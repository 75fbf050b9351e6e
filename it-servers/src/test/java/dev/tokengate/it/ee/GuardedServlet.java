package dev.tokengate.it.ee;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * A plain servlet that {@code web.xml} protects with a {@code <security-constraint>} for the role {@code read},
 * and no {@code <login-config>}: the container's authentication mechanism must satisfy it. It answers who the
 * caller is, as the servlet request says. Self-contained: it is also deployed alone.
 */
public class GuardedServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write("servlet=" + (request.getUserPrincipal() == null ? null : request.getUserPrincipal().getName())
                + " read=" + request.isUserInRole("read"));
    }
}
