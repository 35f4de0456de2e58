/**
 * The outcome rules live in @kpress/compress (what the worker and the local
 * CLI share). This re-export only keeps the finalize files' imports working
 * until they import @kpress/compress themselves (finalize-part.ts,
 * finalize-assemble.ts: being rewritten on another branch this round).
 */
export { failedOutcome } from '@kpress/compress';
