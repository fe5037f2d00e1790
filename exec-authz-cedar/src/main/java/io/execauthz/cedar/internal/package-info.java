/** Implementation of {@code io.execauthz.cedar}; not an API, may change at any time. */
package io.execauthz.cedar.internal;
