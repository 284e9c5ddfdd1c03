import fs from 'node:fs';
import { pipeline, Readable, type Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import zlib from 'node:zlib';

/**
 * Opens a downloaded metadata file as a stream of its uncompressed bytes. createrepo_c writes
 * gzip by default, xz or zstd on request (`--general-compress-type`), and dnf5's test repo ships
 * plain XML; the file's magic bytes decide, not its name (names are checksum-prefixed and
 * mirrors rename). bzip2 is only used for the sqlite databases, which Arbor does not read.
 */
export async function openMetadataFile(file: string): Promise<Readable> {
  const head = Buffer.alloc(6);
  const handle = await fs.promises.open(file, 'r');
  try {
    await handle.read(head, 0, 6, 0);
  } finally {
    await handle.close();
  }
  const raw = fs.createReadStream(file);
  if (head[0] === 0x1f && head[1] === 0x8b) return through(raw, zlib.createGunzip());
  if (head.equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) {
    // xz-decompress is liblzma's decoder compiled to wasm: no native build, streams.
    // Loaded with require: under node16 module rules import() would go through Node's ESM loader,
    // which cannot see this CommonJS module's getter-defined export.
    const { XzReadableStream } = require('xz-decompress') as typeof import('xz-decompress');
    const web = Readable.toWeb(raw) as unknown as ReadableStream<Uint8Array>;
    return Readable.fromWeb(new XzReadableStream(web) as unknown as WebReadableStream<Uint8Array>);
  }
  if (head.readUInt32LE(0) === 0xfd2fb528) {
    // Zstandard frame magic 0xFD2FB528 (RFC 8878 §3.1.1), little-endian on disk.
    const { DecompressStream } = require('zstd-napi') as typeof import('zstd-napi');
    return through(raw, new DecompressStream());
  }
  return raw;
}

/** Pipes with error propagation: a read or decode error surfaces in the consumer's loop. */
function through(source: Readable, transform: Transform): Readable {
  pipeline(source, transform, () => {});
  return transform;
}
