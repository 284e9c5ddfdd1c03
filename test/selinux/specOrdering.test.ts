import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadFileContexts } from '@arbor/plugin-selinux';
import { requireTool } from '../support/requireTool';
import { useTempDir } from '../support/tempDir';
import { matchpathcon, type LabelQuery } from './matchpathconOracle';

const [REG, DIR, LNK, CHR] = [0o100000, 0o040000, 0o120000, 0o020000];
const ctx = (name: string): string => `system_u:object_r:${name}_t:s0`;

/**
 * A policy written to hit each rule of libselinux's lookup and each PCRE2 construct whose
 * JavaScript meaning differs; every line is labeled with its own type so a wrong winner shows.
 */
const FILE_CONTEXTS = [
  '# ordering: the last match wins, exact paths beat regexes wherever they are',
  `/o(/.*)?\t${ctx('o_tree')}`,
  `/o/exact\t${ctx('o_exact')}`,
  `/o/ex.*\t${ctx('o_regex_later')}`,
  `/o/typed\t-d\t${ctx('o_typed_dir')}`,
  `/o/typed\t--\t${ctx('o_typed_file')}`,
  `/o/typed\t-l\t${ctx('o_typed_link')}`,
  `/o/none.*\t<<none>>`,
  `/o/a\\.b\t${ctx('o_escaped_exact')}`,
  '# stems: a backslash in the stem keeps libselinux from ever trying the spec',
  `/s-x/.*\t${ctx('s_reachable')}`,
  `/s\\-x/y\t${ctx('s_unreachable')}`,
  '# a top-level alternation: ^ binds the first branch, $ the last',
  `/t/alt|/u/alt2\t${ctx('alternation')}`,
  '# PCRE2 constructs',
  `/p/ws\\s+x\t${ctx('p_space')}`,
  `/p/nows\\S+x\t${ctx('p_nonspace')}`,
  `/p/h\\hx\t${ctx('p_hspace')}`,
  `/p/cls[]a]z\t${ctx('p_bracket_first')}`,
  `/p/ncls[^]a]z\t${ctx('p_bracket_first_negated')}`,
  `/p/px[[:digit:]]+\t${ctx('p_posix_digit')}`,
  `/p/pa[^[:alpha:]_]q\t${ctx('p_posix_negated')}`,
  `/p/pp[[:punct:]]\t${ctx('p_posix_punct')}`,
  `/p/cnt{2}\t${ctx('p_counted')}`,
  `/p/lit{,2}\t${ctx('p_brace_literal')}`,
  `/p/lit2{a}\t${ctx('p_brace_literal2')}`,
  `/p/dot.\t${ctx('p_dotall')}`,
  `/p/nl\t${ctx('p_dollar_newline')}`,
  `/p/nc(?:ab)+(?#note)z\t${ctx('p_noncapture')}`,
  `/p/la(?=q)q.\t${ctx('p_lookahead')}`,
  `/p/lb.(?<!x)y\t${ctx('p_lookbehind')}`,
  `/p/hex\\x41\\x{62}\t${ctx('p_hex')}`,
  `/p/oct\\0101\t${ctx('p_octal')}`,
  `/p/q\\Q.*\\E\t${ctx('p_quoted')}`,
  `/p/w\\w+\t${ctx('p_word')}`,
  `/p/wb\\b.*\t${ctx('p_word_boundary')}`,
  `/p/rng[a-c-e]\t${ctx('p_range_dash')}`,
  `/p/opt?c\t${ctx('p_optional_char')}`,
  `/p/lazy.*?z\t${ctx('p_lazy')}`,
  `/p/named(?<n>x)\t${ctx('p_named')}`,
  `/p/digits\\d\\d\t${ctx('p_digits')}`,
  `/p/vt\\v\t${ctx('p_vertical_space')}`,
  `/p/ctl\\cA\t${ctx('p_control')}`,
  `/(.*/)?deep\\.conf\t${ctx('stemless')}`,
  `/lib/sub(/.*)?\t${ctx('sub_target')}`,
  `/usr/lib/sub(/.*)?\t${ctx('dist_target')}`,
  `/home/[^/]+/x\t${ctx('home_main')}`,
].join('\n');

const HOMEDIRS = `/home/[^/]+/x\t${ctx('home_homedirs')}\n/home/[^/]+/y\t--\t${ctx('home_y')}\n`;
const LOCAL = `/home/[^/]+/y\t${ctx('home_local')}\n`;
// Later lines win; the admin's .subs runs first, then .subs_dist on its result.
const SUBS = '/alias /lib\n/alias/deeper /nowhere\n';
const SUBS_DIST = '# distribution aliases\n/lib /usr/lib\n/lib64 /usr/lib\n';

