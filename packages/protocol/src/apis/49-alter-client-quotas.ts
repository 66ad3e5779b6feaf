/**
 * AlterClientQuotas (key 49, KIP-546). Versions: 0.
 * v0: Kafka's v0 fields: entries (entity: (type, name | null = default) pairs; ops: key,
 *     float64 value, remove) and validateOnly; response one errorCode/errorMessage per
 *     entry with its entity.
 * Not implemented: nothing of v0 (`ip` entities are refused: kzoo has no connection-rate
 * quotas).
 */
import { defineApi } from '../api';
import { array, boolean, float64, int16, int32, nullableString, string, struct } from '../schema';
import {
  clientQuotaEntityDataSchema,
  type ClientQuotaEntityData,
} from './48-describe-client-quotas';

export interface AlterClientQuotasOp {
  key: string;
  /** Ignored when `remove`. */
  value: number;
  remove: boolean;
}
export interface AlterClientQuotasEntry {
  entity: ClientQuotaEntityData[];
  ops: AlterClientQuotasOp[];
}
export interface AlterClientQuotasRequest {
  entries: AlterClientQuotasEntry[];
  validateOnly: boolean;
}
export interface AlterClientQuotasResponseEntry {
  errorCode: number;
  errorMessage: string | null;
  entity: ClientQuotaEntityData[];
}
export interface AlterClientQuotasResponse {
  throttleTimeMs: number;
  entries: AlterClientQuotasResponseEntry[];
}

export const AlterClientQuotasApi = defineApi({
  apiKey: 49,
  name: 'AlterClientQuotas',
  latest: {
    request: struct<AlterClientQuotasRequest>({
      entries: array(
        struct<AlterClientQuotasEntry>({
          entity: array(clientQuotaEntityDataSchema),
          ops: array(struct<AlterClientQuotasOp>({ key: string, value: float64, remove: boolean })),
        }),
      ),
      validateOnly: boolean,
    }),
    response: struct<AlterClientQuotasResponse>({
      throttleTimeMs: int32,
      entries: array(
        struct<AlterClientQuotasResponseEntry>({
          errorCode: int16,
          errorMessage: nullableString,
          entity: array(clientQuotaEntityDataSchema),
        }),
      ),
    }),
  },
});
