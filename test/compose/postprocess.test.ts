import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, ArborError, loadTreefile, type ComposeTree } from '@arbor/core';
import postprocess, { AUTOVAR_CONF } from '@arbor/plugin-postprocess';
import { runScriptlets } from '@arbor/plugin-rpm';
import { requireRoot, requireTool } from '../support/requireTool';
import { useTempDir, writeTree } from '../support/tempDir';

/** A tree that can run shell scripts: the host's dash as /bin/sh, with the libc it links against. */
function shellTree(root: string): void {
  for (const [inside, host] of [
    ['usr/bin/sh', '/bin/dash'],
    ['lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6'],
    ['lib64/ld-linux-x86-64.so.2', '/lib64/ld-linux-x86-64.so.2'],
  ] as const) {
    fs.mkdirSync(path.join(root, path.dirname(inside)), { recursive: true });
    fs.copyFileSync(host, path.join(root, inside));
    fs.chmodSync(path.join(root, inside), 0o755);
  }
  fs.symlinkSync('usr/bin', path.join(root, 'bin'));
}

describe('scriptlets', () => {
  const tmp = useTempDir();

  beforeEach(function () {
    requireTool(this, 'bwrap');
    requireRoot(this);
    if (!fs.existsSync('/lib64/ld-linux-x86-64.so.2')) this.skip();
  });

  it('runs %pre, %post and %posttrans in the tree with its own shell, phase by phase, and reports what cannot run', async () => {
    const tree = tmp();
    shellTree(tree);
    const warnings: string[] = [];
    const context = new Arbor({ logger: { debug() {}, info() {}, warn: (m) => warnings.push(m) } }).context();
    const outcomes = await runScriptlets(tree, [
      { package: 'a-1-1.noarch', scriptlets: [
        { name: 'postin', interpreter: ['/bin/sh'], body: 'echo "a post $1" >> /order' },
        { name: 'prein', interpreter: ['/bin/sh'], body: 'echo "a pre" >> /order' },
      ] },
      { package: 'b-1-1.noarch', scriptlets: [
        { name: 'prein', interpreter: ['/bin/sh'], body: 'echo "b pre" >> /order' },
        { name: 'posttrans', interpreter: ['<lua>'], body: 'print("hi")' },
        { name: 'postin', interpreter: ['/usr/bin/python3'], body: 'print(1)' },
      ] },
    ], { enabled: true, context });
    assert.equal(fs.readFileSync(path.join(tree, 'order'), 'utf8'), 'a pre\nb pre\na post 1\n');
    assert.deepEqual(outcomes.filter((o) => o.skipped).map((o) => `${o.package} ${o.scriptlet}`), ['b-1-1.noarch %post', 'b-1-1.noarch %posttrans']);
    assert.ok(warnings.some((w) => /^%posttrans of b-1-1\.noarch did not run: .*Lua/.test(w)));
    assert.ok(warnings.some((w) => /^%post of b-1-1\.noarch did not run: the tree has no \/usr\/bin\/python3/.test(w)));
    // bubblewrap's mount points are not left behind in the tree.
    assert.deepEqual(fs.readdirSync(tree).sort(), ['bin', 'lib', 'lib64', 'order', 'usr']);
  });

  it('fails the compose on a scriptlet that exits non-zero, naming package and scriptlet', async () => {
    const tree = tmp();
    shellTree(tree);
    await assert.rejects(
      runScriptlets(tree, [{ package: 'bad-2-1.x86_64', scriptlets: [{ name: 'postin', interpreter: ['/bin/sh'], body: 'echo broken >&2; exit 3' }] }], { enabled: true, context: new Arbor().context() }),
      (error: ArborError) => error.code === 'ARBOR_COMPOSE_SCRIPTLET_FAILED' && error.message === '%post of bad-2-1.x86_64 failed with exit status 3: broken',
    );
  });

  it('reports every scriptlet as not run when the treefile turns them off', async () => {
    const outcomes = await runScriptlets(tmp(), [{ package: 'c-1-1.noarch', scriptlets: [{ name: 'postin', interpreter: ['/bin/sh'], body: 'exit 1' }] }], { enabled: false, context: new Arbor().context() });
    assert.deepEqual(outcomes, [{ package: 'c-1-1.noarch', scriptlet: '%post', skipped: 'scriptlets are turned off (treefile "scriptlets: false")' }]);
  });
});

