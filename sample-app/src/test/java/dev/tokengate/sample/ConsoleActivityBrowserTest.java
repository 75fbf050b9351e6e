package dev.tokengate.sample;

import dev.tokengate.config.ConfigKeys;
import dev.tokengate.control.RateLimitUsage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's token activity in a real headless Chromium (as {@link ConsoleBrowserTest}): a bot's token makes calls,
 * is refused one for a scope it lacks, hits its rate limit (429), is used from new networks (loopback is a trusted
 * proxy in the sample app, so {@code X-Forwarded-For} plays them) and is revoked by the networks rule. The page must
 * show exactly those calls in the token's chart (the {@code data-*} of its SVG rects), its rate-limit window in the
 * gauge, its networks, the rule's reason, and the same calls in the account's 24-hour timeline filtered to the token;
 * and fit a 360 px wide phone. Leaves desktop and phone screenshots in {@code target/} (and {@code docs/} with
 * {@code -Dconsole.screenshot.update=true}).
 */
class ConsoleActivityBrowserTest {

    private static final List<String> DECISIONS = List.of("allowed", "denied_scope", "rate_limited", "refused");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ConsoleBrowser console;

    @BeforeAll
    static void start(@TempDir Path profile) throws Exception {
        // a cold embedded H2 on a loaded machine can take longer than the default timeout to open its first connection
        console = ConsoleBrowser.start(ConsoleActivityBrowserTest.class, profile,
                Map.of(ConfigKeys.STORE_TIMEOUT, "10s"), "--hide-scrollbars");
    }

    @AfterAll
    static void stop() throws Exception {
        if (console != null) {
            console.close();
        }
    }

