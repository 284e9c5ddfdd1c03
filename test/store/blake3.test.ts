import assert from 'node:assert/strict';
import { loadBlake3Backend } from '@arbor/core';
import { bytes } from './storeFixture';

describe('BLAKE3 backends', () => {
  const native = loadBlake3Backend('native');
  const wasm = loadBlake3Backend('wasm');

  it('match the reference test vector for "abc"', () => {
    // BLAKE3 of "abc" from the BLAKE3 reference implementation's test vectors.
    const expected = '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85';
    assert.equal(native.hash(Buffer.from('abc')).toString('hex'), expected);
    assert.equal(wasm.hash(Buffer.from('abc')).toString('hex'), expected);
  });

  it('give identical digests, one-shot, for sizes around the 1 KiB chunk and 64 KiB boundaries', () => {
    for (const size of [0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 4097, 65535, 65536, 65537, 1 << 20]) {
      const input = bytes(size, `size-${size}`);
      assert.equal(native.hash(input).toString('hex'), wasm.hash(input).toString('hex'), `size ${size}`);
    }
  });

  it('give identical digests streamed in uneven chunks as one-shot, on a 40 MB input', () => {
    const input = bytes(40 * 1000 * 1000 + 7, 'large');
    const oneShot = native.hash(input).toString('hex');
    for (const backend of [native, wasm]) {
      const stream = backend.create();
      let offset = 0;
      for (const step of [1, 1000, 65536, 999_999, 1 << 20]) {
        stream.update(input.subarray(offset, offset + step));
        offset += step;
      }
      while (offset < input.length) {
        stream.update(input.subarray(offset, offset + 3_000_001));
        offset += 3_000_001;
      }
      assert.equal(stream.digest().toString('hex'), oneShot, backend.name);
    }
    assert.equal(wasm.hash(input).toString('hex'), oneShot);
  });
});
