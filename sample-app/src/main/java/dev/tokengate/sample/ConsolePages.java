package dev.tokengate.sample;

import dev.tokengate.jaxrs.Open;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Map;

/**
 * The token console's static files (plain HTML, CSS and JavaScript from the jar), open to everyone: the page
 * itself holds no secret. They are sent with a strict Content-Security-Policy (scripts only from this origin, no
 * inline script, no framing), so an injected string cannot run as script.
 */
@Path("/")
@Open
public final class ConsolePages {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "stepup.js", "text/javascript; charset=utf-8",
            "charts.js", "text/javascript; charset=utf-8");

    @GET
    public Response root() {
        return Response.seeOther(URI.create("/console/")).build();
    }

    @GET
    @Path("console")
    public Response index() throws IOException {
        return file("index.html");
    }

    @GET
    @Path("console/{file}")
    public Response file(@PathParam("file") String file) throws IOException {
        String type = FILES.get(file);
        if (type == null) {
            return Problems.problem(404, "Not Found", "No such console file.");
        }
        try (InputStream in = ConsolePages.class.getResourceAsStream("/console/" + file)) {
            if (in == null) {
                return Problems.problem(404, "Not Found", "No such console file.");
            }
            return Response.ok(in.readAllBytes(), type)
                    .header("Content-Security-Policy", CSP)
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Referrer-Policy", "no-referrer")
                    .header("Cache-Control", "no-cache")
                    .build();
        }
    }
}
