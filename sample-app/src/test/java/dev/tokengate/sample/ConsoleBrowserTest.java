package dev.tokengate.sample;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static dev.tokengate.sample.Walker.ORDER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The token console in a real headless Chromium (Debian {@code chromium} and {@code chromium-driver}, driven by
 * Selenium with the system browser and driver, nothing downloaded): sign in, create a token, call the API with
 * it, see the call, revoke it, see the next call denied. Leaves a screenshot of the console in
 * {@code target/console.png} (and {@code docs/console.png} with {@code -Dconsole.screenshot.update=true}). Skipped, with the reason printed, where there is no browser; a failure instead when
 * {@code REQUIRE_TEST_SERVICES=true} (CI, whose {@code .ci/run} installs them). {@code CHROME_BIN} and
 * {@code CHROMEDRIVER} point elsewhere.
 */
class ConsoleBrowserTest {

    private static final String CHROME = Optional.ofNullable(System.getenv("CHROME_BIN")).orElse("/usr/bin/chromium");
    private static final String DRIVER = Optional.ofNullable(System.getenv("CHROMEDRIVER")).orElse("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static SampleApp app;
    private static Walker walk;
    private static WebDriver browser;
    private static String unavailable;

    @BeforeAll
    static void start(@TempDir Path profile) throws Exception {
        if (!Files.isExecutable(Path.of(CHROME)) || !Files.isExecutable(Path.of(DRIVER))) {
            String reason = "no headless browser: " + CHROME + " or " + DRIVER + " is missing (apt-get install chromium chromium-driver)";
            if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
                fail(reason + "; REQUIRE_TEST_SERVICES=true, so this fails instead of skipping");
            }
            System.out.println("SKIPPED " + ConsoleBrowserTest.class.getSimpleName() + ": " + reason);
            unavailable = reason; // the test then reports itself skipped with this reason
            return;
        }
        System.setProperty("webdriver.chrome.driver", DRIVER); // never let Selenium Manager download a driver
        System.setProperty("SE_OFFLINE", "true");
        app = SampleApp.start("127.0.0.1", 0, Map.of());
        walk = new Walker(app.baseUri());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROME);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,1500", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().implicitlyWait(Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void signInCreateTokenCallApiSeeCallRevokeSeeNextCallDeniedThenRotateAndSeeTheOldSecretMarked() throws Exception {
        Assumptions.assumeTrue(unavailable == null, () -> "skipped: " + unavailable);
        browser.get(app.baseUri() + "/console/");
        until("the sign-in form", () -> el("sign-in-form").isDisplayed());
        assertThat(el("demo-banner").isDisplayed()).isTrue();

        // sign in as the demo user
        el("password").sendKeys("alice-password");
        el("sign-in").click();
        until("signed in", () -> el("signed-in").isDisplayed());
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
        browser.switchTo().alert().accept();
        until("revoked", () -> rowNamed("trading bot").map(r -> r.findElement(By.className("status")).getText().equals("revoked")).orElse(false));
        HttpResponse<String> refused = walk.send("POST", "/api/orders", token, ORDER);
        assertThat(refused.statusCode()).isEqualTo(401);

        el("refresh-calls").click();
        WebElement denied = until("the denied call", () -> callRows().stream()
                .filter(r -> r.getText().contains("DENIED (invalid_token)") && r.getText().contains("401")).findFirst().orElse(null));
        assertThat(denied.getAttribute("class")).contains("denied");
        WebElement revocation = until("the revocation listed with its reason", () -> browser.findElements(
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
        browser.switchTo().alert().accept();
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
        Assumptions.assumeTrue(unavailable == null, () -> "skipped: " + unavailable);
        browser.get(app.baseUri() + "/console/");
        until("the sign-in form", () -> el("sign-in-form").isDisplayed());
        el("password").sendKeys("alice-password");
        el("sign-in").click();
        until("signed in", () -> el("signed-in").isDisplayed());
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
        return browser.findElement(By.id(id));
    }

    private static Optional<WebElement> rowNamed(String name) {
        return browser.findElements(By.cssSelector("#tokens tbody tr")).stream()
                .filter(r -> r.findElement(By.className("name")).getText().equals(name)).findFirst();
    }

    private static List<WebElement> rowsNamed(String name) {
        return browser.findElements(By.cssSelector("#tokens tbody tr")).stream()
                .filter(r -> r.findElement(By.className("name")).getText().equals(name)).toList();
    }

    private static List<WebElement> callRows() {
        return browser.findElements(By.cssSelector("#calls tbody tr"));
    }

    /** Polls the page until the condition holds (true or non-null), failing after {@value} seconds with its name. */
    private static <T> T until(String what, Supplier<T> condition) {
        long end = System.nanoTime() + WAIT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < end) {
            try {
                T value = condition.get();
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
            } catch (RuntimeException e) {
                last = e; // the page is still changing
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        throw new AssertionError("timed out waiting for " + what + " in the console", last);
    }

    /**
     * The console as the test left it: {@code target/console.png} on every run, and the README's
     * {@code docs/console.png} when run with {@code -Dconsole.screenshot.update=true} (so a build leaves the
     * source tree as it found it).
     */
    private static void screenshot() throws Exception {
        byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
        Path target = Path.of("target", "console.png");
        Files.write(target, png);
        if (Boolean.getBoolean("console.screenshot.update")) {
            target = Path.of("").toAbsolutePath().getParent().resolve("docs").resolve("console.png");
            Files.write(target, png);
        }
        System.out.println("console screenshot: " + target.toAbsolutePath());
    }
}
