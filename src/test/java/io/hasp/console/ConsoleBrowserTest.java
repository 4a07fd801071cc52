package io.hasp.console;

import static io.hasp.http.Auth.admin;
import static io.hasp.http.Auth.token;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The console in a real browser: headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) driven by
 * Selenium against this test's Hasp. Without the browser the tests are skipped, except on CI ({@code CI=true}) or
 * with {@code HASP_REQUIRE_BROWSER=1}, where they fail.
 */
@QuarkusTest
class ConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN_KEY = "hasp.console.token";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static WebDriver driver;
    private static Path profile;

    @TestHTTPResource("/console")
    URL console;

    @BeforeAll
    static void startBrowser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String why = "headless Chromium is missing (" + CHROMIUM + ", " + CHROMEDRIVER + "): "
                    + "apt-get install -y chromium chromium-driver";
            if ("true".equals(System.getenv("CI")) || "1".equals(System.getenv("HASP_REQUIRE_BROWSER"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        profile = Files.createTempDirectory("hasp-console-chromium");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Every test starts signed out, on a page loaded afresh. */
    @BeforeEach
    void signedOut() {
        driver.get("about:blank");
        driver.get(console.toString());
        js("sessionStorage.clear()");
        driver.get("about:blank");
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private void open(String token) {
        driver.get(console + "#token=" + token);
    }

    private static WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(driver, PATIENCE, Duration.ofMillis(100));
        wait.ignoring(NoSuchElementException.class).ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** The text of what {@code by} finds, once {@code done} accepts it (rows are redrawn at every refresh). */
    private static String textOnce(By by, Function<String, Boolean> done) {
        return waiting().until(d -> {
            String text = d.findElement(by).getText();
            return done.apply(text) ? text : null;
        });
    }

    private static void click(By by) {
        waiting().until(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    private static String lockRow(String name) {
        return "tr[data-lock='" + name + "']";
    }

    private static String queueRow(String id) {
        return "tr[data-queue='" + id + "']";
    }

    private static By inRow(String row, String cssClass) {
        return By.cssSelector(row + " ." + cssClass);
    }

    private static String newLock(long leaseMs) {
        String name = "console-" + UUID.randomUUID();
        admin().body(Map.of("leaseMs", leaseMs)).post("/v1/locks/{n}", name).then().statusCode(201);
        return name;
    }

    private static String newQueue(String name) {
        String id = "console-" + UUID.randomUUID();
        admin().body(Map.of("id", id, "name", name)).post("/v1/queues").then().statusCode(201);
        for (String c : List.of("c1", "c2", "c3")) {
            admin().body(Map.of("id", c, "command", "make " + c)).post("/v1/queues/" + id + "/commands")
                    .then().statusCode(201);
        }
        admin().body(Map.of("runnerId", "runner-7", "leaseMs", 600000)).post("/v1/queues/" + id + "/claim")
                .then().statusCode(200);
        return id;
    }

    @Test
    void aReadTokenSeesAHeldLockAndAQueueWithItsCountsAndTheLockGoingAway() {
        String lock = newLock(60000);
        JsonPath holder = admin().get("/v1/locks/{n}", lock).then().extract().jsonPath();
        String hostileName = "<b>Builds</b> & <img src=x onerror=alert(1)>";
        String queue = newQueue(hostileName);
        String read = token("read");

        open(read);

        String row = lockRow(lock);
        assertEquals("exclusive", textOnce(inRow(row, "lock-type"), t -> !t.isEmpty()));
        assertEquals(String.valueOf(holder.getLong("holders[0].pid")), textOnce(inRow(row, "lock-pid"),
                t -> !t.isEmpty()));
        assertEquals(holder.getString("holders[0].hostname"), textOnce(inRow(row, "lock-host"), t -> !t.isEmpty()));
        String lease = textOnce(inRow(row, "lock-lease"), t -> t.endsWith(" s"));
        assertNotEquals(lease, textOnce(inRow(row, "lock-lease"), t -> !t.equals(lease) && t.endsWith(" s")),
                "the lease end does not count down");
        String queueRow = queueRow(queue);
        assertEquals("2", textOnce(inRow(queueRow, "queue-pending"), t -> !t.isEmpty()));
        assertEquals("1", textOnce(inRow(queueRow, "queue-running"), t -> !t.isEmpty()));
        assertEquals("0", textOnce(inRow(queueRow, "queue-completed"), t -> !t.isEmpty()));
        assertEquals("3", textOnce(inRow(queueRow, "queue-total"), t -> !t.isEmpty()));
        assertEquals(hostileName, textOnce(inRow(queueRow, "queue-name"), t -> !t.isEmpty()), "not shown as text");
        assertTrue(driver.findElements(By.cssSelector("#queues-table b, #queues-table img")).isEmpty(),
                "a queue name became markup");
        assertTrue(driver.findElements(By.className("force-release")).isEmpty(), "admin action for a read token");
        // the token left the address bar and the page; it lives in this tab's session storage only
        assertFalse(driver.getCurrentUrl().contains("token"), driver.getCurrentUrl());
        assertFalse(driver.getPageSource().contains(read), "the token is written into the page");
        assertEquals(read, js("return sessionStorage.getItem('" + TOKEN_KEY + "')"));

        admin().delete("/v1/locks/{n}", lock).then().statusCode(204);

        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(row), 0));
    }

    @Test
    void aBadTokenAndATokenWithoutTheReadScopeGetClearMessages() {
        driver.get(console.toString());
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input")))
                .sendKeys("hasp_0000_not-a-token");
        click(By.id("sign-in-button"));

        String refused = textOnce(By.id("message"), t -> !t.isEmpty());
        assertTrue(refused.contains("401") && refused.contains("refused"), refused);
        assertTrue(driver.findElement(By.id("sign-in")).isDisplayed());
        assertFalse(driver.findElement(By.id("dashboard")).isDisplayed());
        assertEquals(null, js("return sessionStorage.getItem('" + TOKEN_KEY + "')"));

        driver.get("about:blank");
        open(token("write"));

        String forbidden = textOnce(By.id("message"), t -> t.contains("403"));
        assertTrue(forbidden.contains("read scope"), forbidden);
        assertTrue(driver.findElement(By.id("sign-in")).isDisplayed());
    }

    @Test
    void anAdminForceReleasesALockOnlyOnceConfirmed() {
        String lock = newLock(60000);
        open(token("admin"));
        By button = inRow(lockRow(lock), "force-release");

        click(button);
        waiting().until(ExpectedConditions.alertIsPresent()).dismiss();
        admin().get("/v1/locks/{n}", lock).then().body("locked", equalTo(true));

        click(button);
        waiting().until(ExpectedConditions.alertIsPresent()).accept();

        waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(lockRow(lock)), 0));
        admin().get("/v1/locks/{n}", lock).then().body("locked", equalTo(false));
        assertTrue(textOnce(By.id("message"), t -> !t.isEmpty()).contains("force-released"));
    }

    @Test
    void anAdminRequeuesARunningCommandOnceConfirmed() {
        String queue = newQueue("Requeue me");
        open(token("admin"));
        click(inRow(queueRow(queue), "queue-toggle"));
        String running = "#queue-details-" + queue + " tr[data-command='c1']";
        assertEquals("running", textOnce(inRow(running, "command-status"), t -> !t.isEmpty()));

        click(inRow(running, "requeue"));
        waiting().until(ExpectedConditions.alertIsPresent()).accept();

        textOnce(inRow(running, "command-status"), "pending"::equals);
        admin().get("/v1/queues/" + queue).then().body("commands.find { it.id == 'c1' }.status", equalTo("pending"))
                .body("commands.find { it.id == 'c1' }.claimedBy", nullValue());
    }
}
