package dev.tokengate.store;

import dev.tokengate.InvalidTokenException;
import dev.tokengate.IpRange;
import dev.tokengate.UpstreamUnavailableException;
import dev.tokengate.VerifiedToken;
import dev.tokengate.control.Revocation;
import dev.tokengate.control.RevocationStore;
import dev.tokengate.log.Fingerprints;
import dev.tokengate.testing.FakeTime;
import dev.tokengate.testing.LogCapture;
import dev.tokengate.validate.CachingTokenValidator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every database must show through {@link JdbcTokenStore} and {@link StoredTokenValidator}; run on
 * H2 ({@link H2TokenStoreTest}) and PostgreSQL ({@link PostgresTokenStoreTest}).
 */
abstract class TokenStoreContract {

    static final Instant START = Instant.parse("2026-11-29T10:00:00Z");
    static final List<IpRange> RANGES = List.of(IpRange.parse("203.0.113.0/24"), IpRange.parse("2001:db8::/32"));

    final FakeTime time = new FakeTime(START);
    CountingDataSource db;
    JdbcTokenStore store;
    StoredTokenValidator accessTokens;
    StoredTokenValidator apiKeys;

    /** The database, reachable. */
    abstract DataSource database();

    /** The table this run may create, fill and empty. */
    abstract String table();

    @BeforeEach
    void openStore() throws SQLException {
        db = new CountingDataSource(database());
        store = JdbcTokenStore.builder().dataSource(db).table(table()).flushInterval(Duration.ZERO).clock(time).build();
        store.createSchema();
        try (Connection c = database().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM " + table());
            s.executeUpdate("DELETE FROM " + table() + "_revocation");
        }
        accessTokens = StoredTokenValidator.builder(store).clock(time).build();
        apiKeys = StoredTokenValidator.builder(store).kind(TokenKind.API_KEY).clock(time).build();
        db.reset();
    }

    @AfterEach
    void closeStore() {
        if (store != null) { // null when the database was unavailable and the test skipped
            db.down(false);
            store.close();
        }
    }

    IssuedToken issue() {
        return store.create(TokenKind.ACCESS_TOKEN, "CI deploy", "alice", "deployer", List.of("read", "write"),
                RANGES, START.plus(Duration.ofDays(30)));
    }

    /** The issued token with one character of its random part changed: same shape, wrong checksum. */
    static String withWrongChecksum(String token) {
        char c = token.charAt(20);
        return token.substring(0, 20) + (c == 'a' ? 'b' : 'a') + token.substring(21);
    }

    @Test
    void validateWhenIssuedThenStoredIdentityScopesRangesAndName() {
        IssuedToken issued = issue();

        VerifiedToken verified = accessTokens.validate(issued.token());

        assertThat(verified.kind()).isEqualTo(VerifiedToken.Kind.STORED);
        assertThat(verified.subject()).contains("alice");
        assertThat(verified.clientId()).contains("deployer");
        assertThat(verified.scopes()).containsExactly("read", "write");
        assertThat(verified.allowedAddresses()).containsExactlyElementsOf(RANGES);
        assertThat(verified.expiresAt()).contains(START.plus(Duration.ofDays(30)));
        assertThat(verified.issuedAt()).contains(START);
        assertThat(verified.tokenId()).contains(issued.metadata().id());
        assertThat(verified.claims()).isEqualTo(Map.of("name", "CI deploy"));
    }

    @Test
    void createThenTokenHasFormatAndMetadataReadsBack() {
        IssuedToken issued = issue();

        assertThat(TokenFormat.of(TokenKind.ACCESS_TOKEN).checksumValid(issued.token())).isTrue();
        assertThat(issued.toString()).doesNotContain(issued.token());
        assertThat(store.get(issued.metadata().id())).contains(issued.metadata());
    }

    @Test
    void createWhenNoClientScopesRangesOrExpiryThenUnrestrictedTokenThatNeverExpires() {
        IssuedToken issued = store.create(TokenKind.ACCESS_TOKEN, "cli", "bob", null, List.of(), List.of(), null);

        time.advance(Duration.ofDays(3650));
        VerifiedToken verified = accessTokens.validate(issued.token());

        assertThat(verified.clientId()).isEmpty();
        assertThat(verified.scopes()).isEmpty();
        assertThat(verified.allowedAddresses()).isEmpty();
        assertThat(verified.expiresAt()).isEmpty();
    }

