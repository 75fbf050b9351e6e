/**
 * The servlet adapter of tokengate: {@link dev.tokengate.servlet.TokenGateFilter}, a {@code jakarta.servlet.Filter}
 * configured by init-params or in code, and {@link dev.tokengate.authorize.UrlRules}, the URL-pattern rules that say
 * which scopes each path needs.
 */
package dev.tokengate.servlet;

import dev.tokengate.authorize.UrlRules;
