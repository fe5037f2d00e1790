/**
 * Capabilities: what a node may do, as a value — the model's bottom layer.
 *
 * <p><b>What lives here.</b> {@link io.execauthz.capability.Capability} (an action pattern, a
 * resource pattern and limits), {@link io.execauthz.capability.CapabilitySet} (a node's grant),
 * {@link io.execauthz.capability.ActionPattern} and {@link io.execauthz.capability.ResourcePattern}
 * with the {@code covers} relation the graph's attenuation rule is built on, {@link
 * io.execauthz.capability.ResourceSchemes} (the schemes a resource may name and how each is put in
 * canonical form), the {@link io.execauthz.capability.ResourceCanonicalizer} a scheme plugs in, and
 * {@link io.execauthz.capability.CapabilitySyntaxException}, which names the position of bad text.
 * All public types here are immutable or thread-safe values. Package-private, behind them: {@code
 * ResourceParser} (text to pattern), {@code ResourceText}, {@code Canonicalizers} and {@code
 * UrlCanonicalizer} (the built-in schemes) and {@code Authorities} (hosts and ports).
 *
 * <p><b>To add a resource scheme</b>, register a {@link
 * io.execauthz.capability.ResourceCanonicalizer} with {@link
 * io.execauthz.capability.ResourceSchemes}; nothing else changes.
 *
 * <p><b>Dependencies.</b> Only the JDK and {@code io.execauthz.internal} (the shared character
 * rules) — no graph, no pipeline, no state, which is what lets it be fuzzed on its own. Everything
 * else may depend on it: {@code io.execauthz}, the SPI, every module and applications.
 */
package io.execauthz.capability;
