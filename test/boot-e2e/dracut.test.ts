import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, type ComposeTree } from '@arbor/core';
import { dracutArgv, dracutPlugin, findTreeKernels } from '@arbor/plugin-dracut';
import { testKernel } from '../support/qemu';
import { requirePackage, requireRoot, requireTool } from '../support/requireTool';
import { REPO_ROOT } from '../support/runArbor';
import { useTempDir, writeTree } from '../support/tempDir';
import { PREPARE_ROOT } from './TestInitramfs';

function composeOf(tree: string): ComposeTree {
  return { tree, treefile: {}, treefileDir: tree, installed: [], state: {} };
}

async function postprocess(tree: string, options: { args?: string[] } = {}): Promise<string[]> {
  const warnings: string[] = [];
  const arbor = new Arbor({ logger: { debug() {}, info() {}, warn: (message) => warnings.push(message) } }).use(dracutPlugin(options));
  await arbor.hooks.postprocess.promise(composeOf(tree), arbor.context());
  return warnings;
}

describe('the dracut plugin (compose makes the initramfs with the tree\'s own dracut)', function () {
  this.timeout(10 * 60 * 1000);
  const temp = useTempDir('arbor-dracut-');

  it('finds kernels in usr/lib/modules and /boot, and which of them ship an initramfs', function () {
    const tree = temp();
    writeTree(tree, {
      'usr/lib/modules/6.1.0-a/vmlinuz': 'k', 'usr/lib/modules/6.1.0-a/initramfs.img': 'i',
      'usr/lib/modules/6.1.0-b/vmlinuz': 'k',
      'usr/lib/modules/6.1.0-c/modules.dep': '',
      'boot/vmlinuz-6.1.0-d': 'k', 'boot/initramfs-6.1.0-d.img': 'i',
      'boot/vmlinuz-6.1.0-e': 'k',
    });
    assert.deepEqual(findTreeKernels(tree).map((kernel) => [kernel.kernelVersion, kernel.hasInitramfs, kernel.initramfs]), [
      ['6.1.0-a', true, 'usr/lib/modules/6.1.0-a/initramfs.img'],
      ['6.1.0-b', false, 'usr/lib/modules/6.1.0-b/initramfs.img'],
      ['6.1.0-d', true, 'usr/lib/modules/6.1.0-d/initramfs.img'],
      ['6.1.0-e', false, 'usr/lib/modules/6.1.0-e/initramfs.img'],
    ]);
    assert.deepEqual(dracutArgv('/usr/bin/dracut', findTreeKernels(tree)[1]!, '/x.img', ['--zstd']),
      ['/usr/bin/dracut', '--no-hostonly', '--reproducible', '--tmpdir', '/tmp', '--force', '--zstd', '--kver', '6.1.0-b', '/x.img']);
  });

  it('refuses an unknown option, suggesting the known one', function () {
    assert.throws(() => dracutPlugin({ argz: ['--zstd'] } as never), /Unknown key "argz" in options of arbor:dracut; did you mean "args"\?/);
  });

  it('leaves a tree alone when its kernel has an initramfs, and warns when the tree has no dracut to make one', async function () {
    const shipped = temp();
    writeTree(shipped, { 'usr/lib/modules/6.1.0/vmlinuz': 'k', 'usr/lib/modules/6.1.0/initramfs.img': 'shipped' });
    assert.deepEqual(await postprocess(shipped), []);
    assert.equal(fs.readFileSync(path.join(shipped, 'usr/lib/modules/6.1.0/initramfs.img'), 'utf8'), 'shipped');

    const bare = path.join(temp(), 'bare');
    writeTree(bare, { 'usr/lib/modules/6.1.0/vmlinuz': 'k' });
    assert.deepEqual(await postprocess(bare), ['arbor:dracut: kernel 6.1.0 has no initramfs and the tree has no dracut to make one']);
    assert.ok(!fs.existsSync(path.join(bare, 'usr/lib/modules/6.1.0/initramfs.img')));
  });

  it('runs Debian\'s dracut inside the tree, and the image holds arbor-prepare-root and its pre-pivot hook', async function () {
    requireRoot(this);
    // dracut-core ships dracut, its modules and lsinitrd.
    requirePackage(this, 'dracut-core', fs.existsSync('/usr/lib/dracut/dracut-init.sh'));
    requireTool(this, 'bwrap', 'lsinitrd', 'apt-get', 'dpkg-deb', 'depmod');
    const kernel = testKernel();
    // A tree with dracut in it: the host's /usr (dracut-core, bash, kmod, cpio), hardlinked,
    // plus the Debian kernel's modules, arbor-prepare-root and the 90arbor module, as packages
    // would install them.
    const tree = path.join(temp(), 'tree');
    fs.mkdirSync(tree);
    execFileSync('cp', ['-al', '/usr', path.join(tree, 'usr')]);
    for (const [link, target] of [['bin', 'usr/bin'], ['sbin', 'usr/sbin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64']]) fs.symlinkSync(target!, path.join(tree, link!));
    fs.mkdirSync(path.join(tree, 'etc'));
    for (const file of ['passwd', 'group', 'ld.so.cache']) fs.copyFileSync(path.join('/etc', file), path.join(tree, 'etc', file));
    const modules = path.join(tree, 'usr', 'lib', 'modules', kernel.version);
    fs.rmSync(modules, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(modules), { recursive: true });
    execFileSync('cp', ['-al', kernel.modulesDir, modules]);
    fs.copyFileSync(kernel.vmlinuz, path.join(modules, 'vmlinuz'));
    fs.mkdirSync(path.join(tree, 'usr', 'lib', 'arbor'), { recursive: true });
    fs.copyFileSync(PREPARE_ROOT, path.join(tree, 'usr', 'lib', 'arbor', 'arbor-prepare-root'));
    fs.chmodSync(path.join(tree, 'usr', 'lib', 'arbor', 'arbor-prepare-root'), 0o755);
    const moduleDir = path.join(tree, 'usr', 'lib', 'dracut', 'modules.d', '90arbor');
    fs.rmSync(moduleDir, { recursive: true, force: true });
    fs.cpSync(path.join(REPO_ROOT, 'boot', 'dracut', '90arbor'), moduleDir, { recursive: true });

    // A small image: only the modules the boot needs, and the virtio and ext4 drivers.
    const args = ['--modules', 'base rootfs-block kernel-modules arbor', '--drivers', 'virtio_pci virtio_blk ext4', '--gzip'];
    assert.deepEqual(await postprocess(tree, { args }), []);
    const image = path.join(modules, 'initramfs.img');
    assert.ok(fs.statSync(image).size > 100_000, 'dracut wrote an image');
    const listing = execFileSync('lsinitrd', [image], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.match(listing, /usr\/bin\/arbor-prepare-root\n/);
    assert.match(listing, /usr\/lib\/dracut\/hooks\/pre-pivot\/50-arbor-pre-pivot\.sh\n/);
    assert.match(listing, /virtio_blk\.ko/);
    assert.match(listing, /ext4\.ko/);
    const script = execFileSync('lsinitrd', ['-f', 'usr/bin/arbor-prepare-root', image], { encoding: 'utf8' });
    assert.equal(script, fs.readFileSync(PREPARE_ROOT, 'utf8'));
    assert.match(listing, /^dracut modules:\n(?:.*\n)*arbor\n/m);
  });
});
