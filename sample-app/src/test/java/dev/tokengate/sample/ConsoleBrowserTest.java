package dev.tokengate.sample;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static dev.tokengate.sample.Walker.ORDER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token console in a real headless Chromium ({@link ConsoleBrowser}): sign in, create a token, call the API with
 * it, see the call, revoke it, see the next call denied. Leaves a screenshot of the console in
 * {@code target/console.png} (and {@code docs/console.png} with {@code -Dconsole.screenshot.update=true}). Skipped,
 * with the reason printed, where there is no browser; a failure instead when {@code REQUIRE_TEST_SERVICES=true}.
 */
class ConsoleBrowserTest {

    private static ConsoleBrowser console;
    private static Walker walk;

    @BeforeAll
    static void start(@TempDir Path profile) throws Exception {
        console = ConsoleBrowser.start(ConsoleBrowserTest.class, profile, Map.of());
        if (console.app() != null) {
            walk = new Walker(console.app().baseUri());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (console != null) {
            console.close();
        }
    }

    @Test
    void signInCreateTokenCallApiSeeCallRevokeSeeNextCallDeniedThenRotateAndSeeTheOldSecretMarked() throws Exception {
        console.assumeAvailable();
        console.open();
        assertThat(el("demo-banner").isDisplayed()).isTrue();

        // sign in as the demo user
        console.signIn();
        assertThat(el("who").getText()).isEqualTo("alice");

        // withdraw warns
        el("scope-withdraw").click();
        assertThat(el("withdraw-warning").isDisplayed()).isTrue();
        el("scope-withdraw").click();
        assertThat(el("withdraw-warning").isDisplayed()).isFalse();

        // create a trade token: shown once, with a copy button
        el("token-name").sendKeys("trading bot");
        el("scope-trade").click();
        el("create").click();
        until("the new token", () -> el("new-token").getDomProperty("value").startsWith("tgat_"));
        String token = el("new-token").getDomProperty("value");
        el("copy").click();
        until("copied", () -> el("copy-status").getText().equals("Copied."));
        WebElement row = until("the token in the list", () -> rowNamed("trading bot").orElse(null));
        assertThat(row.findElement(By.className("scopes")).getText()).isEqualTo("read trade");
        assertThat(row.findElement(By.className("status")).getText()).isEqualTo("active");

        // call the API with it; the call shows up, and so does its last use
        HttpResponse<String> order = walk.send("POST", "/api/orders", token, ORDER);
        assertThat(order.statusCode()).isEqualTo(201);
        el("refresh-calls").click();
        until("the call in recent calls", () -> callRows().stream().anyMatch(r ->
                r.getText().contains("trading bot") && r.getText().contains("/api/orders") && r.getText().contains("201")));

        // revoke it in the console; the next call is refused, and stands out
        rowNamed("trading bot").orElseThrow().findElement(By.className("revoke")).click();
        console.browser().switchTo().alert().accept();
        until("revoked", () -> rowNamed("trading bot").map(r -> r.findElement(By.className("status")).getText().equals("revoked")).orElse(false));
        HttpResponse<String> refused = walk.send("POST", "/api/orders", token, ORDER);
        assertThat(refused.statusCode()).isEqualTo(401);

        el("refresh-calls").click();
        WebElement denied = until("the denied call", () -> callRows().stream()
                .filter(r -> r.getText().contains("DENIED (invalid_token)") && r.getText().contains("401")).findFirst().orElse(null));
        assertThat(denied.getAttribute("class")).contains("denied");
        WebElement revocation = until("the revocation listed with its reason", () -> console.browser().findElements(
                By.cssSelector("#revocations tbody tr")).stream().filter(r -> r.findElement(By.className("reason"))
                .getText().equals("revoked by its owner in the console")).findFirst().orElse(null));
        assertThat(revocation.findElement(By.className("revoked")).getText()).matches("token id [0-9a-f-]{36}");
        assertThat(el("no-revocations").isDisplayed()).isFalse();
        assertThat(denied.getText()).contains("trading bot");
        assertThat(rowNamed("trading bot").orElseThrow().findElement(By.className("last-address")).getText()).isEqualTo("127.0.0.1");

        // a token with an expiry says in how many days; rotate it: a new secret, shown once, the old one still works
        el("token-name").sendKeys("tracker");
        el("create").click();
        WebElement tracker = until("the tracker token", () -> rowNamed("tracker").orElse(null));
        String old = el("new-token").getDomProperty("value");
        assertThat(tracker.findElement(By.className("expires")).getText()).endsWith("(expires in 30 days)");
        assertThat(tracker.findElement(By.className("last-rotated")).getText()).isEqualTo("never");
        tracker.findElement(By.className("rotate")).click();
        console.browser().switchTo().alert().accept();
        until("the new secret", () -> el("new-token").getDomProperty("value").startsWith("tgat_")
                && !el("new-token").getDomProperty("value").equals(old));
        String fresh = el("new-token").getDomProperty("value");
        assertThat(el("rotation-note").getText()).contains("The old secret of \"tracker\" works until", "rotated");
        until("the old secret listed as rotated", () -> rowsNamed("tracker").stream()
                .anyMatch(r -> r.findElement(By.className("status")).getText().equals("rotated")));
        assertThat(rowsNamed("tracker")).hasSize(2).allSatisfy(r ->
                assertThat(r.findElement(By.className("last-rotated")).getText()).isNotEqualTo("never"));
        assertThat(walk.send("GET", "/api/account/balances", fresh, null).statusCode()).isEqualTo(200);
        assertThat(walk.send("GET", "/api/account/balances", old, null).statusCode()).isEqualTo(200);
        el("refresh-calls").click();
        until("the old secret's call marked rotated", () -> callRows().stream().anyMatch(r ->
                r.getText().contains("tracker") && r.getText().contains("allow [rotated]")));

        screenshot();
    }

    /**
     * The withdrawal walk-through: a sign-in with the password alone is refused with the step-up challenge, shown and
     * explained; a sign-in with the one-time code withdraws with a DPoP proof of the page's WebCrypto key; the same
     * token as plain Bearer is refused.
     */
    @Test
    void withdrawIsRefusedWithThePasswordAloneThenWithdrawsWithTheCodeAndADpopProofAndItsBearerCopyIsRefused() {
        console.assumeAvailable();
        console.open();
        console.signIn();
        assertThat(el("stepup-otp-form").isDisplayed()).isFalse();

        // 1. the password alone: refused, and the challenge says what would do
        el("stepup-password").sendKeys("alice-password");
        el("stepup-sign-in").click();
        until("the step-up refusal", () -> el("stepup-status-1").getText()
                .startsWith("Refused: 401 insufficient_user_authentication: "));
        assertThat(el("stepup-challenge").isDisplayed()).isTrue();
        assertThat(el("stepup-token-acr").getText()).isEqualTo(DemoIssuer.ACR_PASSWORD);
        assertThat(el("stepup-acr-values").getText()).isEqualTo(DemoIssuer.ACR_MFA);
        assertThat(el("stepup-max-age").getText()).isEqualTo(TradingResource.WITHDRAWAL_MAX_AGE + " s");
        assertThat(el("stepup-key").getText()).matches("This page's DPoP key \\(ECDSA P-256, private key not "
                + "extractable\\), thumbprint [A-Za-z0-9_-]{43}\\.");
        assertThat(el("stepup-bearer").isDisplayed()).isFalse();

        // 2. with the one-time code: withdrawn, with a DPoP proof
        el("stepup-otp").sendKeys(DemoIssuer.ONE_TIME_CODE);
        el("stepup-verify").click();
        until("the withdrawal", () -> el("stepup-status-2").getText().startsWith("Withdrawn: 100 EUR (withdrawal "));
        assertThat(el("stepup-status-2").getText()).contains("with a token of acr " + DemoIssuer.ACR_MFA
                + " bound to this page's key and a DPoP proof");
        assertThat(el("stepup-otp-form").isDisplayed()).isFalse();

        // 3. the same token as plain Bearer: refused
        el("stepup-bearer").click();
        until("the Bearer copy refused", () -> el("stepup-status-3").getText()
                .startsWith("Refused as a plain Bearer token: 401 invalid_token: "));
        assertThat(el("stepup-status-3").getText()).contains("bound to a DPoP key")
                .endsWith("A copy of the token is useless without this page's private key.");

        el("refresh-calls").click();
        until("the three withdrawals in recent calls", () -> {
            List<String> withdrawals = callRows().stream().map(WebElement::getText)
                    .filter(t -> t.contains("/api/withdrawals")).toList();
            return withdrawals.stream().anyMatch(t -> t.contains("DENIED (insufficient_user_authentication)") && t.contains("401"))
                    && withdrawals.stream().anyMatch(t -> t.contains("allow") && t.contains("201"))
                    && withdrawals.stream().anyMatch(t -> t.contains("DENIED (invalid_token)") && t.contains("401"));
        });
    }

    private static WebElement el(String id) {
        return console.el(id);
    }

    private static <T> T until(String what, Supplier<T> condition) {
        return console.until(what, condition);
    }

    private static Optional<WebElement> rowNamed(String name) {
        return console.browser().findElements(By.cssSelector("#tokens tbody tr")).stream()
                .filter(r -> r.findElement(By.className("name")).getText().equals(name)).findFirst();
    }

    private static List<WebElement> rowsNamed(String name) {
        return console.browser().findElements(By.cssSelector("#tokens tbody tr")).stream()
                .filter(r -> r.findElement(By.className("name")).getText().equals(name)).toList();
    }

    private static List<WebElement> callRows() {
        return console.browser().findElements(By.cssSelector("#calls tbody tr"));
    }

    /**
     * The console as the test left it: {@code target/console.png} on every run, and the README's
     * {@code docs/console.png} when run with {@code -Dconsole.screenshot.update=true} (so a build leaves the
     * source tree as it found it).
     */
    private static void screenshot() throws Exception {
        ConsoleBrowser.keep("console.png", ((ChromeDriver) console.browser()).getScreenshotAs(OutputType.BYTES));
    }
}
