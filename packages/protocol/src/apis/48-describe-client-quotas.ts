/**
 * DescribeClientQuotas (key 48, KIP-546). Versions: 0.
 * v0: Kafka's v0 fields: filter components (entityType `user` | `client-id` | `ip`,
 *     matchType 0 = exact name, 1 = the default entity, 2 = any name; match the name or
 *     null) and strict; response errorCode/errorMessage and the matching entries (entity:
 *     (type, name | null = default) pairs; values: quota key → float64), null on error.
 * Not implemented: nothing of v0 (`ip` entities are answered as none: kzoo has no
 * connection-rate quotas).
 */
import { defineApi } from '../api';
import {
  array,
  boolean,
  float64,
  int16,
  int32,
  int8,
  nullable,
  nullableString,
  string,
  struct,
} from '../schema';

/** Kafka's ClientQuotaFilterComponent match types. */
export const ClientQuotaMatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

export interface DescribeClientQuotasComponent {
  entityType: string;
  /** 0 exact name, 1 the default entity, 2 any specified name. */
  matchType: number;
  match: string | null;
}
export interface DescribeClientQuotasRequest {
  components: DescribeClientQuotasComponent[];
  strict: boolean;
}
export interface ClientQuotaEntityData {
  entityType: string;
  /** null: the default entity of that type. */
  entityName: string | null;
}
export interface DescribeClientQuotasValue {
  key: string;
  value: number;
}
export interface DescribeClientQuotasEntry {
  entity: ClientQuotaEntityData[];
  values: DescribeClientQuotasValue[];
}
export interface DescribeClientQuotasResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  entries: DescribeClientQuotasEntry[] | null;
}

export const clientQuotaEntityDataSchema = struct<ClientQuotaEntityData>({
  entityType: string,
  entityName: nullableString,
});

export const DescribeClientQuotasApi = defineApi({
  apiKey: 48,
  name: 'DescribeClientQuotas',
  latest: {
    request: struct<DescribeClientQuotasRequest>({
      components: array(
        struct<DescribeClientQuotasComponent>({
          entityType: string,
          matchType: int8,
          match: nullableString,
        }),
      ),
      strict: boolean,
    }),
    response: struct<DescribeClientQuotasResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      errorMessage: nullableString,
      entries: nullable(
        array(
          struct<DescribeClientQuotasEntry>({
            entity: array(clientQuotaEntityDataSchema),
            values: array(struct<DescribeClientQuotasValue>({ key: string, value: float64 })),
          }),
        ),
      ),
    }),
  },
});
