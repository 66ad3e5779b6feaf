import { KafkaError } from '@kzoo/common';
import { InMemoryZooKeeper } from '@kzoo/zk';
import { AdminZkClient } from '../admin/AdminZkClient';
import { alterClientQuotas, describeClientQuotas } from './ClientQuotaAdmin';

const user = (entityName: string | null) => ({ entityType: 'user', entityName });
const client = (entityName: string | null) => ({ entityType: 'client-id', entityName });
const set = (key: string, value: number) => ({ key, value, remove: false });
const exact = (entityType: string, match: string) => ({ entityType, matchType: 0, match });
const dflt = (entityType: string) => ({ entityType, matchType: 1, match: null });
const any = (entityType: string) => ({ entityType, matchType: 2, match: null });

async function setup() {
  const zk = new InMemoryZooKeeper().newClient();
  const admin = new AdminZkClient(zk);
  const alter = (
    entity: Array<{ entityType: string; entityName: string | null }>,
    ...ops: ReturnType<typeof set>[]
  ) => alterClientQuotas(admin, { entity, ops }, false);
  await alter([client('app 1')], set('producer_byte_rate', 1024));
  await alter([client(null)], set('consumer_byte_rate', 2048));
  await alter([user('alice')], set('request_percentage', 12.5));
  await alter([user(null)], set('producer_byte_rate', 4096));
  await alter([user('alice'), client('app 1')], set('consumer_byte_rate', 8192));
  await alter([user(null), client(null)], set('producer_byte_rate', 16384));
  return { zk, admin, alter };
}

describe('broker > server > ClientQuotaAdmin', () => {
  it("writes Kafka's znodes: sanitized names, <default>, users/<u>/clients/<c>, a notification each", async () => {
    const { zk } = await setup();
    expect(await zk.getEntityConfigs('clients', 'app%201')).toEqual({ producer_byte_rate: '1024' });
    expect(await zk.getEntityConfigs('clients', '<default>')).toEqual({
      consumer_byte_rate: '2048',
    });
    expect(await zk.getEntityConfigs('users', 'alice')).toEqual({ request_percentage: '12.5' });
    expect(await zk.getEntityConfigs('users', 'alice/clients/app%201')).toEqual({
      consumer_byte_rate: '8192',
    });
    expect(await zk.getEntityConfigs('users', '<default>/clients/<default>')).toEqual({
      producer_byte_rate: '16384',
    });
    const paths = [];
    for (const n of await zk.getConfigChangeNotifications())
      paths.push((await zk.getConfigChangeNotification(n))!.entityPath);
    expect(paths).toEqual([
      'clients/app%201',
      'clients/<default>',
      'users/alice',
      'users/<default>',
      'users/alice/clients/app%201',
      'users/<default>/clients/<default>',
    ]);
  });

  it('describes by filter: exact, default, any; strict leaves out entities with other components', async () => {
    const { admin } = await setup();
    const describe = async (
      components: ReturnType<typeof any>[] | ReturnType<typeof exact>[],
      strict = false,
    ) =>
      (await describeClientQuotas(admin, components, strict)).map((e) =>
        JSON.stringify([
          e.entity.map((x) => x.entityName),
          e.values.map((v) => `${v.key}=${v.value}`),
        ]),
      );
    expect((await describe([])).sort()).toEqual(
      [
        '[["alice"],["request_percentage=12.5"]]',
        '[[null],["producer_byte_rate=4096"]]',
        '[["app 1"],["producer_byte_rate=1024"]]',
        '[[null],["consumer_byte_rate=2048"]]',
        '[["alice","app 1"],["consumer_byte_rate=8192"]]',
        '[[null,null],["producer_byte_rate=16384"]]',
      ].sort(),
    );
    expect(await describe([exact('client-id', 'app 1')], true)).toEqual([
      '[["app 1"],["producer_byte_rate=1024"]]',
    ]);
    expect(await describe([exact('client-id', 'app 1')])).toEqual([
      '[["app 1"],["producer_byte_rate=1024"]]',
      '[["alice","app 1"],["consumer_byte_rate=8192"]]',
    ]);
    expect(await describe([dflt('user')], true)).toEqual(['[[null],["producer_byte_rate=4096"]]']);
    expect((await describe([any('user'), any('client-id')], true)).sort()).toEqual(
      [
        '[["alice","app 1"],["consumer_byte_rate=8192"]]',
        '[[null,null],["producer_byte_rate=16384"]]',
      ].sort(),
    );
    expect(await describe([any('ip')])).toEqual([]);
  });

  it("refuses bad filters and alterations in Kafka's words", async () => {
    const { admin, alter } = await setup();
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: KafkaError) => `${e.errorName}: ${e.message.replace(/^[A-Z_]+: /, '')}`,
      );
    expect(await refusal(describeClientQuotas(admin, [any('user'), any('user')], false))).toBe(
      'INVALID_REQUEST: Duplicate user filter component entity type',
    );
    expect(await refusal(describeClientQuotas(admin, [any('group')], false))).toBe(
      "UNSUPPORTED_VERSION: Custom entity type 'group' not supported",
    );
    expect(
      await refusal(
        describeClientQuotas(admin, [{ entityType: 'user', matchType: 0, match: null }], false),
      ),
    ).toBe(
      'INVALID_REQUEST: Filter component user matches an exact name (match type 0) but names none',
    );
    expect(
      await refusal(
        describeClientQuotas(admin, [{ entityType: 'user', matchType: 7, match: null }], false),
      ),
    ).toBe('INVALID_REQUEST: Unexpected match type: 7');
    expect(await refusal(alter([client('x')], set('retention.ms', 1)))).toBe(
      'INVALID_REQUEST: Invalid configuration key retention.ms',
    );
    expect(await refusal(alter([client('x')], set('producer_byte_rate', 1.5)))).toBe(
      'INVALID_REQUEST: Configuration producer_byte_rate must be a LONG value',
    );
    expect(await refusal(alter([], set('producer_byte_rate', 1)))).toBe(
      'INVALID_REQUEST: Invalid empty client quota entity',
    );
    expect(await refusal(alter([client('')], set('producer_byte_rate', 1)))).toBe(
      'INVALID_REQUEST: Empty client-id not supported',
    );
    expect(
      await refusal(
        alter([{ entityType: 'ip', entityName: '1.2.3.4' }], set('producer_byte_rate', 1)),
      ),
    ).toMatch(/^INVALID_REQUEST: IP connection-rate quotas are not supported/);
    // a removal takes the key away; an entity left with none is described no more
    await alter([client('app 1')], { key: 'producer_byte_rate', value: 0, remove: true });
    expect(await describeClientQuotas(admin, [exact('client-id', 'app 1')], true)).toEqual([]);
    // validateOnly changes nothing
    await alterClientQuotas(
      admin,
      { entity: [client('v')], ops: [set('producer_byte_rate', 5)] },
      true,
    );
    expect(await admin.fetchEntityConfig('clients', 'v')).toEqual({});
  });
});
