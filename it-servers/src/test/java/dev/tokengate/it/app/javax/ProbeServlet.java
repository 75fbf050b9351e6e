package dev.tokengate.it.app.javax;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.security.Principal;

/**
 * The javax twin of {@link dev.tokengate.it.app.ProbeServlet}, for a Servlet 4 WAR: legacy code that knows nothing of tokengate: it answers with what the container's
 * request tells it about the caller ({@code principal}, {@code remoteUser}, {@code authType}, the roles
 * {@code read}, {@code trade} and {@code admin}) and with the class loader that loaded it, so a test sees which
 * deployment answered.
 */
public class ProbeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Principal principal = request.getUserPrincipal();
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write("principal=" + (principal == null ? null : principal.getName())
                + " remoteUser=" + request.getRemoteUser()
                + " authType=" + request.getAuthType()
                + " role.read=" + request.isUserInRole("read")
                + " role.trade=" + request.isUserInRole("trade")
                + " role.admin=" + request.isUserInRole("admin")
                + " loader=" + getClass().getClassLoader() + "\n");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        doGet(request, response);
    }
}
