/**
 * What an API file declares: Kafka's key and name, and one request/response schema
 * per version of kzoo's native protocol (our own version numbers, from 0; Kafka's
 * field names). `ApiRegistry` collects the definitions and answers
 * `supportedVersions(apiKey)`, which ApiVersions advertises.
 */
import type { Type } from './schema';

export interface ApiVersionSchemas {
  readonly request: Type<unknown>;
  readonly response: Type<unknown>;
}

export interface ApiDefinition<Req = unknown, Res = unknown, K extends number = number> {
  readonly apiKey: K;
  /** Kafka's name: `Produce`, `LeaderAndIsr`, ... */
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Schemas of version v at index v - minVersion. */
  readonly versions: ReadonlyArray<ApiVersionSchemas>;
  /** Phantom types of the newest version. */
  readonly __req?: Req;
  readonly __res?: Res;
}

/**
 * Declares an API. `versions[i]` is version `minVersion + i`; `Req`/`Res` are the types
 * of the newest version's schemas and `K` the key, as a literal type (apis/index.ts
 * derives ApiKeys and ApiTypes from them).
 */
export function defineApi<Req, Res, K extends number = number>(def: {
  apiKey: K;
  name: string;
  minVersion?: number;
  older?: ReadonlyArray<ApiVersionSchemas>;
  latest: { request: Type<Req>; response: Type<Res> };
}): ApiDefinition<Req, Res, K> {
  const minVersion = def.minVersion ?? 0;
  const versions = [...(def.older ?? []), def.latest as ApiVersionSchemas];
  return {
    apiKey: def.apiKey,
    name: def.name,
    minVersion,
    maxVersion: minVersion + versions.length - 1,
    versions,
  };
}

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export class ApiRegistry {
  private readonly byKey = new Map<number, ApiDefinition>();
  readonly ranges: ReadonlyArray<ApiVersionRange>;

  constructor(apis: ReadonlyArray<ApiDefinition>) {
    for (const api of apis) {
      if (this.byKey.has(api.apiKey)) throw new Error(`duplicate apiKey ${api.apiKey}`);
      this.byKey.set(api.apiKey, api);
    }
    this.ranges = [...this.byKey.values()]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion }));
  }

  get(apiKey: number): ApiDefinition | undefined {
    return this.byKey.get(apiKey);
  }

  /** `{minVersion, maxVersion}` of an API, or undefined when the key is unknown. */
  supportedVersions(apiKey: number): { minVersion: number; maxVersion: number } | undefined {
    const api = this.byKey.get(apiKey);
    return api && { minVersion: api.minVersion, maxVersion: api.maxVersion };
  }

  isSupported(apiKey: number, apiVersion: number): boolean {
    const api = this.byKey.get(apiKey);
    return api !== undefined && apiVersion >= api.minVersion && apiVersion <= api.maxVersion;
  }

  /** Schemas of one version, or undefined when unsupported. */
  schemas(apiKey: number, apiVersion: number): ApiVersionSchemas | undefined {
    const api = this.byKey.get(apiKey);
    if (!api || apiVersion < api.minVersion || apiVersion > api.maxVersion) return undefined;
    return api.versions[apiVersion - api.minVersion];
  }

  name(apiKey: number): string {
    return this.byKey.get(apiKey)?.name ?? `Unknown(${apiKey})`;
  }
}
