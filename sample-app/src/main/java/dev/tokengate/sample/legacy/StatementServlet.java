package dev.tokengate.sample.legacy;

import dev.tokengate.sample.Ledger;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * {@code GET /legacy/statement}: an account statement as plain text, written the way old servlet code is. It
 * knows nothing of tokens: the tokengate filter declared in {@code WEB-INF/web.xml} lets the request through only
 * with the {@code read} scope, and makes {@code getRemoteUser()} and {@code isUserInRole(scope)} work.
 */
public final class StatementServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** The servlet-context attribute under which the app hands this web application its {@link Ledger}. */
    public static final String LEDGER_ATTRIBUTE = "dev.tokengate.sample.Ledger";

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Ledger ledger = (Ledger) getServletContext().getAttribute(LEDGER_ATTRIBUTE);
        String user = req.getRemoteUser();
        resp.setContentType("text/plain; charset=UTF-8");
        PrintWriter out = resp.getWriter();
        out.println("Statement for " + user);
        out.println();
        ledger.balances(user).forEach((currency, amount) -> out.printf("  %-4s %20s%n", currency, amount.toPlainString()));
        out.println();
        out.println("Orders");
        for (Ledger.Order o : ledger.orders(user)) {
            out.printf("  #%-5d %-4s %-10s %14s  %s%n", o.id(), o.side(), o.symbol(), o.quantity().toPlainString(), o.status());
        }
        out.println();
        out.println(req.isUserInRole("trade") ? "This token may also trade." : "This token may not trade.");
    }
}
