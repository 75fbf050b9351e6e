package dev.tokengate.it.app;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * The servlet of the test WAR, legacy code that knows nothing of tokengate: it answers with what the container's
 * request tells it about the caller ({@code remoteUser}, {@code authType}, a role) and with the class loader that
 * loaded it, so a test sees which deployment answered.
 */
public class ProbeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write("remoteUser=" + request.getRemoteUser()
                + " authType=" + request.getAuthType()
                + " role.read=" + request.isUserInRole("read")
                + " loader=" + getClass().getClassLoader() + "\n");
    }
}
