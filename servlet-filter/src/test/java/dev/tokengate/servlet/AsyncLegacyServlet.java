package dev.tokengate.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.security.Principal;

/**
 * An asynchronous servlet written before tokengate, as a legacy WAR has them: {@code /async/start} answers from
 * {@link AsyncContext#start} with the request the context holds; {@code /async/dispatch} goes asynchronous and
 * dispatches back to itself, answering on the {@code ASYNC} dispatch. Each answer prints what the code saw of the
 * caller, one {@code name=value} per line.
 */
public class AsyncLegacyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        if (req.getDispatcherType() == DispatcherType.ASYNC) {
            print(req, resp, "dispatched");
            return;
        }
        AsyncContext async = req.startAsync();
        if (req.getRequestURI().endsWith("/dispatch")) {
            async.start(async::dispatch);
            return;
        }
        async.start(() -> {
            try {
                print((HttpServletRequest) async.getRequest(), (HttpServletResponse) async.getResponse(), "started");
            } finally {
                async.complete();
            }
        });
    }

    private static void print(HttpServletRequest req, HttpServletResponse resp, String where) {
        resp.setContentType("text/plain;charset=utf-8");
        try {
            PrintWriter out = resp.getWriter();
            Principal principal = req.getUserPrincipal();
            out.println("where=" + where);
            out.println("principal=" + (principal == null ? "null" : principal.getName()));
            out.println("remoteUser=" + req.getRemoteUser());
            out.println("authType=" + req.getAuthType());
            out.println("role.read=" + req.isUserInRole("read"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