    @Test
    void validateWhenChecksumWrongThenInvalidWithoutDatabase() {
        String token = issue().token();
        db.reset();

        assertThatThrownBy(() -> accessTokens.validate(withWrongChecksum(token)))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("malformed");
        assertThatThrownBy(() -> accessTokens.validate("tgat_short"))
                .isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> accessTokens.validate("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0."))
                .isInstanceOf(InvalidTokenException.class);

        assertThat(db.connections()).isZero();
    }

    @Test
    void validateWhenWellFormedButNeverIssuedThenInvalidToken() {
        String forged = TokenFormat.of(TokenKind.ACCESS_TOKEN).generate();

        assertThatThrownBy(() -> accessTokens.validate(forged))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("The token is not known.");
        assertThat(db.connections()).isEqualTo(1);
    }

    @Test
    void validateWhenExpiredThenInvalidTokenNamingExp() {
        IssuedToken issued = store.create(TokenKind.ACCESS_TOKEN, "short", "alice", null, List.of("read"), List.of(),
                START.plus(Duration.ofHours(1)));
        accessTokens.validate(issued.token());

        time.advance(Duration.ofHours(1));

        assertThatThrownBy(() -> accessTokens.validate(issued.token()))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.claim()).contains("exp"))
                .hasMessage("The token expired at 2026-11-29T11:00:00Z.");
    }

    @Test
    void validateWhenRevokedThenInvalidToken() {
        IssuedToken issued = issue();
        accessTokens.validate(issued.token());

        assertThat(store.revoke(issued.metadata().id())).isTrue();

        assertThatThrownBy(() -> accessTokens.validate(issued.token()))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("The token has been revoked.");
        assertThat(store.get(issued.metadata().id()).orElseThrow().revokedAt()).contains(START);
    }

    @Test
    void revokeWhenUnknownOrAlreadyRevokedThenFalse() {
        IssuedToken issued = issue();
        store.revoke(issued.metadata().id());

        assertThat(store.revoke(issued.metadata().id())).isFalse();
        assertThat(store.revoke("no-such-id")).isFalse();
    }

    @Test
    void revokeWhenCachedThenRefusedOnceTheCacheEntryLifetimeHasPassed() {
        IssuedToken issued = issue();
        CachingTokenValidator cached = CachingTokenValidator.builder(accessTokens)
                .maxTimeToLive(Duration.ofMinutes(1)).ticker(time).clock(time).build();
        cached.validate(issued.token());

        store.revoke(issued.metadata().id());
        assertThat(cached.validate(issued.token()).subject()).contains("alice"); // the documented bound
        time.advance(Duration.ofMinutes(1));

        assertThatThrownBy(() -> cached.validate(issued.token()))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("The token has been revoked.");
    }

    @Test
    void rotateThenNewAcceptedWithSameMetadataAndOldAcceptedUntilTheGraceEnds() {
        IssuedToken old = issue();
        time.advance(Duration.ofMinutes(5));
        Instant rotatedAt = START.plus(Duration.ofMinutes(5));

        IssuedToken rotated = store.rotate(old.metadata().id());

        assertThat(store.rotationGrace()).isEqualTo(Duration.ofHours(24));
        assertThat(rotated.token()).isNotEqualTo(old.token()).startsWith("tgat_");
        assertThat(rotated.metadata().id()).isNotEqualTo(old.metadata().id());
        assertThat(rotated.metadata())
                .usingRecursiveComparison()
                .ignoringFields("id", "createdAt", "rotatedAt")
                .isEqualTo(old.metadata());
        assertThat(rotated.metadata().createdAt()).isEqualTo(rotatedAt);
        assertThat(rotated.metadata().rotatedAt()).contains(rotatedAt);
        assertThat(store.get(rotated.metadata().id())).contains(rotated.metadata());
        StoredToken replaced = store.get(old.metadata().id()).orElseThrow();
        assertThat(replaced.revoked()).isFalse();
        assertThat(replaced.rotatedAt()).contains(rotatedAt);
        assertThat(replaced.replacedBy()).contains(rotated.metadata().id());
        assertThat(replaced.graceUntil()).contains(rotatedAt.plus(Duration.ofHours(24)));
        VerifiedToken fresh = accessTokens.validate(rotated.token());
        assertThat(fresh.tokenId()).contains(rotated.metadata().id());
        assertThat(fresh.claims()).doesNotContainKey(StoredTokenValidator.REPLACED_BY_CLAIM);

        time.advance(Duration.ofHours(24).minusNanos(1000));
        VerifiedToken inGrace = accessTokens.validate(old.token());
        assertThat(inGrace.tokenId()).contains(old.metadata().id());
        assertThat(inGrace.claims()).containsEntry(StoredTokenValidator.REPLACED_BY_CLAIM, rotated.metadata().id());
        assertThat(inGrace.expiresAt()).contains(rotatedAt.plus(Duration.ofHours(24))); // no cache keeps it longer

        time.advance(Duration.ofNanos(1000));
        assertThatThrownBy(() -> accessTokens.validate(old.token()))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("The token was rotated at 2026-11-29T10:05:00Z and has been replaced; use the new token.");
        assertThat(accessTokens.validate(rotated.token()).subject()).contains("alice");
    }

    @Test
    void rotateWhenGraceZeroThenOldRefusedAtOnceAsRotatedAndRevoked() {
        IssuedToken key = store.create(TokenKind.API_KEY, "billing app", "alice", "billing", List.of(), List.of(), null);

        IssuedToken rotated = store.rotate(key.metadata().id(), Duration.ZERO);

        assertThatThrownBy(() -> apiKeys.validate(key.token()))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("The API key was rotated at 2026-11-29T10:00:00Z and has been replaced; use the new API key.");
        assertThat(store.get(key.metadata().id()).orElseThrow().revokedAt()).contains(START);
        assertThat(apiKeys.validate(rotated.token()).subject()).contains("alice");
    }

    @Test
    void rotateWhenStoreGraceConfiguredThenOldWorksThatLong() {
        JdbcTokenStore shortGrace = JdbcTokenStore.builder().dataSource(db).table(table()).flushInterval(Duration.ZERO)
                .clock(time).rotationGrace(Duration.ofMinutes(10)).build();
        IssuedToken old = issue();

        shortGrace.rotate(old.metadata().id());
        time.advance(Duration.ofMinutes(10).minusMillis(1));
        accessTokens.validate(old.token());
        time.advance(Duration.ofMillis(1));

        assertThatThrownBy(() -> accessTokens.validate(old.token())).hasMessageContaining("was rotated");
        shortGrace.close();
    }

    @Test
    void rotateWhenCachedThenCacheServesTheOldSecretNoLongerThanTheGrace() {
        IssuedToken old = issue();
        CachingTokenValidator cached = CachingTokenValidator.builder(accessTokens)
                .maxTimeToLive(Duration.ofMinutes(5)).ticker(time).clock(time).build();
        store.rotate(old.metadata().id(), Duration.ofMinutes(2));
        cached.validate(old.token()); // cached in its grace period, for at most what is left of it

        time.advance(Duration.ofMinutes(2));

        assertThatThrownBy(() -> cached.validate(old.token())).hasMessageContaining("was rotated");
    }

    @Test
    void rotateWhenAlreadyRotatedThenRefusedNamingTheReplacement() {
        IssuedToken old = issue();
        IssuedToken rotated = store.rotate(old.metadata().id());

        assertThatThrownBy(() -> store.rotate(old.metadata().id())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already rotated").hasMessageContaining(rotated.metadata().id());
        time.advance(Duration.ofDays(1));
        IssuedToken again = store.rotate(rotated.metadata().id());
        assertThat(store.get(rotated.metadata().id()).orElseThrow().rotatedAt()).contains(START.plus(Duration.ofDays(1)));
        assertThat(accessTokens.validate(again.token()).subject()).contains("alice");
    }

    @Test
    void rotateWhenGraceOutOfRangeThenRefusedNamingIt() {
        IssuedToken old = issue();

        assertThatThrownBy(() -> store.rotate(old.metadata().id(), Duration.ofSeconds(-1)))
                .hasMessageContaining("grace");
        assertThatThrownBy(() -> store.rotate(old.metadata().id(), Duration.ofDays(91)))
                .hasMessageContaining("grace").hasMessageContaining("90d");
        assertThat(store.get(old.metadata().id()).orElseThrow().replaced()).isFalse();
    }

    @Test
    void createSchemaWhenTableLacksTheRotationColumnsThenAddsThem() throws SQLException {
        try (Connection c = database().getConnection(); Statement s = c.createStatement()) {
            for (String column : List.of("rotated_at", "replaced_by", "grace_until")) {
                s.execute("ALTER TABLE " + table() + " DROP COLUMN " + column);
            }
        }
        store.createSchema();
        IssuedToken old = issue();

        store.rotate(old.metadata().id());

        assertThat(store.get(old.metadata().id()).orElseThrow().replaced()).isTrue();
    }

    @Test
    void rotateWhenRevokedExpiredOrUnknownThenRefused() {
        IssuedToken revoked = issue();
        store.revoke(revoked.metadata().id());
        IssuedToken expiring = store.create(TokenKind.ACCESS_TOKEN, "t", "alice", null, List.of(), List.of(),
                START.plus(Duration.ofMinutes(1)));
        time.advance(Duration.ofMinutes(1));

        assertThatThrownBy(() -> store.rotate(revoked.metadata().id())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("revoked");
        assertThatThrownBy(() -> store.rotate(expiring.metadata().id())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expired");
        assertThatThrownBy(() -> store.rotate("no-such-id")).isInstanceOf(NoSuchElementException.class);
        assertThat(store.list("alice")).hasSize(2);
    }

    @Test
    void listThenOwnersTokensOldestFirstWithMetadataOnly() {
        IssuedToken first = issue();
        time.advance(Duration.ofSeconds(1));
        IssuedToken key = store.create(TokenKind.API_KEY, "billing app", "alice", "billing", List.of("invoices"),
                List.of(), null);
        store.create(TokenKind.ACCESS_TOKEN, "other", "bob", null, List.of(), List.of(), null);

        List<StoredToken> tokens = store.list("alice");

        assertThat(tokens).containsExactly(first.metadata(), key.metadata());
        assertThat(store.list("nobody")).isEmpty();
        assertThat(Arrays.stream(StoredToken.class.getRecordComponents()).map(RecordComponent::getName))
                .noneMatch(name -> name.toLowerCase().contains("hash") || name.equals("token"));
        String hex = HexFormat.of().formatHex(Fingerprints.sha256(first.token()));
        assertThat(tokens.toString()).doesNotContain(first.token(), key.token(), hex);
    }

    @Test
    void createThenOnlyTheHashIsStored() throws SQLException {
        IssuedToken issued = issue();
        String randomPart = issued.token().substring(5, 5 + TokenFormat.RANDOM_LENGTH);

        Map<String, Object> row = new TreeMap<>();
        try (Connection c = database().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + table())) {
            ResultSetMetaData meta = rs.getMetaData();
            assertThat(rs.next()).isTrue();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                row.put(meta.getColumnLabel(i).toLowerCase(), rs.getObject(i));
            }
            assertThat(rs.next()).isFalse();
        }

        assertThat((byte[]) row.get("token_hash")).isEqualTo(Fingerprints.sha256(issued.token()));
        for (Map.Entry<String, Object> column : row.entrySet()) {
            Object value = column.getValue();
            String text = value instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)
                    : String.valueOf(value);
            assertThat(text).as(column.getKey()).doesNotContain(randomPart);
        }
    }

    @Test
    void validateWhenApiKeyAsAccessTokenOrAccessTokenAsApiKeyThenInvalidWithoutDatabase() {
        IssuedToken key = store.create(TokenKind.API_KEY, "billing app", "billing-service", "billing",
                List.of(), List.of(), null);
        IssuedToken token = issue();
        db.reset();

        assertThatThrownBy(() -> accessTokens.validate(key.token()))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("An API key cannot be used as an access token.");
        assertThatThrownBy(() -> apiKeys.validate(token.token()))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("An access token cannot be used as an API key.");
        assertThat(db.connections()).isZero();

        assertThat(key.token()).startsWith("tgak_");
        assertThat(apiKeys.validate(key.token()).subject()).contains("billing-service");
    }

    @Test
    void validateWhenApiKeyRelabelledAsAccessTokenThenNotKnown() {
        IssuedToken key = store.create(TokenKind.API_KEY, "billing app", "billing-service", null,
                List.of(), List.of(), null);
        String relabelled = "tgat_" + key.token().substring(5); // same random part and checksum: passes the format

        assertThatThrownBy(() -> accessTokens.validate(relabelled))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("The token is not known.");
    }

    @Test
    void recordUseWhenManyValidationsThenNoWriteUntilFlushThenOneBatchedUpdate() {
        IssuedToken a = issue();
        IssuedToken b = issue();
        db.reset();

        for (int i = 0; i < 5; i++) {
            time.advance(Duration.ofSeconds(1));
            accessTokens.recordUse(accessTokens.validate(a.token()), "203.0.113.9");
            accessTokens.recordUse(accessTokens.validate(b.token()), "2001:db8::7");
        }
        accessTokens.validate(a.token()); // a use without an address keeps the last one's

        assertThat(db.writes()).isEmpty();
        assertThat(db.executions()).hasSize(11).allMatch(e -> e.startsWith("executeQuery SELECT"));
        assertThat(store.pendingUses()).isEqualTo(2);

        assertThat(store.flush()).isEqualTo(2);

        assertThat(db.writes()).hasSize(1).allMatch(e -> e.startsWith("executeBatch[2] UPDATE " + table() + " SET last_used_at"));
        StoredToken used = store.get(a.metadata().id()).orElseThrow();
        assertThat(used.lastUsedAt()).contains(START.plus(Duration.ofSeconds(5)));
        assertThat(used.lastUsedAddress()).contains("203.0.113.9");
        assertThat(store.get(b.metadata().id()).orElseThrow().lastUsedAddress()).contains("2001:db8::7");
        assertThat(store.pendingUses()).isZero();
        assertThat(store.flush()).isZero();
    }

    @Test
    void flushWhenUseIsOlderThanStoredThenLastUsedDoesNotGoBack() {
        IssuedToken a = issue();
        time.advance(Duration.ofMinutes(2));
        accessTokens.recordUse(accessTokens.validate(a.token()), "203.0.113.9");
        store.flush();

        store.recordUse(a.metadata().id(), START.plus(Duration.ofMinutes(1)), java.util.Optional.of("203.0.113.1"));
        store.flush();

        StoredToken used = store.get(a.metadata().id()).orElseThrow();
        assertThat(used.lastUsedAt()).contains(START.plus(Duration.ofMinutes(2)));
        assertThat(used.lastUsedAddress()).contains("203.0.113.9");
    }

    @Test
    void closeThenPendingUsageIsWritten() {
        IssuedToken a = issue();
        accessTokens.recordUse(accessTokens.validate(a.token()), "203.0.113.9");

        store.close();

        assertThat(store.get(a.metadata().id()).orElseThrow().lastUsedAt()).contains(START);
    }

    @Test
    void flushWhenDatabaseDownThenUsageKeptForTheNextFlush() {
        IssuedToken a = issue();
        accessTokens.validate(a.token());
        db.down(true);

        assertThatThrownBy(store::flush).isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageContaining("1 kept for the next flush");
        assertThat(store.pendingUses()).isEqualTo(1);

        db.down(false);
        assertThat(store.flush()).isEqualTo(1);
        assertThat(store.get(a.metadata().id()).orElseThrow().lastUsedAt()).contains(START);
    }

    @Test
    void validateWhenDatabaseDownThenUpstreamUnavailableNotInvalidToken() {
        IssuedToken issued = issue();
        db.down(true);

        assertThatThrownBy(() -> accessTokens.validate(issued.token()))
                .isInstanceOf(UpstreamUnavailableException.class)
                .isNotInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("token database")
                .hasMessageContaining("08001");
        assertThatThrownBy(() -> store.create(TokenKind.ACCESS_TOKEN, "n", "o", null, List.of(), List.of(), null))
                .isInstanceOf(UpstreamUnavailableException.class);
    }

    @Test
    void createWhenValuesOutOfBoundsThenIllegalArgumentNamingThem() {
        assertThatThrownBy(() -> store.create(TokenKind.ACCESS_TOKEN, " ", "alice", null, List.of(), List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("name");
        assertThatThrownBy(() -> store.create(TokenKind.ACCESS_TOKEN, "n", "x".repeat(201), null, List.of(), List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("owner");
        assertThatThrownBy(() -> store.create(TokenKind.ACCESS_TOKEN, "n", "alice", null, List.of("a b"), List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("scopes");
        assertThatThrownBy(() -> store.create(TokenKind.ACCESS_TOKEN, "n", "alice", null, List.of(), List.of(), START))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("expiresAt");
        assertThat(store.list("alice")).isEmpty();
    }

    @Test
    void createSchemaWhenRunAgainThenKeepsTokens() {
        IssuedToken issued = issue();

        store.createSchema();

        assertThat(accessTokens.validate(issued.token()).subject()).contains("alice");
    }

    @Test
    void noLogLineOrExceptionMessageContainsTheRawToken() {
        try (LogCapture logs = LogCapture.start()) {
            IssuedToken issued = issue();
            IssuedToken expiring = store.create(TokenKind.ACCESS_TOKEN, "t", "alice", null, List.of(), List.of(),
                    START.plus(Duration.ofMinutes(1)));
            StringBuilder messages = new StringBuilder();
            accessTokens.validate(issued.token());
            for (String attempt : List.of(withWrongChecksum(issued.token()), expiring.token(), issued.token())) {
                if (attempt.equals(issued.token())) {
                    store.revoke(issued.metadata().id());
                } else if (attempt.equals(expiring.token())) {
                    time.advance(Duration.ofMinutes(1));
                }
                try {
                    accessTokens.validate(attempt);
                } catch (RuntimeException e) {
                    messages.append(e).append('\n');
                }
            }
            IssuedToken replaced = issue();
            store.rotate(replaced.metadata().id(), Duration.ZERO);
            try {
                accessTokens.validate(replaced.token());
            } catch (RuntimeException e) {
                messages.append(e).append('\n');
            }
            IssuedToken rotated = store.rotate(issue().metadata().id());
            accessTokens.validate(rotated.token());
            db.down(true);
            try {
                accessTokens.validate(rotated.token());
            } catch (UpstreamUnavailableException e) {
                messages.append(e).append(' ').append(e.getCause()).append('\n');
            }
            store.close(); // the flush fails and is logged

            assertThat(logs.lines()).isNotEmpty();
            for (IssuedToken t : List.of(issued, expiring, rotated, replaced)) {
                String randomPart = t.token().substring(5, 5 + TokenFormat.RANDOM_LENGTH);
                assertThat(logs.text()).doesNotContain(randomPart);
                assertThat(messages.toString()).doesNotContain(randomPart);
            }
            assertThat(messages.toString()).contains("malformed", "expired", "revoked", "rotated", "token database");
        }
    }

    // ------------------------------------------------------------------------------------ the revocation list

    @Test
    void revocationStoreKeepsEntriesReplacesByTargetAndValueAndForgetsExpiredOnes() {
        RevocationStore revocations = store.revocationStore();
        Instant now = time.instant();
        Revocation jti = new Revocation(Revocation.Target.TOKEN_ID, "jti-1", "stolen", now, Optional.of(now.plusSeconds(60)));
        Revocation subject = new Revocation(Revocation.Target.SUBJECT, "mallory", "fired", now, Optional.empty());
        String hash = "ab".repeat(32);
        Revocation token = new Revocation(Revocation.Target.TOKEN, hash, "pasted in chat", now, Optional.empty());
        revocations.save(jti);
        revocations.save(subject);
        revocations.save(token);
        Revocation again = new Revocation(Revocation.Target.SUBJECT, "mallory", "fired, for good", now.plusSeconds(1),
                Optional.empty());
        revocations.save(again);

        assertThat(store.revocationStore().load(now)).containsExactlyInAnyOrder(jti, again, token);
        assertThat(revocations.remove(Revocation.Target.TOKEN, hash)).isTrue();
        assertThat(revocations.remove(Revocation.Target.TOKEN, hash)).isFalse();
        assertThat(revocations.load(now.plusSeconds(60))).containsExactly(again); // jti-1 has run out and is deleted
        assertThat(revocations.load(now)).containsExactly(again);
        assertThat(revocations.toString()).isEqualTo("the table " + table() + "_revocation");
    }

    @Test
    void revocationStoreWithoutItsTableSaysHowToCreateIt() {
        try (JdbcTokenStore missing = JdbcTokenStore.builder().dataSource(database()).table("missing_table")
                .clock(time).build()) {
            assertRevocationStoreFailures(missing.revocationStore());
        }
    }

    private void assertRevocationStoreFailures(RevocationStore revocations) {
        // a missing table is found by the metadata, not by a failing statement, and says what to do
        String missing = "the revocation table missing_table_revocation does not exist in the token database: create "
                + "it with JdbcTokenStore.createSchema()";
        assertThatThrownBy(() -> revocations.load(time.instant())).isInstanceOf(UpstreamUnavailableException.class)
                .hasMessageStartingWith(missing).hasNoCause();
        assertThatThrownBy(() -> revocations.save(new Revocation(Revocation.Target.CLIENT, "c", "r", time.instant(),
                Optional.empty()))).isInstanceOf(UpstreamUnavailableException.class).hasMessageStartingWith(missing);
        assertThatThrownBy(() -> revocations.remove(Revocation.Target.CLIENT, "c"))
                .isInstanceOf(UpstreamUnavailableException.class).hasMessageStartingWith(missing);
    }
}
