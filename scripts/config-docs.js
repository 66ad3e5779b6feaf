#!/usr/bin/env node
// The config tables in the READMEs, generated from the ConfigDefs (broker, topic,
// producer, consumer, admin). Each table sits between two markers in its README:
//   <!-- config-table:<id> begin: ... -->  ...  <!-- config-table:<id> end -->
//
//   npm run docs:config                   build, then rewrite the tables
//   node scripts/config-docs.js --check   exit 1 and name the tables that differ
//
// packages/cli/src/config-docs.test.ts runs the same check in the unit tests, so a
// definition changed without its README (or the other way round) fails the build.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

/** Consumer keys documented under "Consumer groups" rather than in the main table. */
const CONSUMER_GROUP_KEYS = [
  'group.id',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'max.poll.interval.ms',
  'enable.auto.commit',
  'auto.commit.interval.ms',
  'partition.assignment.strategy',
  'group.instance.id',
];

/** Which definition each table shows. `def` is a function so nothing loads until needed. */
const TABLES = [
  {
    file: 'packages/broker/README.md',
    id: 'broker',
    def: () => require('@kzoo/broker').BROKER_CONFIG_DEF,
  },
  { file: 'packages/log/README.md', id: 'topic', def: () => require('@kzoo/log').TOPIC_CONFIG_DEF },
  {
    file: 'packages/client/README.md',
    id: 'producer',
    def: () => require('@kzoo/client').PRODUCER_CONFIG_DEF,
  },
  {
    file: 'packages/client/README.md',
    id: 'consumer',
    def: () => require('@kzoo/client').CONSUMER_CONFIG_DEF,
    except: CONSUMER_GROUP_KEYS,
  },
  {
    file: 'packages/client/README.md',
    id: 'consumer-group',
    def: () => require('@kzoo/client').CONSUMER_CONFIG_DEF,
    only: CONSUMER_GROUP_KEYS,
  },
  {
    file: 'packages/client/README.md',
    id: 'admin',
    def: () => require('@kzoo/client').ADMIN_CONFIG_DEF,
  },
];

/**
 * Every README with its tables regenerated: [{ file, current, expected, drifted: [ids] }].
 * Throws when a README lacks the markers of one of its tables.
 */
function renderReadmes(root = ROOT) {
  const {
    configTableMarkdown,
    readGeneratedSection,
    replaceGeneratedSection,
  } = require('@kzoo/common');
  const byFile = new Map();
  for (const t of TABLES) {
    const file = path.join(root, t.file);
    let entry = byFile.get(file);
    if (!entry) {
      const current = fs.readFileSync(file, 'utf8');
      entry = { file: t.file, current, expected: current, drifted: [] };
      byFile.set(file, entry);
    }
    const table = configTableMarkdown(t.def(), { only: t.only, except: t.except });
    if (readGeneratedSection(entry.expected, t.id) !== table) entry.drifted.push(t.id);
    entry.expected = replaceGeneratedSection(entry.expected, t.id, table);
  }
  return [...byFile.entries()].map(([abs, e]) => ({ ...e, path: abs }));
}

module.exports = { TABLES, CONSUMER_GROUP_KEYS, renderReadmes };

if (require.main === module) {
  const check = process.argv.includes('--check');
  let drift = 0;
  for (const r of renderReadmes()) {
    if (r.drifted.length === 0) continue;
    drift++;
    if (check) {
      console.error(
        `${r.file}: config tables differ from the definitions: ${r.drifted.join(', ')}`,
      );
    } else {
      fs.writeFileSync(r.path, r.expected);
      console.log(`${r.file}: rewrote ${r.drifted.join(', ')}`);
    }
  }
  if (check && drift > 0) {
    console.error('run `npm run docs:config` to regenerate them');
    process.exit(1);
  }
  if (drift === 0) console.log('config tables are up to date');
}
