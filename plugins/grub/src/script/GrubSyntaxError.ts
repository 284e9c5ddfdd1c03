import { ArborError } from '@arbor/core';
import { GrubErrorCode } from '../GrubErrorCode';

/** A grub.cfg that GRUB's own parser would refuse: names the file and the line. */
export class GrubSyntaxError extends ArborError {
  constructor(readonly source: string, readonly line: number, problem: string) {
    super(GrubErrorCode.CONFIG_SYNTAX, `${source}, line ${line}: ${oneLine(problem)}`, {
      hint: 'Check the file with grub-script-check; Arbor rewrites only a grub.cfg that GRUB itself can parse',
    });
    this.name = 'GrubSyntaxError';
  }
}

/** A problem quotes the script's words, which may hold newlines and control bytes: escaped, it stays one line. */
function oneLine(problem: string): string {
  return problem.replace(/[\x00-\x1f\x7f]/g, (char) => (char === '\n' ? '\\n' : char === '\t' ? '\\t' : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
