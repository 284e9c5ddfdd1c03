import type * as OpenPgpModule from 'openpgp' with { 'resolution-mode': 'import' };

export type OpenPgp = typeof OpenPgpModule;

let loading: Promise<OpenPgp> | undefined;

/**
 * openpgp.js, loaded on first use: it takes 290-340 ms to load here, which `arbor rpm info`,
 * compose and layering from repos with gpgcheck=0 never pay. Its default policy applies: RSA
 * keys of at least 2047 bits, and no MD5, RIPEMD-160 or SHA-1 in signatures over data.
 */
export function loadOpenPgp(): Promise<OpenPgp> {
  loading ??= import('openpgp');
  return loading;
}
