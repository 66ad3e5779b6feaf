/**
 * The READMEs' config tables are generated from the ConfigDefs by scripts/config-docs.js;
 * this fails when a definition and its README table differ (fix: `npm run docs:config`).
 */
import * as path from 'node:path';

const docs = require(path.join(__dirname, '../../../scripts/config-docs.js')) as {
  TABLES: Array<{ file: string; id: string }>;
  renderReadmes(): Array<{ file: string; current: string; expected: string; drifted: string[] }>;
};

describe('cli > config docs', () => {
  it('covers the broker, topic, producer, consumer and admin tables', () => {
    expect(docs.TABLES.map((t) => t.id)).toEqual([
      'broker',
      'topic',
      'producer',
      'consumer',
      'consumer-group',
      'admin',
    ]);
  });

  it.each(docs.renderReadmes().map((r) => [r.file, r] as const))(
    '%s: config tables match the definitions (npm run docs:config)',
    (_file, r) => {
      expect(r.drifted).toEqual([]);
      expect(r.current).toBe(r.expected);
    },
  );
});
