import assert from 'node:assert/strict';
import path from 'node:path';
import { Arbor, definePlugin, type FileMetadata, type LabelTarget } from '@arbor/core';
import { commitTree, Repo } from '@arbor/core/store';
import { selinuxPlugin } from '@arbor/plugin-selinux';
import { useTempDir, writeTree } from '../support/tempDir';

const FIXTURE = path.join(__dirname, '../../fixtures/selinux/debian12-refpolicy-default/file_contexts');

/** A label tap that records what it was called for and changes nothing. */
function recorder(name: string, labelsOnRequest: boolean, seen: string[]) {
  return definePlugin({
    name: `test:${name}`,
    apply(arbor) {
      arbor.hooks.label.tapPromise({ name: `test:${name}`, labelsOnRequest }, async (metadata: FileMetadata, target: LabelTarget) => {
        seen.push(target.treePath);
        return metadata;
      });
    },
  })();
}

/**
 * Which commits call the `label` hook (docs/hooks/label.md): a tap that declares
 * `labelsOnRequest` is only called when the commit asks for labels, one that does not is called
 * for every entry of every commit, and the selinux plugin's labels do not depend on either.
 */
describe('the label request and labelsOnRequest taps', function () {
  this.timeout(60_000);
  const tmp = useTempDir('arbor-label-request-');

  // 300 files: more than the pool runs inline, so labeling feeds the hash workers.
  const tree = (): string => {
    const root = path.join(tmp(), 'tree');
    writeTree(root, Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`usr/share/many/f${index}`, `${index}\n`])));
    writeTree(root, { 'usr/bin/tool': '#!/bin/sh\n', 'usr/etc/hosts': '127.0.0.1 localhost\n' });
    return root;
  };
  // An archive repo keeps every xattr in its objects, as any user.
  const repo = (): Repo => Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });

  it('skips the hook when the commit asks for no labels and every tap is labelsOnRequest; otherwise calls it for every entry', async () => {
    const root = tree();
    const entries = 302 + 6;
    const target = repo();
    const alone: string[] = [];
    const quiet = new Arbor().use(recorder('on-request', true, alone));
    await commitTree(quiet, target, { tree: root, branch: 'quiet' });
    assert.deepEqual(alone, [], 'only labelsOnRequest taps and no request: the hook is not called');
    await commitTree(quiet, target, { tree: root, branch: 'asked', label: { fileContexts: FIXTURE } });
    assert.equal(alone.length, entries, 'a request calls it for every file, symlink and directory');
    assert.equal(new Set(alone).size, entries, 'once each');

    // A tap that labels every commit (the pathlabel fixture's kind) makes the hook run, and then
    // every tap of it runs, each once per entry.
    const onRequest: string[] = [];
    const always: string[] = [];
    const mixed = new Arbor().use(recorder('on-request', true, onRequest)).use(recorder('always', false, always));
    await commitTree(mixed, target, { tree: root, branch: 'plain' });
    assert.equal(always.length, entries);
    assert.equal(onRequest.length, entries);
  });

  it('a commit that asks for no labels is the same commit with or without the selinux plugin; one that asks is labeled', async () => {
    const root = tree();
    const target = repo();
    const plain = await commitTree(new Arbor(), target, { tree: root, branch: 'a', timestamp: 1 });
    const loaded = await commitTree(new Arbor().use(selinuxPlugin()), target, { tree: root, branch: 'b', timestamp: 1 });
    assert.equal(loaded.rootTree, plain.rootTree);
    const labeled = await commitTree(new Arbor().use(selinuxPlugin()), target, { tree: root, branch: 'c', timestamp: 1, label: { fileContexts: FIXTURE } });
    assert.notEqual(labeled.rootTree, plain.rootTree);
    const meta = target.readDirMeta(labeled.rootMeta);
    assert.deepEqual(meta.xattrs.map(([name, value]) => [name, value.toString('latin1')]), [['security.selinux', 'system_u:object_r:root_t:s0\0']]);
  });

  for (const [what, failAt] of [['a file labeled while the workers hash', '/usr/share/many/f290'], ['a directory, labeled after every file', '/usr/share/many']] as const) {
    it(`a tap that throws on ${what} fails the commit with its error, and the ref does not move`, async () => {
      const root = tree();
      const target = repo();
      const failing = definePlugin({
        name: 'test:failing',
        apply(arbor) {
          arbor.hooks.label.tapPromise('test:failing', async (metadata: FileMetadata, target: LabelTarget) => {
            if (target.treePath !== failAt) return metadata;
            // A directory's error comes late: the workers have hashed every file by then.
            if (target.type === 0o040000) await new Promise((resolve) => setTimeout(resolve, 2000));
            throw new Error(`no label for ${target.treePath}`);
          });
        },
      })();
      await assert.rejects(commitTree(new Arbor().use(failing), target, { tree: root, branch: 'failed' }), (error: Error) => error.message.includes(`no label for ${failAt}`));
      assert.equal(target.readRef('failed'), undefined);
    });
  }
});
