import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeFileCapability } from '@arbor/plugin-rpm';
import { requireRoot, requireTool } from '../support/requireTool';

/** What libcap's setcap writes for `text`: the oracle for our encoding. */
function setcapBytes(dir: string, text: string): string {
  const file = path.join(dir, 'target');
  fs.writeFileSync(file, '');
  execFileSync('setcap', [text, file]);
  const out = execFileSync('getfattr', ['--absolute-names', '-n', 'security.capability', '-e', 'hex', file], { encoding: 'utf8' });
  fs.rmSync(file);
  return /=0x([0-9a-f]+)/.exec(out)![1]!;
}

describe('file capabilities', () => {
  const texts = [
    'cap_net_raw=ep',
    'cap_net_raw,cap_net_admin=ep',
    'cap_sys_ptrace,cap_sys_admin=ep',
    'cap_setuid,cap_setgid=p',
    'cap_chown=i',
    'cap_dac_override,cap_bpf,cap_perfmon=eip',
    'cap_net_bind_service+ep',
    'cap_net_raw=ep cap_net_raw-e',
    'cap_kill=p cap_kill+e',
    'cap_kill=e',
    'CAP_NET_RAW=ep',
    '=',
  ];

  it('encodes capability text as the VFS v2 xattr libcap\'s setcap writes', function () {
    requireTool(this, 'setcap', 'getfattr');
    requireRoot(this);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-caps-'));
    try {
      for (const text of texts) assert.equal(encodeFileCapability(text).toString('hex'), setcapBytes(dir, text), text);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sets the effective flag only when some capability is effective', () => {
    assert.equal(encodeFileCapability('cap_net_raw=p').readUInt32LE(0), 0x02000000);
    assert.equal(encodeFileCapability('cap_net_raw=ep').readUInt32LE(0), 0x02000001);
    assert.equal(encodeFileCapability('cap_checkpoint_restore=p').readUInt32LE(12), 1 << 8, 'capability 40 is in the second word');
  });

  it('refuses text that is not capabilities', () => {
    assert.throws(() => encodeFileCapability('cap_flying=ep'), /not a capability/);
    assert.throws(() => encodeFileCapability('cap_net_raw'), /no operator/);
    assert.throws(() => encodeFileCapability('cap_net_raw+'), /needs flags/);
    assert.throws(() => encodeFileCapability('cap_net_raw=ex'), /flags other than/);
    // libcap's setcap refuses this too: one effective flag cannot cover only some capabilities.
    assert.throws(() => encodeFileCapability('cap_kill=p cap_sys_nice=ep'), /must be empty or cover/);
  });
});
