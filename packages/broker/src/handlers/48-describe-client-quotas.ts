/**
 * DescribeClientQuotas (key 48), v0 (v0-v1 on the Kafka listener): the client quota
 * entities in ZooKeeper matching the filter, with their values (Kafka's
 * ZkAdminManager.describeClientQuotas, see ClientQuotaAdmin). Any broker answers. A bad
 * filter is a top-level INVALID_REQUEST (UNSUPPORTED_VERSION for an entity type Kafka does
 * not know) with entries null, as Kafka answers.
 */
import { KafkaError } from '@kzoo/common';
import type { DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';
import { describeClientQuotas } from '../server/ClientQuotaAdmin';
import { errorDetail } from '../server/ConfigHelper';

export async function handleDescribeClientQuotas(
  broker: BrokerContext,
  req: DescribeClientQuotasRequest,
): Promise<DescribeClientQuotasResponse> {
  try {
    const entries = await describeClientQuotas(broker.adminZkClient, req.components, req.strict);
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, entries };
  } catch (e) {
    if (!(e instanceof KafkaError)) throw e;
    broker.logger.info('DescribeClientQuotas refused', { error: e.message });
    return { throttleTimeMs: 0, errorCode: e.code, errorMessage: errorDetail(e), entries: null };
  }
}
