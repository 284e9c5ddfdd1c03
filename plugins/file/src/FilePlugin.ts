import { definePlugin } from '@arbor/core';
import { FileTransport } from './FileTransport';

export const PLUGIN_NAME = 'arbor:file';

/** Answers `fetch` for file:// remotes: local mirrors read through the transport contract. */
export const filePlugin = definePlugin({
  name: PLUGIN_NAME,
  apply(arbor) {
    arbor.hooks.fetch.for('file').tapPromise(PLUGIN_NAME, async (request) => new FileTransport(request.url));
  },
});
