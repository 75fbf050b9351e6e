/**
 * A token database for applications that issue their own API tokens: {@link dev.tokengate.store.TokenFormat}
 * secrets ({@code tgat_…} access tokens, {@code tgak_…} API keys) of which only a SHA-256 is stored,
 * {@link dev.tokengate.store.JdbcTokenStore} on H2 or PostgreSQL, the {@link dev.tokengate.store.TokenAdmin}
 * operations and the {@link dev.tokengate.store.StoredTokenValidator} of the request path.
 *
 * <p>A revoked token is refused on its next lookup; behind a {@link dev.tokengate.validate.CachingTokenValidator}, at the
 * latest after the cache's {@code maxTimeToLive} (5 minutes by default).
 */
package dev.tokengate.store;
