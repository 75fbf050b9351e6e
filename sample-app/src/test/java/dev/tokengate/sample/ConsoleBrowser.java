package dev.tokengate.sample;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The console's browser tests' set-up: the sample app on a loopback port and a real headless Chromium (Debian
 * {@code chromium} and {@code chromium-driver}, driven by Selenium with the system browser and driver, nothing
 * downloaded) on its console, with what the tests do with the page. Where there is no browser it says why
 * ({@code SKIPPED} on standard output) and {@link #assumeAvailable()} skips each test; a failure instead when
 * {@code REQUIRE_TEST_SERVICES=true} (CI, whose {@code .ci/run} installs them). {@code CHROME_BIN} and
 * {@code CHROMEDRIVER} point elsewhere.
 */
final class ConsoleBrowser implements AutoCloseable {

    private static final String CHROME = Optional.ofNullable(System.getenv("CHROME_BIN")).orElse("/usr/bin/chromium");
    private static final String DRIVER = Optional.ofNullable(System.getenv("CHROMEDRIVER")).orElse("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final SampleApp app;
    private final WebDriver browser;
    private final String unavailable;

    private ConsoleBrowser(SampleApp app, WebDriver browser, String unavailable) {
        this.app = app;
        this.browser = browser;
        this.unavailable = unavailable;
    }

    /**
     * Starts the sample app with {@code settings} and the browser, with {@code arguments} added to its own, or
     * neither where there is no browser.
     */
    static ConsoleBrowser start(Class<?> test, Path profile, Map<String, String> settings, String... arguments)
            throws Exception {
        if (!Files.isExecutable(Path.of(CHROME)) || !Files.isExecutable(Path.of(DRIVER))) {
            String reason = "no headless browser: " + CHROME + " or " + DRIVER + " is missing (apt-get install chromium chromium-driver)";
            if ("true".equals(System.getenv("REQUIRE_TEST_SERVICES"))) {
                fail(reason + "; REQUIRE_TEST_SERVICES=true, so this fails instead of skipping");
            }
            System.out.println("SKIPPED " + test.getSimpleName() + ": " + reason);
            return new ConsoleBrowser(null, null, reason); // the tests then report themselves skipped with this reason
        }
        System.setProperty("webdriver.chrome.driver", DRIVER); // never let Selenium Manager download a driver
        System.setProperty("SE_OFFLINE", "true");
        SampleApp app = SampleApp.start("127.0.0.1", 0, settings);
        try {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROME);
            List<String> all = new ArrayList<>(List.of("--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run"));
            all.addAll(List.of(arguments));
            all.add("--window-size=1280,1500");
            all.add("--user-data-dir=" + profile.toAbsolutePath());
            options.addArguments(all);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
            WebDriver browser = new ChromeDriver(service, options);
            browser.manage().timeouts().implicitlyWait(Duration.ofSeconds(5));
            return new ConsoleBrowser(app, browser, null);
        } catch (Exception | Error e) {
            app.close();
            throw e;
        }
    }

    /** Skips the calling test where there is no browser. */
    void assumeAvailable() {
        Assumptions.assumeTrue(unavailable == null, () -> "skipped: " + unavailable);
    }

    SampleApp app() {
        return app;
    }

    WebDriver browser() {
        return browser;
    }

    /** Opens the console and waits for its sign-in form. */
    void open() {
        browser.get(app.baseUri() + "/console/");
        until("the sign-in form", () -> el("sign-in-form").isDisplayed());
    }

    /** Signs in as the demo user, alice, on the open console. */
    void signIn() {
        el("password").sendKeys("alice-password");
        el("sign-in").click();
        until("signed in", () -> el("signed-in").isDisplayed());
    }

    WebElement el(String id) {
        return browser.findElement(By.id(id));
    }

    /** Polls the page until the condition holds (true or non-null), failing after 15 seconds with its name. */
    <T> T until(String what, Supplier<T> condition) {
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

    /** Runs the checks again while they meet an element the page has just replaced, for at most 15 seconds. */
    void stable(Runnable checks) {
        until("the checks to read a stable page", () -> {
            try {
                checks.run();
                return true;
            } catch (StaleElementReferenceException e) {
                return false;
            }
        });
    }

    /**
     * Keeps a screenshot as {@code target/<name>} on every run, and as the README's {@code docs/<name>} when run
     * with {@code -Dconsole.screenshot.update=true} (so that a build leaves the source tree as it found it).
     */
    static void keep(String name, byte[] png) throws Exception {
        Path target = Path.of("target", name);
        Files.write(target, png);
        if (Boolean.getBoolean("console.screenshot.update")) {
            target = Path.of("").toAbsolutePath().getParent().resolve("docs").resolve(name);
            Files.write(target, png);
        }
        System.out.println("console screenshot: " + target.toAbsolutePath());
    }

    @Override
    public void close() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (app != null) {
                app.close();
            }
        }
    }
}
