#!/usr/bin/env node
// Builds the libdeflate addon (native/build/Release/kpress_deflate.node) against Debian's
// libdeflate-dev, linked statically, with kpress's one addon runner (@kpress/native-build).
// Never fails the install: where libdeflate-dev or a compiler is missing it says so in one
// line and the PNG writer deflates with zlib (see src/backend.ts).
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAddon, say } from '@kpress/native-build';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const header = ['/usr/include', '/usr/local/include'].find((d) =>
  existsSync(join(d, 'libdeflate.h')),
);
if (header === undefined) {
  say(
    'libdeflate-dev is not installed: PNGs will be deflated with zlib (larger, slower). ' +
      'Install it (Debian: apt-get install -y libdeflate-dev) and run pnpm install again.',
  );
  process.exit(0);
}
const addon = buildAddon({
  dir: here,
  fallback: 'PNGs will be deflated with zlib',
  inputs: [join(header, 'libdeflate.h')],
});
// libdeflate is MIT (Expat): its notice travels with the binary that contains it.
const notice = '/usr/share/doc/libdeflate-dev/copyright';
if (addon !== undefined && existsSync(notice))
  copyFileSync(notice, join(dirname(addon), 'LIBDEFLATE-LICENSE'));
