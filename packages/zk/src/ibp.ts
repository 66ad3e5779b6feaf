/**
 * Which znode formats a broker writes at a given `inter.broker.protocol.version`, as
 * Kafka's source decides them (checked against tags 2.8.2 and 3.4.1):
 * - `/brokers/ids/<id>`: v5 (with `features`) from IBP 2.7-IV0, else v4
 *   (KafkaServer.createBrokerInfo).
 * - `/controller`: v2 with `kraftControllerEpoch` (-1 outside a migration) from 3.4
 *   (3.4's ControllerZNode.encode), else v1.
 * - `/feature`: v2 (no `min_version_level`) from IBP 3.3-IV0, else v1
 *   (FeatureZNode.apply).
 * - partition state: `leader_recovery_state: 1` after an unclean election from IBP
 *   3.2-IV0 (PartitionStateMachine.isLeaderRecoverySupported), never below.
 */
export interface ZkFormats {
  brokerRegistrationVersion: 4 | 5;
  controllerZNodeVersion: 1 | 2;
  featureZNodeVersion: 1 | 2;
  leaderRecoverySupported: boolean;
}

/** `2.6`, `2.7-IV2`, `3.5`, `3.4-IV0`, `0.10.2`: [major, minor, iv] (iv -1 when not given). */
export function parseIbp(ibp: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?(?:-IV(\d+))?$/.exec(ibp.trim());
  if (!m) throw new Error(`invalid inter.broker.protocol.version ${JSON.stringify(ibp)}`);
  return [Number(m[1]), Number(m[2]), m[3] === undefined ? -1 : Number(m[3])];
}

/** True when `ibp` is at least `major.minor` (any IV of it). */
export function ibpAtLeast(ibp: string, major: number, minor: number): boolean {
  const [a, b] = parseIbp(ibp);
  return a !== major ? a > major : b >= minor;
}

export function zkFormatsFor(ibp: string): ZkFormats {
  return {
    brokerRegistrationVersion: ibpAtLeast(ibp, 2, 7) ? 5 : 4,
    controllerZNodeVersion: ibpAtLeast(ibp, 3, 4) ? 2 : 1,
    featureZNodeVersion: ibpAtLeast(ibp, 3, 3) ? 2 : 1,
    leaderRecoverySupported: ibpAtLeast(ibp, 3, 2),
  };
}
