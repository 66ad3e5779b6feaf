/**
 * Kafka's QuotaFactory.QuotaManagers, the client half: one manager per client quota
 * type (Produce and Fetch byte rates, the Request time share), built from the broker's
 * `quota.window.*` keys, and Kafka's QuotaConfigHandler.updateQuotaConfig that turns one
 * entity's `/config/clients|users/...` config set into each manager's quota.
 */
import {
  CONSUMER_BYTE_RATE,
  PRODUCER_BYTE_RATE,
  REQUEST_PERCENTAGE,
  SystemTime,
  createLogger,
  desanitize,
  type Logger,
  type Time,
} from '@kzoo/common';
import { ConfigEntityName } from '@kzoo/zk';
import {
  ClientQuotaManager,
  describeEntity,
  type ClientQuotaManagerConfig,
} from './ClientQuotaManager';
import { ClientRequestQuotaManager } from './ClientRequestQuotaManager';

/** Kafka's QuotaManagers (the client half): one manager per client quota type. */
export class ClientQuotas {
  readonly produce: ClientQuotaManager;
  readonly fetch: ClientQuotaManager;
  readonly request: ClientRequestQuotaManager;
  private readonly log: Logger;

  constructor(config: ClientQuotaManagerConfig = {}, time: Time = SystemTime, logger?: Logger) {
    const log = (this.log = logger ?? createLogger('client.quota'));
    this.produce = new ClientQuotaManager('Produce', config, time, log);
    this.fetch = new ClientQuotaManager('Fetch', config, time, log);
    this.request = new ClientRequestQuotaManager(config, time, log);
  }

  /**
   * Kafka's QuotaConfigHandler.updateQuotaConfig: one entity's complete config set sets
   * each type's quota (a key absent removes it). A value that does not parse is logged
   * and removes that quota.
   */
  updateQuotaConfig(
    sanitizedUser: string | null,
    sanitizedClientId: string | null,
    config: Readonly<Record<string, string>>,
  ): void {
    const clientId =
      sanitizedClientId === null || sanitizedClientId === ConfigEntityName.Default
        ? sanitizedClientId
        : desanitize(sanitizedClientId);
    for (const [key, manager] of [
      [PRODUCER_BYTE_RATE, this.produce],
      [CONSUMER_BYTE_RATE, this.fetch],
      [REQUEST_PERCENTAGE, this.request],
    ] as const) {
      const v = config[key]?.trim();
      let bound: number | null = null;
      if (v !== undefined) {
        const n = Number(v);
        if (v !== '' && Number.isFinite(n)) bound = n;
        else
          this.log.warn(`${key} ignored: not a number`, {
            entity: describeEntity(sanitizedUser, sanitizedClientId),
            value: v,
          });
      }
      manager.updateQuota(sanitizedUser, clientId, bound);
    }
  }
}
