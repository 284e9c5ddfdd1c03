/**
 * BLAKE3-256, the hash behind every object ID (docs/format.md §2). The native binding
 * (`@napi-rs/blake-hash`, ~1.7 GB/s here) is used where it loads; `blake3-wasm` (~0.2 GB/s)
 * is the fallback for platforms without a prebuilt binary. Both give the same digests, which a
 * test checks, so a repo never depends on which one wrote it.
 */
export interface Blake3Stream {
  update(data: Uint8Array): void;
  /** The 32-byte digest; the stream may not be used afterwards. */
  digest(): Buffer;
}

export interface Blake3Backend {
  readonly name: 'native' | 'wasm';
  /** One-shot hash. Each call costs ~5 µs natively, so callers hash header+content together. */
  hash(data: Uint8Array): Buffer;
  create(): Blake3Stream;
}

interface NativeModule {
  blake3(input: Uint8Array): Buffer;
  Blake3Hasher: new () => { update(input: Uint8Array): unknown; digestBuffer(): Buffer };
}

interface WasmModule {
  hash(input: Uint8Array): Buffer;
  createHash(): { update(input: Uint8Array): unknown; digest(): Buffer; dispose?(): void };
}

function nativeBackend(): Blake3Backend {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require('@napi-rs/blake-hash') as NativeModule;
  // Fail here, not on first use, if the platform binary is missing or broken.
  module.blake3(Buffer.alloc(0));
  return {
    name: 'native',
    hash: (data) => module.blake3(data),
    create() {
      const hasher = new module.Blake3Hasher();
      return {
        update: (data) => void hasher.update(data),
        digest: () => hasher.digestBuffer(),
      };
    },
  };
}

function wasmBackend(): Blake3Backend {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require('blake3-wasm') as WasmModule;
  return {
    name: 'wasm',
    hash: (data) => module.hash(data),
    create() {
      const hasher = module.createHash();
      return {
        update: (data) => void hasher.update(data),
        digest: () => {
          const digest = hasher.digest();
          hasher.dispose?.();
          return digest;
        },
      };
    },
  };
}

let chosen: Blake3Backend | undefined;

/** The backend in use: native unless it cannot load, or ARBOR_BLAKE3=wasm asks otherwise. */
export function blake3Backend(): Blake3Backend {
  if (chosen) return chosen;
  if (process.env.ARBOR_BLAKE3 !== 'wasm') {
    try {
      chosen = nativeBackend();
      return chosen;
    } catch {
      // fall through to wasm
    }
  }
  chosen = wasmBackend();
  return chosen;
}

/** Both backends, for the test that proves they agree. */
export function loadBlake3Backend(name: 'native' | 'wasm'): Blake3Backend {
  return name === 'native' ? nativeBackend() : wasmBackend();
}

export function blake3(data: Uint8Array): Buffer {
  return blake3Backend().hash(data);
}
