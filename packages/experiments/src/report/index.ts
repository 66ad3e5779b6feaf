// Reports of a checked run: terminal.ts (a compact summary), json.ts (the stable JSON
// shape), html.ts (one self-contained page with a timeline), matrix.ts (the table of
// `kzoo experiment matrix`).
import * as terminal from './terminal';
import * as json from './json';
import * as html from './html';
import * as timeline from './timeline';
import * as matrix from './matrix';

export type { TerminalOptions } from './terminal';
export import renderTerminal = terminal.renderTerminal;

export import renderJson = json.renderJson;
export import REPORT_FORMAT = json.REPORT_FORMAT;

export type { HtmlOptions } from './html';
export import renderHtml = html.renderHtml;

export type { TimelineOptions } from './timeline';
export import renderTimeline = timeline.renderTimeline;

export type { MatrixRow, MatrixConfig, MatrixOptions } from './matrix';
export import renderMatrix = matrix.renderMatrix;
export import matrixRows = matrix.matrixRows;
