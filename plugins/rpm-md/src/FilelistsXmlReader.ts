import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { feedXmlParser } from './feedXmlParser';

/**
 * Streams filelists.xml into `pkgid -> paths`. rpm-md ties each `<package pkgid="…">` here to
 * the primary.xml package whose `<checksum pkgid="YES">` has that value. Read only when a file
 * dependency is not answered by the files primary.xml already lists (createrepo_c keeps
 * /etc, *bin/ and /usr/lib/sendmail there), as dnf loads filelists on demand.
 */
export async function readFilelistsXml(input: Readable): Promise<Map<string, string[]>> {
  const files = new Map<string, string[]>();
  const parser = new SaxesParser({ xmlns: false, position: false });
  let current: string[] | undefined;
  let inFile = false;
  let text = '';

  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (tag.name === 'package') {
      const pkgid = String(tag.attributes.pkgid ?? '').toLowerCase();
      current = files.get(pkgid) ?? [];
      files.set(pkgid, current);
    } else if (tag.name === 'file' && current) {
      inFile = true;
      text = '';
    }
  });
  parser.on('text', (chunk) => {
    if (inFile) text += chunk;
  });
  parser.on('closetag', (tag) => {
    if (tag.name === 'file' && inFile) {
      current?.push(text);
      inFile = false;
    } else if (tag.name === 'package') {
      current = undefined;
    }
  });

  await feedXmlParser(parser, input);
  return files;
}
