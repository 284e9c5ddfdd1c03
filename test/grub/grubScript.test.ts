import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BootEntry } from '@arbor/core';
import { grubWordValue, menuEntries, parseGrubScript, printGrubScript, quoteGrubWord, tokenizeGrubScript, type GrubCommand, type GrubScript } from '@arbor/plugin-grub';
import { requireTool } from '../support/requireTool';
import { BLS_FIXTURES, GRUB_FIXTURES, fixtureFiles, grubConfigFixtures } from './fixtures';
import { grubScriptCheck, grubScriptCheckText } from './grubTools';

const read = (file: string) => fs.readFileSync(path.join(GRUB_FIXTURES, file), 'utf8');

describe('grub.cfg parser', () => {
  describe('round trips every fixture', () => {
    for (const file of fixtureFiles(GRUB_FIXTURES)) {
      it(`grub/${file}: print(parse(text)) is the text, and parse(print(tree)) is the tree`, () => {
        const text = read(file);
        const tree = parseGrubScript(text, file);
        assert.equal(printGrubScript(tree), text);
        assert.deepEqual(parseGrubScript(printGrubScript(tree), file), tree);
      });
    }
    for (const file of fixtureFiles(BLS_FIXTURES)) {
      it(`bls/${file}: core's BootEntry parse and print give the bytes back`, () => {
        const text = fs.readFileSync(path.join(BLS_FIXTURES, file), 'utf8');
        const entry = BootEntry.parse(text, file);
        assert.equal(entry.toString(), text);
        assert.equal(BootEntry.parse(entry.toString(), file).toString(), entry.toString());
      });
    }
  });

  it('agrees with grub-script-check on every grub.cfg fixture', function () {
    requireTool(this, 'grub-script-check');
    const checked = grubConfigFixtures().filter((file) => !file.endsWith('.conf'));
    assert.ok(checked.length >= 25, `${checked.length} configs`);
    for (const file of checked) {
      assert.ok(grubScriptCheck(path.join(GRUB_FIXTURES, file)).ok, `grub-script-check accepts ${file}`);
      assert.doesNotThrow(() => parseGrubScript(read(file), file));
    }
  });

  it('refuses, with the line, what GRUB refuses in structure', function () {
    requireTool(this, 'grub-script-check');
    const broken: Array<[string, RegExp]> = [
      ["menuentry 'a' {\n  linux /vmlinuz\n", /line 1: this "\{" block is never closed/],
      ['set a=1\nfi\n', /line 2: unexpected "fi"/],
      ['if true; then\n  echo x\n', /line 1: this "if" is never closed/],
      ["echo 'open\n", /line 1: a single-quoted string is never closed/],
      ['echo a }\n', /line 1: unexpected "}"/],
      ['function f\nx { echo; }\n', /line 2: expected a function name/],
    ];
    for (const [text, message] of broken) {
      assert.equal(grubScriptCheckText(text).ok, false, `grub-script-check refuses ${JSON.stringify(text)}`);
      assert.throws(() => parseGrubScript(text, 'grub.cfg'), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ARBOR_GRUB_CONFIG_SYNTAX');
        assert.match(error.message, message);
        return true;
      });
    }
  });

  it('reads menu entries, submenus, ids and kernel lines as GRUB would show them', () => {
    const efi = menuEntries(parseGrubScript(read('pulp-fixtures-rhel-installtree/EFI_BOOT_grub.cfg')));
    assert.deepEqual(
      efi.map((entry) => [entry.submenus.join('>'), entry.title]),
      [
        ['', 'Install Red Hat Enterprise Linux 7.6'],
        ['', 'Test this media & install Red Hat Enterprise Linux 7.6'],
        ['Troubleshooting -->', 'Install Red Hat Enterprise Linux 7.6 in basic graphics mode'],
        ['Troubleshooting -->', 'Rescue a Red Hat Enterprise Linux system'],
      ],
    );
    assert.equal(efi[0]!.linux![0], '/images/pxeboot/vmlinuz');
    assert.equal(efi[0]!.linux!.at(-1), 'quiet');
    assert.deepEqual(efi[0]!.initrd, ['/images/pxeboot/initrd.img']);

    const fedora = menuEntries(parseGrubScript(read('grubby/grub2.5')));
    assert.ok(fedora.some((entry) => entry.submenus[0] === 'Advanced options for Fedora Linux'), 'entries inside the Fedora submenu');
    assert.equal(fedora[0]!.id, 'gnulinux-simple-fe7b6773-70ed-4eac-b323-16ed459c7f86');
    assert.deepEqual(fedora[0]!.classes, ['fedora', 'gnu-linux', 'gnu', 'os']);
  });

  it('finds if blocks, functions, source and comments where GRUB has them', () => {
    const tree = parseGrubScript(read('grubby/grub2.1'));
    const kinds = tree.filter((item) => item.type !== 'gap').map((item) => item.type);
    assert.ok(kinds.includes('if') && kinds.includes('function') && kinds.includes('comment'));
    const functions = tree.flatMap((item) => (item.type === 'function' ? [item.name] : []));
    assert.deepEqual(functions, ['savedefault', 'load_video']);
    const custom = tree.filter((item) => item.type === 'if').at(-1)!;
    assert.equal(custom.type, 'if');
    const body = custom.type === 'if' ? custom.branches[0]!.body : [];
    const source = body.find((item): item is GrubCommand => item.type === 'command')!;
    assert.deepEqual(source.words.map(grubWordValue), ['source', '$prefix/custom.cfg']);
  });

  describe('lexer rules (yylex.l)', () => {
    it('joins quoted and escaped pieces into one word, keeping variables unexpanded', () => {
      assert.deepEqual(words(`echo 'a b'"c \\" \\$d"e\\ f $root \${x}y`), ['echo', 'a bc " $de f', '$root', '${x}y']);
    });

    it('starts a comment only where a token starts', () => {
      const script = parseGrubScript('echo a#b # tail\n');
      assert.deepEqual((script[0] as GrubCommand).words, ['echo', 'a#b']);
      assert.deepEqual(script.filter((item) => item.type === 'comment'), [{ type: 'comment', text: '# tail' }]);
    });

    it('continues a word over a backslash-newline, and a single-quoted string over lines', () => {
      assert.deepEqual(words("echo a\\\nb 'c\nd'"), ['echo', 'ab', 'c\nd']);
    });

    it('reads reserved words as keywords only where a command starts', () => {
      const script = parseGrubScript('echo if then fi; if true; then echo fi; fi\n');
      assert.deepEqual((script[0] as GrubCommand).words, ['echo', 'if', 'then', 'fi']);
      assert.equal(script.find((item) => item.type === 'if')?.type, 'if');
    });

    it('keeps every byte in some token', () => {
      const text = read('grubby/grub2.5');
      assert.equal(tokenizeGrubScript(text).map((token) => token.text).join(''), text);
    });
  });

  describe('quoting', () => {
    const nasty = ["it's", 'a b', '$root', 'x"y', 'back\\slash', '{brace}', 'semi;colon', 'tab\there', '', '#hash', 'new\nline', 'ünï'];

    it('quotes any value so that GRUB reads it back as one word with the same value', function () {
      requireTool(this, 'grub-script-check');
      const text = `echo ${nasty.map(quoteGrubWord).join(' ')}\n`;
      assert.ok(grubScriptCheckText(text).ok, grubScriptCheckText(text).output);
      assert.deepEqual(words(text).slice(1), nasty);
    });

    it('leaves plain kernel arguments bare', () => {
      assert.equal(quoteGrubWord('root=UUID=0b1c-22/x'), 'root=UUID=0b1c-22/x');
      assert.equal(quoteGrubWord("it's"), `'it'\\''s'`);
    });
  });
});

function words(text: string): string[] {
  const script: GrubScript = parseGrubScript(text);
  return (script.find((item) => item.type === 'command') as GrubCommand).words.map(grubWordValue);
}
