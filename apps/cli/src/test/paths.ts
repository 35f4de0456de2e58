/** Where the CLI's tests find what they run: the built `kpress` and the repository. */
import { fileURLToPath } from 'node:url';

/** The built CLI (`pnpm build` makes it): what an installed `kpress` runs. */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** The repository's root folder. */
export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
