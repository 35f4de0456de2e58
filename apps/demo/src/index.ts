export { type DemoOptions, type DemoResult, runDemo } from './run-demo.js';
