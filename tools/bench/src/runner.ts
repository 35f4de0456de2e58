// Child process: runs one system on one image at one k and prints one JSON
// line, including its own peak RSS, so systems never share a heap.
import type { RunResult, RunSpec } from './measure.js';
import { runSystem } from './systems.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as RunSpec;
const result = await runSystem(spec);
const full: RunResult = {
  ...result,
  peakRssMb: result.peakRssMb ?? process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(`${JSON.stringify(full)}\n`);
