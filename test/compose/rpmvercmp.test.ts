import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { compareEvr, rpmvercmp } from '@arbor/plugin-rpm';
import { requireTool } from '../support/requireTool';

/**
 * Version pairs that exercise every rule of rpm's algorithm: numeric vs alpha segments,
 * leading zeros, separators, tilde (pre-release) and caret (post-release snapshot), and
 * strings of different lengths. rpm itself (its Lua rpm.vercmp) is the oracle.
 */
const PAIRS: [string, string][] = [
  ['1.0', '1.0'], ['1.0', '2.0'], ['2.0.1', '2.0'], ['2.0', '2.0.1'], ['5.5p1', '5.5p1'], ['5.5p1', '5.5p2'],
  ['5.5p10', '5.5p1'], ['10xyz', '10.1xyz'], ['xyz10', 'xyz10.1'], ['xyz.4', 'xyz.4'], ['xyz.4', '8'], ['8', 'xyz.4'],
  ['xyz.4', '2'], ['5.5p2', '5.6p1'], ['5.6p1', '6.5p1'], ['6.0.rc1', '6.0'], ['6.0', '6.0.rc1'], ['10b2', '10a1'],
  ['10a2', '10b2'], ['1.0aa', '1.0aa'], ['1.0a', '1.0aa'], ['1.0aa', '1.0a'], ['10.0001', '10.0001'], ['10.0001', '10.1'],
  ['10.1', '10.0001'], ['10.0001', '10.0039'], ['4.999.9', '5.0'], ['5.0', '4.999.9'], ['20101121', '20101121'],
  ['20101121', '20101122'], ['2_0', '2_0'], ['2.0', '2_0'], ['a', 'a'], ['a+', 'a+'], ['a+', 'a_'], ['+a', '+a'],
  ['+a', '_a'], ['+_', '+_'], ['_+', '+_'], ['_+', '_'], ['+', '_'], ['1.0~rc1', '1.0~rc1'], ['1.0~rc1', '1.0'],
  ['1.0', '1.0~rc1'], ['1.0~rc1', '1.0~rc2'], ['1.0~rc1~git123', '1.0~rc1'], ['1.0^', '1.0^'], ['1.0^', '1.0'],
  ['1.0', '1.0^'], ['1.0^git1', '1.0^git1'], ['1.0^git1', '1.0'], ['1.0^git1', '1.01'], ['1.0^20160101', '1.0.1'],
  ['1.0^20160101^git1', '1.0^20160101'], ['1.0~rc1^git1', '1.0~rc1'], ['1.0^git1~pre', '1.0^git1'], ['1.0^git1', '1.0^git2'],
  ['1.0^git1', '1.0~git1'], ['0001', '1'], ['1.002', '1.2'], ['1.2.3', '1.2.3a'], ['1.2.3a', '1.2.3b'], ['fc39', 'fc4'],
  ['el9_2', 'el9'], ['2.el9', '2.el9_1'], ['1.fc38', '1.fc39'], ['~', '0'], ['^', '0'], ['1..2', '1.2'],
];

describe('rpmvercmp against rpm', () => {
  it('orders every version pair exactly as rpm.vercmp does', function () {
    requireTool(this, 'rpm');
    // One rpm process for all pairs; rpm's Lua print() appends to the macro's output without a newline.
    const lua = PAIRS.map(([a, b]) => `print(rpm.vercmp(${JSON.stringify(a)}, ${JSON.stringify(b)}) .. " ")`).join(' ');
    const expected = execFileSync('rpm', ['--eval', `%{lua: ${lua}}`], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    assert.equal(expected.length, PAIRS.length);
    const mismatches = PAIRS.map(([a, b], index) => ({ a, b, ours: rpmvercmp(a, b), rpm: expected[index] }))
      .filter((row) => row.ours !== row.rpm);
    assert.deepEqual(mismatches, []);
  });

  it('compares epoch first, and ignores the release a dependency leaves out', () => {
    assert.equal(compareEvr({ epoch: 1, version: '1.0', release: '1' }, { epoch: 0, version: '9.9', release: '9' }), 1);
    assert.equal(compareEvr({ epoch: 0, version: '2.0', release: '5' }, { epoch: 0, version: '2.0' }), 0);
    assert.equal(compareEvr({ epoch: 0, version: '2.0', release: '5' }, { epoch: 0, version: '2.0', release: '10' }), -1);
  });
});