    @Test
    void botTokenHitsItsRateLimitIsUsedFromANewNetworkAndRevokedAndTheConsoleChartsShowIt() throws Exception {
        console.assumeAvailable();
        console.open();
        console.signIn();

        el("token-name").sendKeys("market bot");
        el("create").click(); // scope read only
        until("the new token", () -> el("new-token").getDomProperty("value").startsWith("tgat_"));
        String bot = el("new-token").getDomProperty("value");

        // the bot's calls, each tallied by what the console should call it
        Map<String, Integer> tally = new TreeMap<>();
        for (int i = 0; i < 5; i++) {
            count(tally, call(bot, "GET", "/api/account/balances", null));
        }
        count(tally, call(bot, "POST", "/api/orders", null)); // no trade scope: 403
        int sent = 6;
        while (!tally.containsKey("rate_limited") && sent++ < 200) {
            count(tally, call(bot, "GET", "/api/account/balances", null));
        }
        assertThat(tally).as("the per-token limit, 60/1m, refuses with 429").containsKey("rate_limited")
                .containsEntry("denied_scope", 1);
        // new networks: the fourth within 10 minutes (127.0.0.0/24 was the first) revokes the token
        String revokedFrom = null;
        for (String address : List.of("198.51.100.7", "203.0.113.9", "192.0.2.1", "100.64.0.1")) {
            int status = count(tally, call(bot, "GET", "/api/account/balances", address));
            if (status == 401) {
                revokedFrom = address;
                break;
            }
        }
        assertThat(revokedFrom).as("the networks rule revoked the token").isEqualTo("192.0.2.1");
        assertThat(count(tally, call(bot, "GET", "/api/account/balances", null))).as("refused from then on").isEqualTo(401);
        Optional<RateLimitUsage.Window> window = console.app().gate().rateLimitUsage()
                .perToken(CallLabels.fingerprint(bot));
        assertThat(window).hasValueSatisfying(w -> assertThat(w.used()).isEqualTo(60));

        // the token's card: the chart's rects add up to the calls, the gauge, the networks, the rule's reason (the page
        // redraws every 5 s: a check that meets a replaced element starts again)
        el("refresh-activity").click();
        until("the bot's card with its automatic revocation", () -> cardNamed("market bot")
                .filter(c -> !c.findElements(By.className("auto-revocation")).isEmpty()).orElse(null));
        int total = tally.values().stream().mapToInt(Integer::intValue).sum();
        stable(() -> {
            WebElement card = cardNamed("market bot").orElseThrow();
            assertThat(rectCounts(card.findElement(By.cssSelector("svg.hour")))).isEqualTo(full(tally));
            WebElement revocation = card.findElement(By.className("auto-revocation"));
            assertThat(revocation.getDomAttribute("data-rule")).isEqualTo("networks");
            assertThat(revocation.findElement(By.className("reason")).getText())
                    .isEqualTo("anomaly networks: used from 4 networks within 10m (at most 3 allowed)");
            assertThat(revocation.getText()).startsWith("Revoked automatically at ")
                    .contains("127.0.0.0/24, 198.51.100.0/24, 203.0.113.0/24, 192.0.2.0/24");
            List<WebElement> networks = card.findElements(By.cssSelector("table.networks tbody tr"));
            assertThat(networks.stream().map(r -> r.findElement(By.className("where")).getText()).toList())
                    .containsExactly("127.0.0.0/24", "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24");
            assertThat(networks.get(0).findElement(By.className("calls")).getText())
                    .isEqualTo(String.valueOf(total - 3)); // all but the three forwarded calls
        });
        // the gauge shows the limiter's own count (60 of 60 unless its minute has run out since)
        stable(() -> {
            long before = console.app().gate().rateLimitUsage().perToken(CallLabels.fingerprint(bot))
                    .orElseThrow().used();
            WebElement gauge = cardNamed("market bot").orElseThrow().findElement(By.className("gauge"));
            String used = gauge.getDomAttribute("data-used");
            String meter = gauge.findElement(By.tagName("meter")).getDomProperty("value");
            String text = gauge.getText();
            long after = console.app().gate().rateLimitUsage().perToken(CallLabels.fingerprint(bot))
                    .orElseThrow().used();
            if (before != after || !used.equals(String.valueOf(after))) {
                throw new StaleElementReferenceException("the window changed while reading the gauge");
            }
            assertThat(gauge.getDomAttribute("data-limit")).isEqualTo("60");
            assertThat(meter).isEqualTo(used);
            assertThat(text).contains(used + " of 60 calls in this 1 min window, " + (60 - after) + " left");
        });

        // the account's day, filtered to the bot: the same calls, the denied ones marked
        el("timeline-filter").findElement(By.xpath("option[text()='market bot']")).click();
        until("the timeline of the bot alone", () -> el("timeline-summary").getText().endsWith("(one token)"));
        int denied = tally.getOrDefault("denied_scope", 0) + tally.getOrDefault("rate_limited", 0)
                + tally.getOrDefault("refused", 0);
        stable(() -> {
            WebElement timeline = el("timeline");
            assertThat(rectCounts(timeline.findElement(By.cssSelector("svg.day")))).isEqualTo(full(tally));
            assertThat(timeline.getDomAttribute("data-denied")).isEqualTo(String.valueOf(denied));
            assertThat(timeline.findElements(By.cssSelector("rect.denied-mark")).stream()
                    .mapToInt(r -> Integer.parseInt(r.getDomAttribute("data-count"))).sum()).isEqualTo(denied);
        });

        screenshot("console-activity.png", el("activity-section"));
        // a 360 px wide phone: nothing is wider than the screen
        ((ChromeDriver) console.browser()).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 360, "height", 2400, "deviceScaleFactor", 1, "mobile", true));
        until("the phone layout", () -> ((Number) ((JavascriptExecutor) console.browser())
                .executeScript("return document.documentElement.clientWidth")).intValue() == 360);
        Number overflow = (Number) ((JavascriptExecutor) console.browser()).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Object wide = ((JavascriptExecutor) console.browser()).executeScript("return [...document.querySelectorAll('body *')]"
                + ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
                + ".map(e => e.tagName + '#' + e.id + '.' + e.className.baseVal + e.className).slice(0, 10).join(' ')");
        assertThat(overflow.intValue()).as("horizontal overflow at 360 px: " + wide).isZero();
        stable(() -> assertThat(cardNamed("market bot").orElseThrow().getRect().getWidth()).isLessThanOrEqualTo(360));
        screenshot("console-activity-phone.png", el("activity-section"));
    }

    /** Sends one call with the bot's token, from {@code forwardedFor} when given; returns the status. */
    private static int call(String token, String method, String path, String forwardedFor) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(console.app().baseUri().resolve(path))
                .header("Authorization", "Bearer " + token)
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{\"currency\":\"EUR\",\"amount\":\"1\"}"));
        if (!method.equals("GET")) {
            request.header("Content-Type", "application/json");
        }
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Counts a call by the console's decision for its status; returns the status. */
    private static int count(Map<String, Integer> tally, int status) {
        String decision = switch (status) {
            case 200 -> "allowed";
            case 403 -> "denied_scope";
            case 429 -> "rate_limited";
            case 401 -> "refused";
            default -> throw new AssertionError("unexpected status " + status);
        };
        tally.merge(decision, 1, Integer::sum);
        return status;
    }

    private static Map<String, Integer> full(Map<String, Integer> tally) {
        Map<String, Integer> out = new TreeMap<>();
        for (String d : DECISIONS) {
            out.put(d, tally.getOrDefault(d, 0));
        }
        return out;
    }

    /** The chart's calls by decision: the sum of its bars' {@code data-count}. */
    private static Map<String, Integer> rectCounts(WebElement svg) {
        Map<String, Integer> out = new TreeMap<>();
        for (String d : DECISIONS) {
            out.put(d, 0);
        }
        for (WebElement rect : svg.findElements(By.cssSelector("rect.bar"))) {
            out.merge(rect.getDomAttribute("data-decision"), Integer.parseInt(rect.getDomAttribute("data-count")),
                    Integer::sum);
        }
        return out;
    }

    private static Optional<WebElement> cardNamed(String name) {
        return console.browser().findElements(By.cssSelector("#token-cards .token-card")).stream()
                .filter(c -> c.findElement(By.tagName("h3")).getText().equals(name)).findFirst();
    }

    private static WebElement el(String id) {
        return console.el(id);
    }

    private static void stable(Runnable checks) {
        console.stable(checks);
    }

    private static <T> T until(String what, Supplier<T> condition) {
        return console.until(what, condition);
    }

    /** The section as the test left it: in {@code target/}, and in {@code docs/} with {@code -Dconsole.screenshot.update=true}. */
    private static void screenshot(String name, WebElement section) throws Exception {
        ((JavascriptExecutor) console.browser()).executeScript("arguments[0].scrollIntoView()", section);
        ConsoleBrowser.keep(name, section.getScreenshotAs(OutputType.BYTES));
    }
}
