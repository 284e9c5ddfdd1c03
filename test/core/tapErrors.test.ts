import assert from 'node:assert/strict';
import { Arbor, ArborError, type EtcMergePlan, type EtcMergeInput } from '@arbor/core';

const input: EtcMergeInput = { oldDefaults: '/a', oldEtc: '/b', newDefaults: '/c', newEtc: '/d' };
const plan = (): EtcMergePlan => ({ modified: [], added: [], removed: [], conflicts: [], skipped: [], applied: false });

describe('errors thrown in taps', () => {
  it('names the phase and the plugin, with ARBOR_PLUGIN_FAILED for plain errors', async () => {
    const arbor = new Arbor();
    arbor.hooks.mergeEtc.tapPromise('arbor:etc-merge', async () => {
      throw new Error('cannot read /etc/passwd');
    });
    await assert.rejects(arbor.hooks.mergeEtc.promise(plan(), input, arbor.context()), (error: ArborError) => {
      assert.ok(error instanceof ArborError);
      assert.equal(error.message, 'During /etc merge (arbor:etc-merge): cannot read /etc/passwd');
      assert.equal(error.code, 'ARBOR_PLUGIN_FAILED');
      assert.equal(error.plugin, 'arbor:etc-merge');
      assert.equal(error.hook, 'mergeEtc');
      return true;
    });
  });

  it('keeps an ArborError\'s own code and hint', async () => {
    const arbor = new Arbor();
    arbor.hooks.verify.tapPromise('arbor:ed25519', async () => {
      throw new ArborError('ARBOR_VERIFY_BAD_SIGNATURE', 'commit abc is not signed by key k1', { hint: 'check the key' });
    });
    const request = {
      remote: 'r', source: 'remote r', kind: 'commit' as const, commitId: 'abc', data: Buffer.alloc(0), signatures: [],
      policy: { noVerify: false, keys: [] },
    };
    await assert.rejects(arbor.hooks.verify.promise([], request, arbor.context()), (error: ArborError) => {
      assert.equal(error.message, 'During verification (arbor:ed25519): commit abc is not signed by key k1');
      assert.equal(error.code, 'ARBOR_VERIFY_BAD_SIGNATURE');
      assert.equal(error.hint, 'check the key');
      return true;
    });
  });

  it('wraps synchronous and callback taps too', async () => {
    const arbor = new Arbor();
    arbor.hooks.bootloader.for('bls').tap('arbor:sync-writer', () => {
      throw new TypeError('bad entry');
    });
    const request = { sysroot: '/', bootloader: 'bls', bootDir: '/boot', esp: '/boot/efi', deployments: [], bootVersion: 1, options: {} };
    await assert.rejects(arbor.hooks.bootloader.for('bls').promise(request, arbor.context()), /During bootloader update \(arbor:sync-writer\): bad entry/);

    const other = new Arbor();
    other.hooks.rollback.tapAsync('arbor:callback', (_order, _request, _context, callback) => callback(new Error('no previous deployment')));
    await assert.rejects(
      other.hooks.rollback.promise([], { sysroot: '/', before: [] }, other.context()),
      /During rollback \(arbor:callback\): no previous deployment/,
    );
  });

  it('wraps taps on keyed hooks (HookMap) with the same phase naming', async () => {
    const arbor = new Arbor();
    arbor.hooks.fetch.for('https').tapPromise('arbor:http', async () => {
      throw new Error('connection refused');
    });
    await assert.rejects(
      arbor.hooks.fetch.for('https').promise({ url: 'https://example.invalid/repo' }, arbor.context()),
      /During fetch \(arbor:http\): connection refused/,
    );
    assert.deepEqual(arbor.taps.map((t) => [t.hook, t.key, t.plugin]), [['fetch', 'https', 'arbor:http']]);
  });

  it('does not stack prefixes when a hook call fails inside another hook\'s tap', async () => {
    const arbor = new Arbor();
    arbor.hooks.commit.tapPromise('arbor:versioner', async () => {
      throw new Error('no version prefix');
    });
    arbor.hooks.postprocess.tapPromise('arbor:composer', async () => {
      await arbor.hooks.commit.promise({}, arbor.context());
    });
    await assert.rejects(
      arbor.hooks.postprocess.promise({ tree: '/t', treefile: {}, treefileDir: '/', installed: [] } as never, arbor.context()),
      (error: Error) => error.message === 'During commit metadata (arbor:versioner): no version prefix',
    );
  });
});
