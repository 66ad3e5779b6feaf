// Reports of a checked run: terminal.ts (a compact summary), json.ts (the stable JSON
// shape), html.ts (one self-contained page with a timeline), matrix.ts (the table of
// `kzoo experiment matrix`).
export { renderTerminal, type TerminalOptions } from './terminal';
export { renderJson, REPORT_FORMAT } from './json';
export { renderHtml, type HtmlOptions } from './html';
export { renderTimeline, type TimelineOptions } from './timeline';
export {
  renderMatrix,
  matrixRows,
  type MatrixRow,
  type MatrixConfig,
  type MatrixOptions,
} from './matrix';
