import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BootEntry, type BootDeployment } from '@arbor/core';
import { Kargs } from '@arbor/core/sysroot';
import { KeyFile } from '@arbor/core/sysroot';
import { OriginFile } from '@arbor/core/sysroot';
import { blsEntry } from '@arbor/core';
import { FIXTURES } from '../support/runArbor';

const BLS = path.join(FIXTURES, 'bls');

function fixtureEntries(): string[] {
  return fs.readdirSync(BLS, { withFileTypes: true }).filter((entry) => entry.isDirectory()).flatMap((dir) => fs.readdirSync(path.join(BLS, dir.name)).map((name) => path.join(BLS, dir.name, name)));
}

describe('BLS entries', () => {
  it('reads every fixture entry and writes it back byte for byte', () => {
    const files = fixtureEntries();
    assert.ok(files.length >= 40, `expected the boom and grubby fixtures, found ${files.length}`);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      assert.equal(BootEntry.parse(text, file).toString(), text, file);
    }
  });

  it('reads the fields of a grubby draft entry, comments and sub-options included', () => {
    const entry = BootEntry.parse(fs.readFileSync(path.join(BLS, 'grubby-fc19-draft', '6a9857a393724b7a981ebb5b8495b9ea-3.8.0-2.fc19.x86_64.conf'), 'utf8'));
    assert.equal(entry.get('title'), 'Fedora 19 (Rawhide)');
    assert.equal(entry.get('linux'), '/boot/vmlinux-3.8.0-2.fc19.x86_64');
    assert.equal(entry.get('initrd'), '/boot/initrd-3.8.0-2.fc19.x86_64');
    assert.equal(entry.options, 'root=UUID=6d3376e4-fc93-4509-95ec-a21d68011da2');
    assert.deepEqual(entry.keys(), ['title', 'version', 'machine-id', 'filesystem', 'linux', 'options', 'initrd']);
  });

  it('keeps the keys other tools add (boom\'s grub_users) and changes only the line it sets', () => {
    const file = path.join(BLS, 'boom-boot', '5d1e621b0c1349aea3bd47e4bb619024-6a4efdf-6.15.9-201.fc42.x86_64.conf');
    const text = fs.readFileSync(file, 'utf8');
    const entry = BootEntry.parse(text);
    assert.equal(entry.get('grub_users'), '$grub_users');
    assert.equal(entry.get('grub_arg'), '--unrestricted');
    entry.set('options', 'root=/dev/vda ro');
    const expected = text.replace(/^options .*$/m, 'options root=/dev/vda ro');
    assert.equal(entry.toString(), expected);
    assert.match(entry.toString(), /^#OsIdentifier: /);
  });

  it('writes the fields docs/sysroot.md names, in a form the parser reads back', () => {
    const deployment: BootDeployment = {
      index: 1,
      stateroot: 'os',
      commit: 'c'.repeat(64),
      serial: 0,
      bootcsum: 'b'.repeat(64),
      kernelVersion: '6.0.0',
      linux: `/arbor/os-${'b'.repeat(64)}/vmlinuz-6.0.0`,
      initrd: `/arbor/os-${'b'.repeat(64)}/initramfs-6.0.0.img`,
      kargs: ['root=/dev/vda2', 'quiet'],
      bootLink: `/arbor/boot.1/os/${'b'.repeat(64)}/0`,
      options: ['root=/dev/vda2', 'quiet', `arbor=/arbor/boot.1/os/${'b'.repeat(64)}/0`],
      title: 'Test OS 1.0 (arbor:os:1)',
      version: '1.0',
    };
    const text = blsEntry(deployment, 2).toString();
    assert.equal(text, [
      'title Test OS 1.0 (arbor:os:1)',
      'version 2',
      `options root=/dev/vda2 quiet arbor=/arbor/boot.1/os/${'b'.repeat(64)}/0`,
      `linux /arbor/os-${'b'.repeat(64)}/vmlinuz-6.0.0`,
      `initrd /arbor/os-${'b'.repeat(64)}/initramfs-6.0.0.img`,
      '',
    ].join('\n'));
    assert.equal(BootEntry.parse(text).get('version'), '2');
  });
});

describe('origin files', () => {
  it('round-trips GLib key-file escapes and lists', () => {
    const keys = new KeyFile()
      .set('g', 'text', ' leading space, tab\there, newline\nand \\ backslash')
      .setList('g', 'list', ['a;b', 'c\\', 'd']);
    const again = KeyFile.parse(keys.toString());
    assert.equal(again.get('g', 'text'), ' leading space, tab\there, newline\nand \\ backslash');
    assert.deepEqual(again.getList('g', 'list'), ['a;b', 'c\\', 'd']);
  });

  it('keeps groups written by other tools when it rewrites a file', () => {
    const text = [
      '[origin]',
      'refspec=fedora:fedora/x86_64/coreos/stable',
      '',
      '[packages]',
      'requested=vim;htop;',
      '',
    ].join('\n');
    const origin = OriginFile.parse(text, 'test.origin');
    assert.equal(origin.refspec, 'fedora:fedora/x86_64/coreos/stable');
    assert.equal(origin.pinned, false);
    assert.deepEqual(origin.kargs, []);
    origin.pinned = true;
    origin.kargs = ['console=ttyS0,115200', 'quiet'];
    const again = OriginFile.parse(origin.toString(), 'again.origin');
    assert.equal(again.pinned, true);
    assert.deepEqual(again.kargs, ['console=ttyS0,115200', 'quiet']);
    assert.match(again.toString(), /\[packages\]\nrequested=vim;htop;/);
  });

  it('refuses an origin without a refspec, naming the file', () => {
    assert.throws(() => OriginFile.parse('[deployment]\npinned=true\n', '/x/abc.0.origin'), {
      code: 'ARBOR_SYSROOT_ORIGIN_INVALID',
      message: 'Origin file /x/abc.0.origin has no [origin] refspec',
    });
  });
});

describe('kernel arguments', () => {
  it('appends only what is missing and keeps repeated keys in order', () => {
    const kargs = Kargs.of(['console=tty0', 'quiet']).append(['console=ttyS0', 'quiet', 'rd.lvm.lv=vg/root']);
    assert.deepEqual(kargs.toArray(), ['console=tty0', 'quiet', 'console=ttyS0', 'rd.lvm.lv=vg/root']);
    assert.equal(kargs.get('console'), 'ttyS0');
  });

  it('deletes KEY=VALUE exactly, or every value of a bare KEY', () => {
    const kargs = Kargs.of(['console=tty0', 'console=ttyS0', 'quiet']);
    assert.deepEqual(kargs.delete(['console=tty0']).toArray(), ['console=ttyS0', 'quiet']);
    assert.deepEqual(kargs.delete(['console']).toArray(), ['quiet']);
    assert.throws(() => kargs.delete(['splash']), { code: 'ARBOR_SYSROOT_KARG_INVALID', message: 'Kernel argument "splash" is not set' });
  });

  it('splits a command line with quoted values as the kernel does', () => {
    const kargs = Kargs.parse('BOOT_IMAGE=/vmlinuz  root=/dev/vda2 foo="a b" arbor=/arbor/boot.1/os/x/0\n');
    assert.deepEqual(kargs.toArray(), ['BOOT_IMAGE=/vmlinuz', 'root=/dev/vda2', 'foo="a b"', 'arbor=/arbor/boot.1/os/x/0']);
    assert.equal(kargs.get('foo'), 'a b');
    assert.throws(() => Kargs.of(['a b']), { code: 'ARBOR_SYSROOT_KARG_INVALID' });
  });
});
