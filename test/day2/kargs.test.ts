import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Kargs } from '@arbor/core/sysroot';
import { TestSysroot } from '../sysroot/sysrootFixture';
import { attempt, osVersion, useScratch } from './day2Fixture';

const words = (line: string) => line.split(' ');

describe('kargs --replace and --append-if-missing (rpm-ostree semantics)', function () {
  this.timeout(60_000);

  describe('the rules, in process', () => {
    const base = Kargs.of(words('root=/dev/vda2 console=tty0 console=ttyS0 quiet'));

    it('KEY=VALUE replaces the one value of KEY in place', () => {
      assert.equal(base.replace(['root=/dev/vda3']).toString(), 'root=/dev/vda3 console=tty0 console=ttyS0 quiet');
    });

    it('KEY=OLD=NEW replaces that value of a key that has several', () => {
      assert.equal(base.replace(['console=ttyS0=ttyS1']).toString(), 'root=/dev/vda2 console=tty0 console=ttyS1 quiet');
    });

    it('a value holding "=" is a new value unless KEY=OLD is set', () => {
      assert.equal(base.replace(['root=UUID=1234']).toString(), 'root=UUID=1234 console=tty0 console=ttyS0 quiet');
      const uuid = Kargs.of(words('root=UUID=1234'));
      assert.equal(uuid.replace(['root=UUID=1234=LABEL=os']).toString(), 'root=LABEL=os');
    });

    it('KEY=VALUE for a key of several values is ambiguous, and the error names the key', () => {
      assert.throws(() => base.replace(['console=ttyS2']), { code: 'ARBOR_SYSROOT_KARG_REPLACE_FAILED', message: /console has 2 values .*ambiguous/ });
    });

    it('a key or a value that is not set is an error naming it', () => {
      assert.throws(() => base.replace(['resume=/dev/vda9']), { code: 'ARBOR_SYSROOT_KARG_REPLACE_FAILED', message: /resume is not set/ });
      assert.throws(() => base.replace(['quiet']), { code: 'ARBOR_SYSROOT_KARG_INVALID', message: /--replace quiet/ });
    });

    it('--append-if-missing skips a key that is set, whatever its value, and adds one that is not', () => {
      assert.equal(base.appendIfMissing(['root=/dev/sda1', 'quiet', 'rd.shell=0']).toString(), 'root=/dev/vda2 console=tty0 console=ttyS0 quiet rd.shell=0');
    });

    it('--append adds another value of a many-valued key, but never a second root=', () => {
      assert.equal(base.append(['console=ttyS1']).toString(), 'root=/dev/vda2 console=tty0 console=ttyS0 quiet console=ttyS1');
      assert.equal(base.append(['root=/dev/vda2']).toString(), base.toString(), 'the same word is not appended twice');
      assert.throws(() => base.append(['root=/dev/vda3']), { code: 'ARBOR_SYSROOT_KARG_INVALID', message: /root takes one value and is already set \(root=\/dev\/vda2\)/ });
    });

    it('deploy --karg sets a one-value key over the inherited one, folding duplicates an older deploy left', () => {
      assert.equal(base.override(['root=/dev/vda3', 'console=ttyS1']).toString(), 'root=/dev/vda3 console=tty0 console=ttyS0 quiet console=ttyS1');
      const doubled = Kargs.of(words('root=/dev/a quiet root=/dev/b'));
      assert.equal(doubled.override(['root=/dev/c']).toString(), 'root=/dev/c quiet');
    });
  });

  describe('through the CLI on a sysroot', () => {
    const scratch = useScratch('kargs');
    let sysroot: TestSysroot;

    before(async () => {
      sysroot = TestSysroot.create(path.join(scratch(), 'sysroot'));
      await sysroot.commit(scratch(), osVersion('1'));
      sysroot.run('deploy', 'os/x86_64', '--karg', 'root=/dev/vda2', '--karg', 'console=tty0', '--karg', 'console=ttyS0');
    });

    /** The options line of the default deployment's BLS entry (the highest-numbered one). */
    const defaultEntryOptions = () => [...sysroot.bootEntries().values()].sort((a, b) => Number(b.get('version')) - Number(a.get('version')))[0]!.options;

    it('edits in rpm-ostree\'s order and rewrites the boot entry with one root=', () => {
      const result = sysroot.json<{ kargs: string[]; changed: boolean }>('kargs', '--replace', 'root=/dev/vda3', '--replace', 'console=ttyS0=ttyS1', '--append-if-missing', 'root=/dev/sda9', '--append-if-missing', 'quiet');
      assert.deepEqual(result.kargs, ['root=/dev/vda3', 'console=tty0', 'console=ttyS1', 'quiet']);
      assert.equal(result.changed, true);
      const options = defaultEntryOptions();
      assert.equal(options.match(/(^| )root=/g)?.length, 1, options);
      assert.match(options, /^root=\/dev\/vda3 console=tty0 console=ttyS1 quiet arbor=/);
    });

    it('refuses a second root= from --append, naming the key and pointing at --replace', () => {
      const run = attempt(sysroot, 'kargs', '--append', 'root=/dev/vda4');
      assert.equal(run.status, 1);
      assert.match(run.stderr, /root takes one value and is already set \(root=\/dev\/vda3\)/);
      assert.match(run.stderr, /--replace root=\/dev\/vda4/);
    });

    it('names the key when --replace is ambiguous or has nothing to replace', () => {
      const ambiguous = attempt(sysroot, 'kargs', '--replace', 'console=ttyS2', '--json');
      assert.equal(ambiguous.status, 1);
      assert.equal(ambiguous.json<{ error: { code: string } }>().error.code, 'ARBOR_SYSROOT_KARG_REPLACE_FAILED');
      assert.match(ambiguous.stderr, /console has 2 values/);
      const missing = attempt(sysroot, 'kargs', '--replace', 'resume=/dev/vda9');
      assert.match(missing.stderr, /resume is not set/);
    });

    it('deploy --karg root= replaces the inherited root= instead of adding a second', () => {
      const deployed = sysroot.json<{ kargs: string[]; path: string }>('deploy', 'os/x86_64', '--karg', 'root=/dev/vda5');
      assert.deepEqual(deployed.kargs, ['root=/dev/vda5', 'console=tty0', 'console=ttyS1', 'quiet']);
      const origin = fs.readFileSync(`${deployed.path}.origin`, 'utf8');
      assert.match(origin, /^kargs=root=\/dev\/vda5;console=tty0;console=ttyS1;quiet;$/m);
      assert.equal(defaultEntryOptions().match(/(^| )root=/g)?.length, 1);
    });
  });
});
