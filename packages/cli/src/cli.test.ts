import { buildCli, COMMANDS } from './cli';

describe('kzoo command table', () => {
  test("each entry loads the command its key names (help lists them in the table's order)", () => {
    for (const [name, load] of Object.entries(COMMANDS)) {
      const command = load().command;
      expect(typeof command === 'string' ? command.split(' ')[0] : command).toBe(name);
    }
  });

  test('a named command loads that command alone; none, help or a typo loads them all', () => {
    const original = { ...COMMANDS };
    const loaded: string[] = [];
    for (const [name, load] of Object.entries(original))
      COMMANDS[name] = () => (loaded.push(name), load());
    const loads = (argv: string[]): string[] => {
      loaded.length = 0;
      buildCli(argv);
      return [...loaded];
    };
    try {
      const all = Object.keys(COMMANDS);
      expect(loads([])).toEqual(all);
      expect(loads(['--help'])).toEqual(all);
      expect(loads(['brokr', 'start'])).toEqual(all); // "Did you mean broker?" needs them all
      expect(loads(['topic', 'list', '--bootstrap-server', '127.0.0.1:9092'])).toEqual(['topic']);
      expect(loads(['perf', 'produce', '--help'])).toEqual(['perf']);
      // an option's value before the command reads as the command: all load, same parse
      expect(loads(['--zk', '127.0.0.1:2181', 'cluster', 'status'])).toEqual(all);
    } finally {
      Object.assign(COMMANDS, original);
    }
  });
});
