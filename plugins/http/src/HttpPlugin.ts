import { definePlugin, v } from '@arbor/core';
import { DEFAULT_HTTP_OPTIONS } from './defaultHttpOptions';

export const PLUGIN_NAME = 'arbor:http';

const int = v.pipe(v.number(), v.safeInteger());
const positiveInt = v.pipe(int, v.gtValue(0));

export const HttpOptionsSchema = v.strictObject({
  /** Requests in flight per remote (docs/performance.md: 8–16 on keep-alive is the sweet spot). */
  concurrency: v.optional(v.pipe(positiveInt, v.maxValue(64)), DEFAULT_HTTP_OPTIONS.concurrency),
  connectTimeoutMs: v.optional(positiveInt, DEFAULT_HTTP_OPTIONS.connectTimeoutMs),
  stallTimeoutMs: v.optional(positiveInt, DEFAULT_HTTP_OPTIONS.stallTimeoutMs),
  retries: v.optional(v.pipe(int, v.minValue(0), v.maxValue(10)), DEFAULT_HTTP_OPTIONS.retries),
  retryDelayMs: v.optional(v.pipe(int, v.minValue(0)), DEFAULT_HTTP_OPTIONS.retryDelayMs),
  defaultMaxBytes: v.optional(positiveInt, DEFAULT_HTTP_OPTIONS.defaultMaxBytes),
});

export type HttpOptions = v.InferOutput<typeof HttpOptionsSchema>;

/**
 * Answers `fetch` for http:// and https:// remotes with a node:http transport. The transport is
 * loaded on the first fetch, not when the plugin is applied: with node:http it costs ~2 ms, and
 * every arbor command applies the preset's plugins (docs/performance.md: start-up time matters).
 */
export const httpPlugin = definePlugin<HttpOptions>({
  name: PLUGIN_NAME,
  options: HttpOptionsSchema,
  apply(arbor, options) {
    for (const scheme of ['http', 'https']) {
      arbor.hooks.fetch.for(scheme).tapPromise(PLUGIN_NAME, async (request) => {
        const { HttpTransport } = require('./HttpTransport.js') as typeof import('./HttpTransport.js');
        return new HttpTransport(request.url, options);
      });
    }
  },
});
