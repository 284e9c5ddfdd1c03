import assert from 'node:assert/strict';
import { translatePcre } from '@arbor/plugin-selinux';

describe('PCRE2 to JavaScript translation', () => {
  it('keeps the literal prefix every match must start with, the trie key', () => {
    assert.deepEqual(translatePcre('/usr/lib/foo\\.so(\\.[0-9])?'), {
      source: '^\\/usr\\/lib\\/foo\\.so(\\.[0-9])?(?=\\n?$)', requiredPrefix: '/usr/lib/foo.so', literal: null,
    });
    assert.equal(translatePcre('/usr/ab?c').requiredPrefix, '/usr/a');
    assert.equal(translatePcre('/usr/ab+c').requiredPrefix, '/usr/ab');
    assert.equal(translatePcre('/usr/a|/bin/b').requiredPrefix, '');
    assert.equal(translatePcre('/etc/a\\.b').literal, '/etc/a.b');
    assert.equal(translatePcre('/etc/x\\').literal, null, 'a trailing backslash escapes the $ libselinux appends');
  });

  it('rewrites the constructs whose JavaScript meaning differs', () => {
    assert.equal(translatePcre('/a\\s').source, '^\\/a[\\t\\n\\v\\f\\r ](?=\\n?$)');
    assert.equal(translatePcre('/a[]b]').source, '^\\/a[\\x5db](?=\\n?$)');
    assert.equal(translatePcre('/a[[:digit:]_]').source, '^\\/a[0-9\\x5f](?=\\n?$)');
    assert.equal(translatePcre('/a{,2}').source, '^\\/a\\{,2\\}(?=\\n?$)');
    assert.equal(translatePcre('/a\\Q.*\\E').literal, '/a.*');
  });
});
