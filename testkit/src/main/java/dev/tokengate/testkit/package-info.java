/**
 * A test kit for applications that tokengate protects: {@link dev.tokengate.testkit.LoopbackIssuer}, an OAuth 2.0
 * authorization server on loopback that mints tokens, publishes rotating keys and answers introspection and
 * revocation; {@link dev.tokengate.testkit.TokenBuilder} for the tokens; and
 * {@link dev.tokengate.testkit.LoopbackIssuerExtension} to run one per JUnit 5 test class.
 *
 * <p>It depends on nothing of tokengate: it speaks the protocols, and {@code settings()} names the
 * {@code tokengate.*} keys a gate reads.
 */
package dev.tokengate.testkit;