describe('the postprocess plugin', () => {
  const tmp = useTempDir();

  async function run(tree: string, treefileDir: string, treefile: Record<string, unknown>): Promise<string[]> {
    const warnings: string[] = [];
    const arbor = new Arbor({ logger: { debug() {}, info() {}, warn: (m) => warnings.push(m) } }).use(postprocess());
    const compose: ComposeTree = { tree, treefile, treefileDir, installed: [], state: {} };
    await arbor.hooks.postprocess.promise(compose, arbor.context());
    return warnings;
  }

  it('moves /etc to /usr/etc, turns /var into tmpfiles.d lines, and moves a /boot kernel to usr/lib/modules', async () => {
    const tree = path.join(tmp(), 'root');
    writeTree(tree, {
      'etc/passwd': 'root:x:0:0::/root:/bin/sh\nsvc:x:990:991::/:/sbin/nologin\n',
      'etc/group': 'root:x:0:\nsvc:x:991:\n',
      'var/log/journal/.keep': '',
      'var/cache/leftover.bin': 'data',
      'boot/vmlinuz-6.9.0': 'kernel',
      'boot/initramfs-6.9.0.img': 'initramfs',
      'usr/lib/tmpfiles.d/pkg.conf': 'd /var/lib/covered 0755 root root -\n',
      'var/lib/covered/.keep': '',
    });
    fs.rmSync(path.join(tree, 'var/log/journal/.keep'));
    fs.rmSync(path.join(tree, 'var/lib/covered/.keep'));
    fs.mkdirSync(path.join(tree, 'var/lib/svc'), { mode: 0o700 });
    fs.chmodSync(path.join(tree, 'var/lib/svc'), 0o700);
    fs.chownSync(path.join(tree, 'var/lib/svc'), 990, 991);
    fs.symlinkSync('../run', path.join(tree, 'var/run'));

    const warnings = await run(tree, tmp(), {});
    assert.ok(!fs.existsSync(path.join(tree, 'etc')));
    assert.equal(fs.readFileSync(path.join(tree, 'usr/etc/group'), 'utf8'), 'root:x:0:\nsvc:x:991:\n');
    assert.deepEqual(fs.readdirSync(path.join(tree, 'var')), []);
    assert.equal(fs.readFileSync(path.join(tree, AUTOVAR_CONF), 'utf8'), [
      "# Generated by arbor compose from the packages' /var content.",
      'd /var/cache 0755 root root - -',
      'd /var/lib 0755 root root - -',
      'd /var/lib/svc 0700 svc svc - -',
      'd /var/log 0755 root root - -',
      'd /var/log/journal 0755 root root - -',
      'L /var/run - - - - ../run',
      '',
    ].join('\n'));
    assert.ok(warnings.some((w) => w.includes('/var/cache/leftover.bin')));
    assert.equal(fs.readFileSync(path.join(tree, 'usr/lib/modules/6.9.0/vmlinuz'), 'utf8'), 'kernel');
    assert.equal(fs.readFileSync(path.join(tree, 'usr/lib/modules/6.9.0/initramfs.img'), 'utf8'), 'initramfs');
    assert.deepEqual(fs.readdirSync(path.join(tree, 'boot')), []);
  });

  it('applies units, remove-files, add-files and the postprocess script, in the tree', async function () {
    requireTool(this, 'bwrap');
    requireRoot(this);
    const tree = path.join(tmp(), 'root');
    shellTree(tree);
    writeTree(tree, {
      'usr/lib/systemd/system/web.service': '[Service]\nExecStart=/usr/bin/web\n[Install]\nWantedBy=multi-user.target graphical.target\n',
      'usr/lib/systemd/system/plain.service': '[Service]\nExecStart=/usr/bin/plain\n',
      'usr/share/doc/big/README': 'docs',
      'etc/issue': 'old\n',
    });
    const dir = tmp();
    writeTree(dir, { 'files/issue': 'Welcome\n', 'post.sh': '#!/bin/sh -e\nread -r line < /etc/issue\necho "$line" > /usr/share/issue-copy\n' });
    await run(tree, dir, {
      units: ['web.service', 'plain.service'],
      'remove-files': ['usr/share/doc'],
      'add-files': [['files/issue', '/etc/issue']],
      'postprocess-script': 'post.sh',
    });
    const wants = (target: string, unit: string) => fs.readlinkSync(path.join(tree, `usr/lib/systemd/system/${target}.wants/${unit}`));
    assert.equal(wants('multi-user.target', 'web.service'), '/usr/lib/systemd/system/web.service');
    assert.equal(wants('graphical.target', 'web.service'), '/usr/lib/systemd/system/web.service');
    assert.equal(wants('multi-user.target', 'plain.service'), '/usr/lib/systemd/system/plain.service');
    assert.ok(!fs.existsSync(path.join(tree, 'usr/share/doc')));
    assert.equal(fs.readFileSync(path.join(tree, 'usr/etc/issue'), 'utf8'), 'Welcome\n');
    assert.equal(fs.readFileSync(path.join(tree, 'usr/share/issue-copy'), 'utf8'), 'Welcome\n');
  });

  it('names the unit a treefile enables when the tree does not have it', async () => {
    await assert.rejects(run(tmp(), tmp(), { units: ['missing.service'] }), /units: missing\.service is not in the tree/);
  });
});

