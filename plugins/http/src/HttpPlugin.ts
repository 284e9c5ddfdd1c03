import { definePlugin, z } from '@arbor/core';
import { DEFAULT_HTTP_OPTIONS } from './defaultHttpOptions';

export const PLUGIN_NAME = 'arbor:http';

const positiveInt = z.number().int().positive();

export const HttpOptionsSchema = z.strictObject({
  /** Requests in flight per remote (PERFORMANCE.md: 8–16 on keep-alive is the sweet spot). */
  concurrency: positiveInt.max(64).default(DEFAULT_HTTP_OPTIONS.concurrency),
  connectTimeoutMs: positiveInt.default(DEFAULT_HTTP_OPTIONS.connectTimeoutMs),
  stallTimeoutMs: positiveInt.default(DEFAULT_HTTP_OPTIONS.stallTimeoutMs),
  retries: z.number().int().min(0).max(10).default(DEFAULT_HTTP_OPTIONS.retries),
  retryDelayMs: z.number().int().min(0).default(DEFAULT_HTTP_OPTIONS.retryDelayMs),
  defaultMaxBytes: positiveInt.default(DEFAULT_HTTP_OPTIONS.defaultMaxBytes),
});

export type HttpOptions = z.infer<typeof HttpOptionsSchema>;

/**
 * Answers `fetch` for http:// and https:// remotes with an undici-backed transport. undici is
 * loaded on the first fetch, not when the plugin is applied: loading it costs ~100 ms, and
 * every arbor command applies the preset's plugins (PERFORMANCE.md: start-up time matters).
 */
export const httpPlugin = definePlugin<HttpOptions>({
  name: PLUGIN_NAME,
  options: HttpOptionsSchema,
  apply(arbor, options) {
    for (const scheme of ['http', 'https']) {
      arbor.hooks.fetch.for(scheme).tapPromise(PLUGIN_NAME, async (request) => {
        const { HttpTransport } = await import('./HttpTransport.js');
        return new HttpTransport(request.url, options);
      });
    }
  },
});
