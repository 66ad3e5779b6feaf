/**
 * meta.properties in each log directory (Kafka's BrokerMetadataCheckpoint, v0):
 * `version=0`, `broker.id`, `cluster.id`. Written on first start; on later starts the
 * stored ids must match, so a broker never joins the wrong cluster or takes another
 * broker's data. Messages follow Kafka's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KafkaError, parseProperties } from '@kzoo/common';

export const META_PROPERTIES = 'meta.properties';

export interface BrokerMetadata {
  brokerId: number;
  clusterId: string | null;
}

export function readBrokerMetadata(logDir: string): BrokerMetadata | null {
  const file = path.join(logDir, META_PROPERTIES);
  if (!fs.existsSync(file)) return null;
  const props = parseProperties(fs.readFileSync(file, 'utf8'));
  if (props.version !== '0') {
    throw new KafkaError(
      'INVALID_CONFIG',
      `unsupported meta.properties version ${props.version} in ${file}`,
    );
  }
  const id = Number(props['broker.id']);
  if (!Number.isInteger(id)) throw new KafkaError('INVALID_CONFIG', `bad broker.id in ${file}`);
  return { brokerId: id, clusterId: props['cluster.id'] ?? null };
}

export function writeBrokerMetadata(logDir: string, meta: BrokerMetadata): void {
  const file = path.join(logDir, META_PROPERTIES);
  const text =
    `#\n#${new Date().toString()}\n` +
    `${meta.clusterId ? `cluster.id=${meta.clusterId}\n` : ''}version=0\nbroker.id=${meta.brokerId}\n`;
  const tmp = file + '.tmp';
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * The broker.id stored in the log dirs' meta.properties, or null when none has one; dirs
 * that disagree are refused (Kafka's InconsistentBrokerMetadataException).
 */
export function storedBrokerId(logDirs: readonly string[]): number | null {
  const found = new Map<number, string>();
  for (const dir of logDirs) {
    const meta = readBrokerMetadata(dir);
    if (meta && !found.has(meta.brokerId)) found.set(meta.brokerId, dir);
  }
  if (found.size > 1) {
    throw new KafkaError(
      'INVALID_CONFIG',
      'BrokerMetadata is not consistent across log.dirs. This could happen if multiple brokers ' +
        `shared a log directory: ${[...found].map(([id, dir]) => `broker.id=${id} in ${dir}`).join(', ')}`,
    );
  }
  return found.size === 1 ? [...found.keys()][0] : null;
}

/**
 * Kafka's getOrGenerateBrokerId: a configured id (>= 0) as is; with -1, the id stored in
 * meta.properties, else `generate()` (a new /brokers/seqid version + reserved.broker.max.id).
 */
export async function getOrGenerateBrokerId(
  logDirs: readonly string[],
  configuredId: number,
  generate: () => Promise<number>,
): Promise<number> {
  if (configuredId >= 0) return configuredId;
  return storedBrokerId(logDirs) ?? (await generate());
}

/** Creates missing log dirs, checks stored ids against ours, writes meta.properties where missing. */
export function checkBrokerMetadata(
  logDirs: readonly string[],
  brokerId: number,
  clusterId: string,
): void {
  for (const dir of logDirs) {
    fs.mkdirSync(dir, { recursive: true });
    const meta = readBrokerMetadata(dir);
    if (!meta) {
      writeBrokerMetadata(dir, { brokerId, clusterId });
      continue;
    }
    if (meta.brokerId !== brokerId) {
      throw new KafkaError(
        'INVALID_CONFIG',
        `Configured broker.id ${brokerId} doesn't match stored broker.id ${meta.brokerId} in meta.properties (${dir}). ` +
          'If you moved your data, make sure your configured broker.id matches.',
      );
    }
    if (meta.clusterId !== null && meta.clusterId !== clusterId) {
      throw new KafkaError(
        'INCONSISTENT_CLUSTER_ID',
        `The Cluster ID ${clusterId} doesn't match stored clusterId ${meta.clusterId} in meta.properties (${dir}). ` +
          'The broker is trying to join the wrong cluster. Configured zookeeper.connect may be wrong.',
      );
    }
    if (meta.clusterId === null) writeBrokerMetadata(dir, { brokerId, clusterId });
  }
}
