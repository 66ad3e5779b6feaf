import { quotaEntitiesOf } from './configs';
import { formatQuotaDescriptions, javaDouble } from './quota-configs';

const base = {
  describe: true,
  alter: false,
  'entity-default': false,
  'user-defaults': false,
  'client-defaults': false,
  all: false,
  json: false,
  'bootstrap-server': '127.0.0.1:9092',
} as unknown as Parameters<typeof quotaEntitiesOf>[0];

describe('cli > configs > client quotas', () => {
  it("prints values as Java's Double.toString, as kafka-configs does", () => {
    expect(javaDouble(102400)).toBe('102400.0');
    expect(javaDouble(50.5)).toBe('50.5');
    expect(javaDouble(10485760)).toBe('1.048576E7');
    expect(javaDouble(1e7)).toBe('1.0E7');
    expect(javaDouble(0)).toBe('0.0');
  });

  it("describes entities in kafka-configs' words", () => {
    expect(
      formatQuotaDescriptions([
        { entity: { 'client-id': 'app' }, values: { producer_byte_rate: 102400 } },
        { entity: { user: null }, values: { consumer_byte_rate: 1, request_percentage: 12.5 } },
        { entity: { user: 'alice', 'client-id': null }, values: { producer_byte_rate: 2 } },
      ]),
    ).toBe(
      "Quota configs for client-id 'app' are producer_byte_rate=102400.0\n" +
        'Quota configs for the default user-principal are consumer_byte_rate=1.0, request_percentage=12.5\n' +
        "Quota configs for user-principal 'alice', the default client-id are producer_byte_rate=2.0\n",
    );
  });

  it('reads the entities from --entity-type/--entity-name/--entity-default and --user/--client', () => {
    const of = (a: Record<string, unknown>) => quotaEntitiesOf({ ...base, ...a } as typeof base);
    expect(of({ 'entity-type': 'topics', 'entity-name': 't' })).toBeNull();
    expect(of({ 'entity-type': 'clients', 'entity-name': 'app' })).toEqual([
      { type: 'clients', name: 'app' },
    ]);
    expect(of({ 'entity-type': 'users', 'entity-default': true })).toEqual([
      { type: 'users', name: '' },
    ]);
    expect(of({ 'entity-type': 'clients' })).toEqual([{ type: 'clients', name: undefined }]);
    expect(of({ 'entity-type': ['users', 'clients'], 'entity-name': ['alice', 'app'] })).toEqual([
      { type: 'users', name: 'alice' },
      { type: 'clients', name: 'app' },
    ]);
    expect(of({ user: 'alice', 'client-defaults': true })).toEqual([
      { type: 'users', name: 'alice' },
      { type: 'clients', name: '' },
    ]);
    expect(() => of({ 'entity-type': ['clients', 'users'], 'entity-name': ['a', 'b'] })).toThrow(
      /a user and its client: --entity-type users \.\.\. --entity-type clients/,
    );
    expect(() => of({ 'entity-type': 'clients', user: 'alice' })).toThrow(
      /replace --entity-type; give one form/,
    );
    expect(() => of({ user: 'a', 'user-defaults': true })).toThrow(
      /--user and --user-defaults exclude each other/,
    );
  });
});
