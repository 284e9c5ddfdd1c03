import assert from 'node:assert/strict';
import { assertFatNames, formatEntryFileName, parseEntryFileName } from '@arbor/core';
import { LoaderConf } from '@arbor/plugin-systemd-boot';

describe('boot entry names and loader.conf', () => {
  it('reads systemd boot counters out of entry names and keeps the id', () => {
    assert.deepEqual(parseEntryFileName('arbor-0123456789ab-2+3.conf'), { id: 'arbor-0123456789ab-2.conf', triesLeft: 3 });
    assert.deepEqual(parseEntryFileName('arbor-0123456789ab-2+0-3.conf'), { id: 'arbor-0123456789ab-2.conf', triesLeft: 0, triesDone: 3 });
    assert.deepEqual(parseEntryFileName('fedora-6.1.conf'), { id: 'fedora-6.1.conf' });
    assert.equal(formatEntryFileName('arbor-0123456789ab-2.conf', 3), 'arbor-0123456789ab-2+3.conf');
    assert.equal(formatEntryFileName('arbor-0123456789ab-2.conf'), 'arbor-0123456789ab-2.conf');
  });

  it('refuses names FAT cannot keep apart or hold', () => {
    assert.doesNotThrow(() => assertFatNames(['arbor-1.conf', 'arbor-2+3.conf', 'os-6.1.0-57-amd64'], 'ESP'));
    assert.throws(() => assertFatNames(['Arbor-1.conf', 'arbor-1.conf'], 'ESP'), { code: 'ARBOR_BOOT_NAME_INVALID', message: /differ only in case/ });
    for (const bad of ['a:b.conf', 'a*.conf', 'trailing.', 'x'.repeat(256)]) {
      assert.throws(() => assertFatNames([bad], 'ESP'), { code: 'ARBOR_BOOT_NAME_INVALID' }, bad);
    }
  });

  it('rewrites only our default in loader.conf and keeps every other line', () => {
    const text = '# the admin\ntimeout 3\n\ndefault arbor-0123456789ab-2.conf\neditor no\n';
    const conf = LoaderConf.parse(text);
    assert.equal(conf.default, 'arbor-0123456789ab-2.conf');
    assert.ok(conf.defaultIsOurs('arbor-'));
    assert.equal(conf.withDefault('arbor-ba9876543210-3.conf'), '# the admin\ntimeout 3\n\ndefault arbor-ba9876543210-3.conf\neditor no\n');
    assert.equal(LoaderConf.parse('timeout 0\n').withDefault('arbor-x-1.conf'), 'timeout 0\ndefault arbor-x-1.conf\n');
    assert.equal(LoaderConf.parse(undefined).withDefault('arbor-x-1.conf'), 'default arbor-x-1.conf\n');
    assert.equal(LoaderConf.parse('default custom-*\n').defaultIsOurs('arbor-'), false);
    assert.throws(() => LoaderConf.parse('timeout 0\n= broken\n'), { code: 'ARBOR_SYSTEMD_BOOT_LOADER_CONF_INVALID', message: /line 2/ });
  });
});
