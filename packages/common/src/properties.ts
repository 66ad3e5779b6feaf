/**
 * Kafka's `key=value` properties format (server.properties): `#` and `!` comments,
 * `key=value` or `key: value`, backslash line continuation.
 */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].trim();
    }
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) throw new Error(`invalid properties line ${i + 1}: ${JSON.stringify(lines[i])}`);
    out[m[1]] = m[2];
  }
  return out;
}
