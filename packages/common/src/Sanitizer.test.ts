import { desanitize, sanitize } from './Sanitizer';

describe('common > Sanitizer', () => {
  it("encodes as Kafka's Sanitizer: URLEncoder, with * and space as %2A and %20", () => {
    expect(sanitize('app-1_x.y')).toBe('app-1_x.y');
    expect(sanitize('a b*c/ü<default>')).toBe('a%20b%2Ac%2F%C3%BC%3Cdefault%3E');
    expect(sanitize('user@EXAMPLE.COM')).toBe('user%40EXAMPLE.COM');
  });

  it('decodes what it encoded, and + as a space (URLDecoder)', () => {
    for (const s of ['a b*c/ü', 'CN=x,O=y', '', '%', '100%'])
      expect(desanitize(sanitize(s))).toBe(s);
    expect(desanitize('a+b')).toBe('a b');
    expect(() => desanitize('%E0%A4%A')).toThrow(/cannot desanitize "%E0%A4%A": bad % escape/);
  });
});
