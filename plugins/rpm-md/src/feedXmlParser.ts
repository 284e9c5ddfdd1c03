import type { Readable } from 'node:stream';
import type { SaxesParser } from 'saxes';

/**
 * Streams `input` through a saxes parser whose handlers are already set, decoding UTF-8
 * across chunk boundaries, and stops at the first XML error: metadata files can be large, so
 * they are never held whole.
 */
export async function feedXmlParser(parser: SaxesParser, input: Readable): Promise<void> {
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure ??= error;
  });
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of input) {
    parser.write(decoder.decode(chunk as Buffer, { stream: true }));
    if (failure) throw failure;
  }
  parser.write(decoder.decode());
  parser.close();
  if (failure) throw failure;
}
