/**
 * Kafka's `Sanitizer`: names (client ids, user principals) made safe for a znode path
 * and a metric tag. `sanitize` is Java's URLEncoder (UTF-8; `A-Za-z0-9._-` kept, the rest
 * percent-encoded in upper-case hex) with `*` and space written `%2A` and `%20`;
 * `desanitize` is URLDecoder (`+` is a space, `%XX` its byte).
 */
export function sanitize(name: string): string {
  let out = '';
  for (const b of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9._-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The name `sanitize` encoded; throws naming the input on a bad `%` escape. */
export function desanitize(sanitized: string): string {
  try {
    return decodeURIComponent(sanitized.replace(/\+/g, ' '));
  } catch {
    throw new Error(`cannot desanitize ${JSON.stringify(sanitized)}: bad % escape`);
  }
}
