/**
 * AlterClientQuotas (key 49), v0 (v0-v1 on the Kafka listener): per entry, the entity's
 * quota config set in ZooKeeper with the ops applied, written with its
 * `/config/changes` notification unless validateOnly (Kafka's
 * ZkAdminManager.alterClientQuotas, see ClientQuotaAdmin); every broker applies it live.
 * Any broker answers. Each entry has its own errorCode/errorMessage (INVALID_REQUEST
 * naming the problem, INVALID_CONFIG for a bad stored set).
 */
import { KafkaError } from '@kzoo/common';
import type { AlterClientQuotasRequest, AlterClientQuotasResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';
import { alterClientQuotas } from '../server/ClientQuotaAdmin';
import { errorDetail } from '../server/ConfigHelper';

export async function handleAlterClientQuotas(
  broker: BrokerContext,
  req: AlterClientQuotasRequest,
): Promise<AlterClientQuotasResponse> {
  const entries: AlterClientQuotasResponse['entries'] = [];
  for (const entry of req.entries) {
    try {
      await alterClientQuotas(broker.adminZkClient, entry, req.validateOnly);
      entries.push({ errorCode: 0, errorMessage: null, entity: entry.entity });
      if (!req.validateOnly)
        broker.logger.info('altered client quotas', {
          entity: JSON.stringify(entry.entity),
          ops: JSON.stringify(entry.ops),
        });
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      broker.logger.info('AlterClientQuotas refused an entry', {
        entity: JSON.stringify(entry.entity),
        error: e.message,
      });
      entries.push({ errorCode: e.code, errorMessage: errorDetail(e), entity: entry.entity });
    }
  }
  return { throttleTimeMs: 0, entries };
}