const QUERIES: Array<[string, number]> = [
  ['/o', DIR], ['/o/', DIR], ['/o/exact', REG], ['/o/exact', DIR], ['/o//exact/', REG], ['/o/exactly', REG], ['/o/exa', REG],
  ['/o/typed', DIR], ['/o/typed', REG], ['/o/typed', LNK], ['/o/typed', CHR], ['/o/nonesuch', REG], ['/o/a.b', REG], ['/o/aXb', REG],
  ['/s-x/y', REG], ['/s\\-x/y', REG], ['/s-x/z', REG],
  ['/t/alt', REG], ['/t/altogether', REG], ['/t/z/u/alt2', REG], ['/zzz/u/alt2', REG], ['/u/alt2', REG],
  ['/p/ws x', REG], ['/p/ws\tx', REG], ['/p/ws\vx', REG], ['/p/ws\u00a0x', REG], ['/p/wsx', REG],
  ['/p/nows\u00a0x', REG], ['/p/nows x', REG], ['/p/h\u00a0x', REG], ['/p/h\tx', REG], ['/p/h\nx', REG],
  ['/p/cls]z', REG], ['/p/clsaz', REG], ['/p/clsbz', REG], ['/p/ncls]z', REG], ['/p/nclsbz', REG],
  ['/p/px42', REG], ['/p/pxa', REG], ['/p/pa1q', REG], ['/p/paxq', REG], ['/p/pa_q', REG], ['/p/pa\u00e9q', REG],
  ['/p/pp!', REG], ['/p/pp~', REG], ['/p/ppa', REG], ['/p/pp\u00a1', REG],
  ['/p/cntt', REG], ['/p/cnt', REG], ['/p/lit{,2}', REG], ['/p/litt', REG], ['/p/lit2{a}', REG],
  ['/p/dot\n', REG], ['/p/dotx', REG], ['/p/dot', REG], ['/p/nl\n', REG], ['/p/nl', REG], ['/p/nl\n\n', REG],
  ['/p/ncababz', REG], ['/p/ncz', REG], ['/p/laqq', REG], ['/p/lax', REG], ['/p/lbay', REG], ['/p/lbxy', REG],
  ['/p/hexAb', REG], ['/p/hexab', REG], ['/p/oct\b1', REG], ['/p/octA1', REG], ['/p/q.*', REG], ['/p/qab', REG],
  ['/p/wabc_9', REG], ['/p/w\u00c3\u00a9', REG], ['/p/wb', REG], ['/p/wbx', REG],
  ['/p/rngb', REG], ['/p/rng-', REG], ['/p/rnge', REG], ['/p/rngd', REG],
  ['/p/opc', REG], ['/p/optc', REG], ['/p/opttc', REG], ['/p/lazyabz', REG], ['/p/namedx', REG],
  ['/p/digits42', REG], ['/p/digits4', REG], ['/p/vt\n', REG], ['/p/vt\u0085', REG], ['/p/vt\v', REG], ['/p/vt\t', REG], ['/p/ctl\u0001', REG],
  ['/a/b/c/deep.conf', REG], ['/deep.conf', REG], ['/o/deep.conf', REG],
  ['/lib/sub/x', REG], ['/lib64/sub/x', REG], ['/alias/sub/x', REG], ['/alias/deeper/sub', REG], ['/aliasx/sub', REG], ['/lib', DIR],
  ['/home/me/x', REG], ['/home/me/y', REG], ['/home/me/y', DIR],
];

describe('file_contexts rules, against matchpathcon', () => {
  const tmp = useTempDir('arbor-selinux-');

  it('picks the same spec as libselinux for each ordering, stem, type, alias and PCRE2 rule', async function () {
    requireTool(this, 'matchpathcon');
    const file = path.join(tmp(), 'file_contexts');
    fs.writeFileSync(file, `${FILE_CONTEXTS}\n`);
    fs.writeFileSync(`${file}.homedirs`, HOMEDIRS);
    fs.writeFileSync(`${file}.local`, LOCAL);
    fs.writeFileSync(`${file}.subs`, SUBS);
    fs.writeFileSync(`${file}.subs_dist`, SUBS_DIST);
    const queries: LabelQuery[] = QUERIES.map(([text, mode]) => ({ path: Buffer.from(text, 'utf8').toString('latin1'), mode }));
    const policy = loadFileContexts(file);
    const ours = queries.map((query) => policy.lookup(query.path, query.mode) ?? '<<none>>');
    const theirs = await matchpathcon(file, queries);
    const table = queries.map((query, index) => `${JSON.stringify(QUERIES[index]![0])} ${query.mode.toString(8)}: ${ours[index]}${ours[index] === theirs[index] ? '' : `  MISMATCH matchpathcon: ${theirs[index]}`}`);
    assert.deepEqual(ours, theirs, table.join('\n'));
    // The policy must exercise its lines: all win somewhere but the four meant to lose
    // (s_unreachable, home_main, home_y, sub_target), plus <<none>>.
    const winners = new Set(ours);
    assert.equal(winners.size, 42, `${winners.size} distinct answers:\n${table.join('\n')}`);
  });
});
