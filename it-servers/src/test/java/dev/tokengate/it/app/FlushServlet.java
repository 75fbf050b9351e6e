package dev.tokengate.it.app;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The servlet of a plain web application (no tokengate) that stays deployed while the test redeploys the gated
 * one, as other applications of a real server do. It answers with the name of the server thread that ran it.
 *
 * <p>{@code ?round=R&parties=N} holds each request until {@code N} requests of round {@code R} have arrived, so
 * that they run on {@code N} different request threads at once: a test uses it to give every request thread of
 * the server a new request. (An idle Undertow worker thread keeps the exchange of the last request it ran in its
 * stack until it runs another, and with it that request's servlet and web application.)
 */
public class FlushServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Static state is fine here: it lives and dies with this test application. */
    private static final Map<String, CyclicBarrier> ROUNDS = new ConcurrentHashMap<>();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String round = request.getParameter("round");
        String parties = request.getParameter("parties");
        boolean together = true;
        if (round != null && parties != null) {
            CyclicBarrier barrier = ROUNDS.computeIfAbsent(round, r -> new CyclicBarrier(Integer.parseInt(parties)));
            try {
                barrier.await(30, TimeUnit.SECONDS);
            } catch (TimeoutException | BrokenBarrierException e) {
                together = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                together = false;
            } finally {
                if (barrier.getNumberWaiting() == 0) {
                    ROUNDS.remove(round, barrier);
                }
            }
        }
        response.setStatus(together ? 200 : 503);
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write(Thread.currentThread().getName());
    }
}
