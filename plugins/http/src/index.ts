import { httpPlugin } from './HttpPlugin';

// HttpTransport (and node:http) stay out of this entry point: see HttpPlugin. Import it from
// '@arbor/plugin-http' to use it directly.

export { httpPlugin, HttpOptionsSchema, PLUGIN_NAME, type HttpOptions } from './HttpPlugin';
export { DEFAULT_HTTP_OPTIONS, type HttpTransportOptions } from './defaultHttpOptions';
export default httpPlugin;