describe('treefiles', () => {
  const tmp = useTempDir();

  it('merges includes: lists append, the includer wins for scalars, paths stay relative to their file', () => {
    const dir = tmp();
    writeTree(dir, {
      'common/base.yaml': 'ref: base/ref\nrepos: [../repos/fedora]\npackages: [bash coreutils]\nadd-files: [[motd, /etc/motd]]\nmetadata: { a: 1 }\nrecommends: false\n',
      'tree.yaml': 'include: common/base.yaml\nref: final/ref\npackages: [vim]\nmetadata: { b: 2 }\n',
    });
    const { treefile, files } = loadTreefile(path.join(dir, 'tree.yaml'));
    assert.equal(treefile.ref, 'final/ref');
    assert.deepEqual(treefile.packages, ['bash', 'coreutils', 'vim']);
    assert.deepEqual(treefile.repos, ['repos/fedora']);
    assert.deepEqual(treefile['add-files'], [['common/motd', '/etc/motd']]);
    assert.deepEqual(treefile.metadata, { a: 1, b: 2 });
    assert.equal(treefile.recommends, false);
    assert.equal(treefile.scriptlets, true);
    assert.deepEqual(files.map((file) => path.relative(dir, file)), ['tree.yaml', path.join('common', 'base.yaml')]);
  });

  it('rejects an unknown key with the closest known one, and a bad value naming its key', () => {
    const dir = tmp();
    writeTree(dir, { 'a.json': JSON.stringify({ ref: 'x', pakages: ['bash'] }), 'b.yaml': 'ref: x\nunits: web.service\n' });
    assert.throws(() => loadTreefile(path.join(dir, 'a.json')), (error: ArborError) =>
      error.code === 'ARBOR_COMPOSE_TREEFILE_INVALID' && /^Unknown key "pakages" in treefile .*a\.json; did you mean "packages"\?$/.test(error.message));
    assert.throws(() => loadTreefile(path.join(dir, 'b.yaml')), /Key "units" in treefile .*b\.yaml is invalid/);
  });

  it('finds a typo inside a repo entry, and refuses an add-files entry with a third item', () => {
    const dir = tmp();
    writeTree(dir, {
      'a.json': JSON.stringify({ ref: 'x', repos: [{ id: 'f', url: 'http://r/', gpg: true }] }),
      'b.json': JSON.stringify({ ref: 'x', 'add-files': [['motd', '/etc/motd', 'extra']] }),
    });
    assert.throws(() => loadTreefile(path.join(dir, 'a.json')), /Unknown key "repos\[0\]\.gpg" in treefile .*a\.json/);
    assert.throws(() => loadTreefile(path.join(dir, 'b.json')), /Key "add-files\[0\]" in treefile .*b\.json is invalid/);
  });

  it('refuses an include cycle', () => {
    const dir = tmp();
    writeTree(dir, { 'a.yaml': 'include: b.yaml\nref: a\n', 'b.yaml': 'include: a.yaml\n' });
    assert.throws(() => loadTreefile(path.join(dir, 'a.yaml')), /includes itself/);
  });
});
