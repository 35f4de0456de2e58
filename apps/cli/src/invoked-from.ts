/**
 * `pnpm kpress ...` runs the root package's `kpress` script, whose working
 * directory is the repository root; pnpm (like npm) keeps where the user
 * stood in INIT_CWD. Going back there makes relative paths mean what the user
 * typed. Only for that script: any other program keeps its own directory.
 */
export function returnToInvokingDirectory(env: NodeJS.ProcessEnv = process.env): void {
  const where = env.INIT_CWD;
  if (env.npm_lifecycle_event !== 'kpress' || where === undefined || where === '') return;
  try {
    process.chdir(where);
  } catch {
    // the folder is gone: stay at the root, as before
  }
}
